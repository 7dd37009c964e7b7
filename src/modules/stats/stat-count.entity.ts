import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { UuidColumn } from '../../infra/database/columns';

/**
 * A per-day aggregate of the statistics: how often `metric` happened on the center's local `day`
 * (`bucket` −1), or how many durations fell into histogram bucket `bucket`. Counts only: nothing
 * here names a person, a room or a thread, so deleting people deletes nothing of it.
 */
@Entity('stat_counts')
@Index('uq_stat_counts_key', ['centerId', 'day', 'metric', 'bucket'], { unique: true })
export class StatCount {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @UuidColumn({ name: 'center_id' })
  centerId!: string;

  /** `YYYY-MM-DD` in the center's time zone. */
  @Column({ type: 'varchar', length: 10 })
  day!: string;

  @Column({ type: 'varchar', length: 32 })
  metric!: string;

  @Column({ type: 'integer' })
  bucket!: number;

  @Column({ type: 'integer' })
  count!: number;
}
