import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { CannedResponse } from './canned-response.entity';

/** Canned responses, always scoped by center and owner. */
@Injectable()
export class CannedResponsesRepository {
  constructor(
    @InjectRepository(CannedResponse) private readonly repoRaw: Repository<CannedResponse>,
    private readonly tx: Transactions,
  ) {}

  private get repo(): Repository<CannedResponse> {
    return this.tx.bind(this.repoRaw);
  }

  listOf(centerId: string, ownerId: string): Promise<CannedResponse[]> {
    return this.repo.find({ where: { centerId, ownerId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  countOf(centerId: string, ownerId: string): Promise<number> {
    return this.repo.countBy({ centerId, ownerId });
  }

  async find(centerId: string, ownerId: string, id: string): Promise<CannedResponse | null> {
    return isUuid(id) ? this.repo.findOneBy({ centerId, ownerId, id }) : null;
  }

  async insert(row: CannedResponse): Promise<void> {
    await this.repo.insert(row);
  }

  async update(centerId: string, ownerId: string, id: string, patch: Partial<Pick<CannedResponse, 'titleEnc' | 'bodyEnc' | 'updatedAt'>>): Promise<void> {
    await this.repo.update({ centerId, ownerId, id }, patch);
  }

  /** True when a row was deleted. */
  async delete(centerId: string, ownerId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const res = await this.repo.delete({ centerId, ownerId, id });
    return (res.affected ?? 0) > 0;
  }

  async deleteAllOf(centerId: string, ownerId: string): Promise<void> {
    await this.repo.delete({ centerId, ownerId });
  }
}
