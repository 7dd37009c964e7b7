import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Center } from './center.entity';

@Injectable()
export class CentersRepository {
  constructor(@InjectRepository(Center) private readonly repo: Repository<Center>) {}

  findBySlug(slug: string): Promise<Center | null> {
    return this.repo.findOneBy({ slug });
  }

  async findById(id: string): Promise<Center | null> {
    return isUuid(id) ? this.repo.findOneBy({ id }) : null;
  }

  async count(): Promise<number> {
    return this.repo.count();
  }

  async insert(center: Center): Promise<void> {
    await this.repo.insert(center);
  }

  async update(id: string, patch: Partial<Center>): Promise<void> {
    await this.repo.update({ id }, patch);
  }
}
