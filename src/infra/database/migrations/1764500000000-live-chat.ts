import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

export class LiveChat1764500000000 implements MigrationInterface {
  name = 'LiveChat1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'shifts',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('counselor_id'),
          col.int('max_chats'),
          col.uuid('open_key', true),
          col.date('opened_at'),
          col.date('closed_at', true),
          col.date('grace_until', true),
          col.varchar('close_reason', 16, true),
        ],
        indices: [
          new TableIndex({ name: 'ix_shifts_center', columnNames: ['center_id'] }),
          new TableIndex({ name: 'uq_shifts_open_key', columnNames: ['open_key'], isUnique: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'live_chats',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('room_id'),
          col.uuid('counselor_id'),
          col.uuid('visitor_id'),
          col.date('assigned_at'),
          col.date('ended_at', true),
          col.varchar('end_reason', 16, true),
        ],
        indices: [
          new TableIndex({ name: 'uq_live_chats_room', columnNames: ['room_id'], isUnique: true }),
          new TableIndex({ name: 'ix_live_chats_visitor', columnNames: ['center_id', 'visitor_id'] }),
          new TableIndex({ name: 'ix_live_chats_counselor', columnNames: ['center_id', 'counselor_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'visitor_blocks',
        columns: [col.id(), col.uuid('center_id'), col.uuid('visitor_id'), col.uuid('blocked_by'), col.date('created_at')],
        indices: [new TableIndex({ name: 'uq_visitor_blocks_visitor', columnNames: ['center_id', 'visitor_id'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('visitor_blocks');
    await q.dropTable('live_chats');
    await q.dropTable('shifts');
  }
}
