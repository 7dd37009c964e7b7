import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, Repository } from 'typeorm';
import { IdGenerator } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { StatCount } from './stat-count.entity';
import type { StatRow } from './stats-report';

/** The statistics' aggregates, always scoped by center. */
@Injectable()
export class StatsRepository {
  constructor(
    @InjectRepository(StatCount) private readonly repoRaw: Repository<StatCount>,
    private readonly tx: Transactions,
    private readonly ids: IdGenerator,
  ) {}

  private get repo(): Repository<StatCount> {
    return this.tx.bind(this.repoRaw);
  }

  /**
   * Adds one to the aggregate in one statement (the unique key decides between insert and
   * update), so two nodes counting at once never lose a count.
   */
  async increment(centerId: string, day: string, metric: string, bucket: number): Promise<void> {
    const params = [this.ids.uuid(), centerId, day, metric, bucket];
    if (this.tx.mysql) {
      await this.repo.query(
        'INSERT INTO `stat_counts` (`id`, `center_id`, `day`, `metric`, `bucket`, `count`) VALUES (?, ?, ?, ?, ?, 1) ON DUPLICATE KEY UPDATE `count` = `count` + 1',
        params,
      );
    } else {
      await this.repo.query(
        'INSERT INTO "stat_counts" ("id", "center_id", "day", "metric", "bucket", "count") VALUES (?, ?, ?, ?, ?, 1) ' +
          'ON CONFLICT ("center_id", "day", "metric", "bucket") DO UPDATE SET "count" = "count" + 1',
        params,
      );
    }
  }

  /** The aggregates of the center's days from `from` to `to` (inclusive, `YYYY-MM-DD`). */
  async range(centerId: string, from: string, to: string): Promise<StatRow[]> {
    return this.repo.find({ where: { centerId, day: Between(from, to) }, select: { day: true, metric: true, bucket: true, count: true } });
  }
}
