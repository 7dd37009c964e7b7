import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/**
 * Video rooms on a self-hosted Jitsi (issue 13): the rooms (name and guest token encrypted with the
 * counselor's key, the token's SHA-256 for the lookup), the invited clients, the center's consent
 * texts by version and who confirmed which version when; notes gain `video_room_id`.
 */
export class VideoRooms1765320000000 implements MigrationInterface {
  name = 'VideoRooms1765320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'video_rooms',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('counselor_id'),
          col.text('name_enc'),
          col.varchar('jitsi_name', 32),
          col.varchar('invite_hash', 64, true),
          col.text('invite_enc', true),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_video_rooms_counselor', columnNames: ['center_id', 'counselor_id', 'created_at'] }),
          new TableIndex({ name: 'uq_video_rooms_jitsi_name', columnNames: ['jitsi_name'], isUnique: true }),
          new TableIndex({ name: 'uq_video_rooms_invite_hash', columnNames: ['invite_hash'], isUnique: true }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'video_room_clients',
        columns: [col.id(), col.uuid('center_id'), col.uuid('room_id'), col.uuid('client_id'), col.date('invited_at')],
        indices: [
          new TableIndex({ name: 'uq_video_room_clients_room_client', columnNames: ['room_id', 'client_id'], isUnique: true }),
          new TableIndex({ name: 'ix_video_room_clients_client', columnNames: ['center_id', 'client_id'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'video_consents',
        columns: [col.id(), col.uuid('center_id'), col.int('version'), col.text('text_enc'), col.date('created_at')],
        indices: [new TableIndex({ name: 'uq_video_consents_version', columnNames: ['center_id', 'version'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'video_consent_confirmations',
        columns: [col.id(), col.uuid('center_id'), col.int('version'), col.uuid('account_id', true), col.uuid('room_id', true), col.date('confirmed_at')],
        indices: [
          new TableIndex({ name: 'ix_video_consent_confirmations_account', columnNames: ['center_id', 'account_id', 'version'] }),
          new TableIndex({ name: 'ix_video_consent_confirmations_room', columnNames: ['center_id', 'room_id'] }),
        ],
      }),
    );
    await q.addColumn('notes', new TableColumn(col.uuid('video_room_id', true)));
    await q.createIndex(
      'notes',
      new TableIndex({ name: 'ix_notes_author_video_room', columnNames: ['center_id', 'author_id', 'video_room_id', 'created_at'] }),
    );
    await q.createIndex('notes', new TableIndex({ name: 'ix_notes_video_room', columnNames: ['center_id', 'video_room_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    // the notes about video rooms have no place without the column
    await q.query('DELETE FROM notes WHERE video_room_id IS NOT NULL');
    await q.dropIndex('notes', 'ix_notes_video_room');
    await q.dropIndex('notes', 'ix_notes_author_video_room');
    await q.dropColumn('notes', 'video_room_id');
    await q.dropTable('video_consent_confirmations');
    await q.dropTable('video_consents');
    await q.dropTable('video_room_clients');
    await q.dropTable('video_rooms');
  }
}
