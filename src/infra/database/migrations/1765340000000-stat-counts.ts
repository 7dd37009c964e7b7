import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from '../migration-columns';

/** The statistics' per-day aggregates (issue 13): counts per center, local day, metric and bucket. */
export class StatCounts1765340000000 implements MigrationInterface {
  name = 'StatCounts1765340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'stat_counts',
        columns: [col.id(), col.uuid('center_id'), col.varchar('day', 10), col.varchar('metric', 32), col.int('bucket'), col.int('count')],
        indices: [new TableIndex({ name: 'uq_stat_counts_key', columnNames: ['center_id', 'day', 'metric', 'bucket'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('stat_counts');
  }
}
