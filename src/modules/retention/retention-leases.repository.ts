import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, LessThanOrEqual, Repository } from 'typeorm';
import { readDbNow } from '../../infra/database/db-time';
import { RetentionLease } from './retention-lease.entity';

/** The retention sweep's per-center leases: a conditional update decides which node runs a center. */
@Injectable()
export class RetentionLeasesRepository {
  constructor(
    @InjectRepository(RetentionLease) private readonly repo: Repository<RetentionLease>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  dbNow(): Promise<Date> {
    return readDbNow(this.ds);
  }

  /**
   * Takes the center's lease until `until` when it has run out by `now`: true for exactly one of
   * several nodes trying at once (the row is created once, then only the update whose condition
   * still matches changes it).
   */
  async claim(centerId: string, now: Date, until: Date, holder: string): Promise<boolean> {
    await this.repo
      .createQueryBuilder()
      .insert()
      .into(RetentionLease)
      .values({ centerId, leaseUntil: new Date(0), holder: null, lastRunAt: null })
      .orIgnore()
      .execute();
    const res = await this.repo.update({ centerId, leaseUntil: LessThanOrEqual(now) }, { leaseUntil: until, holder });
    return (res.affected ?? 0) === 1;
  }

  async finish(centerId: string, holder: string, at: Date): Promise<void> {
    await this.repo.update({ centerId, holder }, { lastRunAt: at });
  }

  async lastRunAt(centerId: string): Promise<Date | null> {
    return (await this.repo.findOneBy({ centerId }))?.lastRunAt ?? null;
  }
}
