import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { Transactions } from '../../infra/database/transactions';
import { PasswordReset } from './password-reset.entity';

/** Outstanding reset links, scoped by center (the expiry sweep excepted); inside `Transactions.run` on its transaction. */
@Injectable()
export class PasswordResetsRepository {
  constructor(
    @InjectRepository(PasswordReset) private readonly repo: Repository<PasswordReset>,
    private readonly tx: Transactions,
  ) {}

  private get rows(): Repository<PasswordReset> {
    return this.tx.bind(this.repo);
  }

  async insert(reset: PasswordReset): Promise<void> {
    await this.rows.insert(reset);
  }

  /** A link that exists and has not expired, or null. */
  findLive(centerId: string, tokenHash: string, now: Date): Promise<PasswordReset | null> {
    return this.rows.findOneBy({ centerId, tokenHash, expiresAt: MoreThan(now) });
  }

  /** Uses the link up: true only for the one caller whose delete removed the live row (the store decides, not a prior read). */
  async consume(centerId: string, tokenHash: string, now: Date): Promise<boolean> {
    const result = await this.rows.delete({ centerId, tokenHash, expiresAt: MoreThan(now) });
    return result.affected === 1;
  }

  async deleteByAccount(centerId: string, accountId: string): Promise<void> {
    await this.rows.delete({ centerId, accountId });
  }

  /** Global sweep (every center). */
  async deleteExpired(now: Date): Promise<number> {
    const result = await this.rows.delete({ expiresAt: LessThan(now) });
    return result.affected ?? 0;
  }
}
