import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/** Appointments (issue 13): counselors' slots and the appointments booked in them. Ids and times only. */
export class Appointments1765310000000 implements MigrationInterface {
  name = 'Appointments1765310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'slots',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('counselor_id'),
          col.date('starts_at'),
          col.date('ends_at'),
          col.json('forms'),
          col.uuid('series_id', true),
          col.varchar('status', 16),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_slots_counselor_starts', columnNames: ['center_id', 'counselor_id', 'starts_at'] }),
          new TableIndex({ name: 'ix_slots_center_status_starts', columnNames: ['center_id', 'status', 'starts_at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'appointments',
        columns: [
          col.id(),
          col.uuid('center_id'),
          col.uuid('slot_id'),
          col.uuid('counselor_id'),
          col.uuid('client_id'),
          col.varchar('form', 16),
          col.date('starts_at'),
          col.date('ends_at'),
          col.varchar('status', 16),
          col.varchar('cancelled_by', 16, true),
          col.uuid('video_room_id', true),
          col.date('created_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_appointments_client', columnNames: ['center_id', 'client_id', 'starts_at'] }),
          new TableIndex({ name: 'ix_appointments_counselor', columnNames: ['center_id', 'counselor_id', 'starts_at'] }),
          new TableIndex({ name: 'ix_appointments_slot', columnNames: ['center_id', 'slot_id'] }),
          new TableIndex({ name: 'ix_appointments_center_ends', columnNames: ['center_id', 'ends_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('appointments');
    await q.dropTable('slots');
  }
}
