import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { Absence } from './absence.entity';

/** Absences, always scoped by center. */
@Injectable()
export class AbsencesRepository {
  constructor(
    @InjectRepository(Absence) private readonly repoRaw: Repository<Absence>,
    private readonly tx: Transactions,
  ) {}

  private get repo(): Repository<Absence> {
    return this.tx.bind(this.repoRaw);
  }

  async findOf(centerId: string, counselorId: string): Promise<Absence | null> {
    return isUuid(counselorId) ? this.repo.findOneBy({ centerId, counselorId }) : null;
  }

  /** The absence of the counselor that runs at `at` (startsAt ≤ at < endsAt), or null. */
  async findActive(centerId: string, counselorId: string, at: Date): Promise<Absence | null> {
    if (!isUuid(counselorId)) return null;
    return this.repo.findOneBy({ centerId, counselorId, startsAt: LessThanOrEqual(at), endsAt: MoreThan(at) });
  }

  /** Absences of the center that have not ended at `at`, the soonest first. */
  listNotEnded(centerId: string, at: Date): Promise<Absence[]> {
    return this.repo.find({ where: { centerId, endsAt: MoreThan(at) }, order: { startsAt: 'ASC', id: 'ASC' } });
  }

  async insert(row: Absence): Promise<void> {
    await this.repo.insert(row);
  }

  async replace(centerId: string, counselorId: string, patch: Pick<Absence, 'startsAt' | 'endsAt' | 'textEnc'>): Promise<boolean> {
    const res = await this.repo.update({ centerId, counselorId }, patch);
    return (res.affected ?? 0) > 0;
  }

  /** True when a row was deleted. */
  async deleteOf(centerId: string, counselorId: string): Promise<boolean> {
    const res = await this.repo.delete({ centerId, counselorId });
    return (res.affected ?? 0) > 0;
  }

  /** Ended absences of a center (the retention sweep keeps nothing that has no use any more). */
  async deleteEnded(centerId: string, at: Date): Promise<number> {
    const res = await this.repo.delete({ centerId, endsAt: LessThanOrEqual(at) });
    return res.affected ?? 0;
  }
}
