import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

export class TopicChats1764600000000 implements MigrationInterface {
  name = 'TopicChats1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'topic_chats',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('host_id'),
          col.varchar('title', 120),
          col.text('description'),
          col.date('starts_at'),
          col.date('ends_at'),
          col.int('capacity'),
          col.int('participant_count', 0),
          col.enumOf('status', ['scheduled', 'open', 'ended', 'cancelled']),
          col.uuid('room_id', true),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_topic_chats_center', columnNames: ['center_id', 'starts_at'] }),
          new TableIndex({ name: 'ix_topic_chats_due', columnNames: ['status', 'ends_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'topic_participants',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('topic_chat_id'),
          col.uuid('subject_id'),
          col.enumOf('role', ['admin', 'counselor', 'client', 'visitor']),
          col.varchar('nickname', 40),
          col.varchar('nickname_key', 160),
          col.date('joined_at'),
          col.date('removed_at', true),
        ],
        indices: [
          new TableIndex({ name: 'uq_topic_participants_nick', columnNames: ['topic_chat_id', 'nickname_key'], isUnique: true }),
          new TableIndex({ name: 'uq_topic_participants_subject', columnNames: ['topic_chat_id', 'subject_id'], isUnique: true }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('topic_participants');
    await q.dropTable('topic_chats');
  }
}
