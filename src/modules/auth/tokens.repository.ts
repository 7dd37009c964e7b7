import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Transactions } from '../../infra/database/transactions';
import { AuthToken } from './auth-token.entity';

@Injectable()
export class TokensRepository {
  constructor(
    @InjectRepository(AuthToken) private readonly tokens: Repository<AuthToken>,
    private readonly tx: Transactions,
  ) {}

  /** Inside `Transactions.run` (an account's deletion) the open transaction's repository. */
  private get repo(): Repository<AuthToken> {
    return this.tx.bind(this.tokens);
  }

  findByHash(tokenHash: string): Promise<AuthToken | null> {
    return this.repo.findOneBy({ tokenHash });
  }

  async insert(token: AuthToken): Promise<void> {
    await this.repo.insert(token);
  }

  async delete(tokenHash: string): Promise<void> {
    await this.repo.delete({ tokenHash });
  }

  /** The hashes removed, so every node can drop them from its cache and close their sockets. */
  async deleteBySubject(centerId: string, subjectId: string, exceptHash?: string): Promise<string[]> {
    const rows = await this.repo.findBy({ centerId, subjectId });
    const hashes = rows.map((r) => r.tokenHash).filter((h) => h !== exceptHash);
    if (hashes.length > 0) await this.repo.delete(hashes.map((tokenHash) => ({ tokenHash })));
    return hashes;
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.repo.delete({ expiresAt: LessThan(now) });
    return result.affected ?? 0;
  }
}
