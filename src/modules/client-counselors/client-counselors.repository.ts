import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { ClientCounselor } from './client-counselor.entity';

/** Client ↔ counselor rows, always scoped by center. */
@Injectable()
export class ClientCounselorsRepository {
  constructor(
    @InjectRepository(ClientCounselor) private readonly repoRaw: Repository<ClientCounselor>,
    private readonly tx: Transactions,
  ) {}

  private get repo(): Repository<ClientCounselor> {
    return this.tx.bind(this.repoRaw);
  }

  async findOfClient(centerId: string, clientId: string): Promise<ClientCounselor | null> {
    return isUuid(clientId) ? this.repo.findOneBy({ centerId, clientId }) : null;
  }

  async listOfCounselor(centerId: string, counselorId: string): Promise<ClientCounselor[]> {
    return isUuid(counselorId) ? this.repo.find({ where: { centerId, counselorId }, order: { assignedAt: 'ASC', id: 'ASC' } }) : [];
  }

  async countOfCounselor(centerId: string, counselorId: string): Promise<number> {
    return isUuid(counselorId) ? this.repo.countBy({ centerId, counselorId }) : 0;
  }

  /** Inserts the row unless the client has one already (the unique index decides); true when inserted. */
  async insertIfNone(row: ClientCounselor): Promise<boolean> {
    try {
      await this.repo.insert(row);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async setCounselor(centerId: string, clientId: string, counselorId: string, patch: Pick<ClientCounselor, 'reason' | 'assignedAt'>): Promise<boolean> {
    if (!isUuid(clientId)) return false;
    const res = await this.repo.update({ centerId, clientId }, { counselorId, ...patch });
    return (res.affected ?? 0) > 0;
  }

  /** Removes every row naming the account (as client or as counselor). */
  async deleteFor(centerId: string, accountId: string): Promise<void> {
    if (!isUuid(accountId)) return;
    await this.repo.delete({ centerId, clientId: accountId });
    await this.repo.delete({ centerId, counselorId: accountId });
  }
}
