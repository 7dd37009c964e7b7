import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

export class Rooms1764400000000 implements MigrationInterface {
  name = 'Rooms1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'rooms',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.enumOf('kind', ['direct', 'group', 'live', 'topic']),
          col.varchar('name', 120),
          col.uuid('created_by', true),
          col.date('starts_at', true),
          col.date('ends_at', true),
          col.date('closed_at', true),
          col.int('last_seq', 0),
          col.date('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_rooms_center', columnNames: ['center_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'room_members',
        columns: [
          { ...col.uuid('room_id'), isPrimary: true },
          { ...col.uuid('subject_id'), isPrimary: true },
          col.uuid('center_id'),
          col.enumOf('role', ['admin', 'counselor', 'client', 'visitor']),
          col.varchar('display_name', 120),
          col.int('last_read_seq', 0),
          col.bool('muted', false),
          col.date('removed_at', true),
          col.date('joined_at'),
        ],
        indices: [new TableIndex({ name: 'ix_room_members_subject', columnNames: ['subject_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'messages',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('room_id'),
          col.int('seq'),
          col.uuid('sender_id'),
          col.varchar('client_msg_id', 64),
          col.text('body'),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_messages_room_seq', columnNames: ['room_id', 'seq'], isUnique: true }),
          new TableIndex({ name: 'uq_messages_client_msg', columnNames: ['room_id', 'sender_id', 'client_msg_id'], isUnique: true }),
          new TableIndex({ name: 'ix_messages_sender', columnNames: ['center_id', 'sender_id'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('messages');
    await q.dropTable('room_members');
    await q.dropTable('rooms');
  }
}
