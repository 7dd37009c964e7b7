import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/**
 * The live chat when things go wrong (issue 8): the center's hand-over, block and per-address
 * settings and its quick-exit page; per chat the wait, the visitor's absence and the address hash
 * (HMAC, kept only while the chat runs); blocks that expire and also hold for the address hash.
 */
export class LiveChatFailures1764800000000 implements MigrationInterface {
  name = 'LiveChatFailures1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('centers', [
      new TableColumn({ ...col.varchar('live_handover', 16), default: "'handover'" }),
      new TableColumn(col.int('live_block_hours', 24)),
      new TableColumn(col.int('live_waiting_per_address', 3)),
      new TableColumn({ ...col.varchar('quick_exit_url', 500), default: "'https://www.wikipedia.org/'" }),
    ]);
    await q.addColumns('live_chats', [
      new TableColumn(col.int('waited_ms', 0)),
      new TableColumn(col.varchar('address_hash', 32, true)),
      new TableColumn(col.date('visitor_away_since', true)),
    ]);
    await q.changeColumn('live_chats', 'end_reason', new TableColumn(col.varchar('end_reason', 24, true)));
    await q.createIndex('live_chats', new TableIndex({ name: 'ix_live_chats_assigned', columnNames: ['center_id', 'assigned_at'] }));
    await q.addColumns('visitor_blocks', [new TableColumn(col.varchar('address_hash', 32, true)), new TableColumn(col.date('expires_at', true))]);
    await q.createIndex('visitor_blocks', new TableIndex({ name: 'ix_visitor_blocks_address', columnNames: ['center_id', 'address_hash'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('visitor_blocks', 'ix_visitor_blocks_address');
    await q.dropColumns('visitor_blocks', ['address_hash', 'expires_at']);
    await q.dropIndex('live_chats', 'ix_live_chats_assigned');
    await q.changeColumn('live_chats', 'end_reason', new TableColumn(col.varchar('end_reason', 16, true)));
    await q.dropColumns('live_chats', ['waited_ms', 'address_hash', 'visitor_away_since']);
    await q.dropColumns('centers', ['live_handover', 'live_block_hours', 'live_waiting_per_address', 'quick_exit_url']);
  }
}
