import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DataKey } from './data-key.entity';

@Injectable()
export class DataKeyRepository {
  constructor(@InjectRepository(DataKey) private readonly repo: Repository<DataKey>) {}

  findCurrent(centerId: string, scope: string): Promise<DataKey | null> {
    return this.repo.findOne({ where: { centerId, scope }, order: { version: 'DESC' } });
  }

  findById(centerId: string, scope: string, id: string): Promise<DataKey | null> {
    return this.repo.findOneBy({ centerId, scope, id });
  }

  async insertIfAbsent(key: DataKey): Promise<void> {
    await this.repo.createQueryBuilder().insert().into(DataKey).values(key).orIgnore().execute();
  }

  async deleteScope(centerId: string, scope: string): Promise<void> {
    await this.repo.delete({ centerId, scope });
  }

  async deleteCenter(centerId: string): Promise<void> {
    await this.repo.delete({ centerId });
  }
}
