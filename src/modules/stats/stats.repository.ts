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
   * Adds `n` (default one) to the aggregate in one statement (the unique key decides between insert
   * and update), so two nodes counting at once never lose a count.
   */
  async increment(centerId: string, day: string, metric: string, bucket: number, n = 1): Promise<void> {
    const params = [this.ids.uuid(), centerId, day, metric, bucket, n, n];
    if (this.tx.mysql) {
      await this.repo.query(
        'INSERT INTO `stat_counts` (`id`, `center_id`, `day`, `metric`, `bucket`, `count`) VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE `count` = `count` + ?',
        params,
      );
    } else {
      await this.repo.query(
        'INSERT INTO "stat_counts" ("id", "center_id", "day", "metric", "bucket", "count") VALUES (?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT ("center_id", "day", "metric", "bucket") DO UPDATE SET "count" = "count" + ?',
        params,
      );
    }
  }

  /** The aggregates of the center's days from `from` to `to` (inclusive, `YYYY-MM-DD`). */
  async range(centerId: string, from: string, to: string): Promise<StatRow[]> {
    return this.repo.find({ where: { centerId, day: Between(from, to) }, select: { day: true, metric: true, bucket: true, count: true } });
  }
}
