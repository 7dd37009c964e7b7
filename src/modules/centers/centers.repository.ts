import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { Center } from './center.entity';

/** Centers; inside `Transactions.run` (a center created with its first admin) on its transaction. */
@Injectable()
export class CentersRepository {
  constructor(
    @InjectRepository(Center) private readonly centers: Repository<Center>,
    private readonly tx: Transactions,
  ) {}

  private get repo(): Repository<Center> {
    return this.tx.bind(this.centers);
  }

  findBySlug(slug: string): Promise<Center | null> {
    return this.repo.findOneBy({ slug });
  }

  async findById(id: string): Promise<Center | null> {
    return isUuid(id) ? this.repo.findOneBy({ id }) : null;
  }

  /** Every center, by name (the public list of `GET /`; not scoped, it is the list of tenants). */
  listAll(): Promise<Pick<Center, 'slug' | 'name'>[]> {
    return this.repo.find({ select: { slug: true, name: true }, order: { name: 'ASC', slug: 'ASC' } });
  }

  /** Every center's id (the retention sweep goes through them; not scoped, it is the list of tenants). */
  async listIds(): Promise<string[]> {
    return (await this.repo.find({ select: { id: true }, order: { id: 'ASC' } })).map((c) => c.id);
  }

  async count(): Promise<number> {
    return this.repo.count();
  }

  async insert(center: Center): Promise<void> {
    await this.repo.insert(center);
  }

  /**
   * Inside `Transactions.run`: holds the center's row until the commit, so that steps which must see
   * each other (taking staff out) run one after another. MariaDB: `SELECT … FOR UPDATE`. SQLite has
   * no row locks (TypeORM refuses the lock there), and `Transactions` runs its transactions one at a
   * time already.
   */
  async lock(id: string): Promise<void> {
    if (!this.tx.active) throw new Error('CentersRepository.lock needs an open transaction');
    const query = this.repo.createQueryBuilder('center').select('center.id').where('center.id = :id', { id });
    if (this.tx.mysql) query.setLock('pessimistic_write');
    await query.getRawOne();
  }

  async update(id: string, patch: Partial<Center>): Promise<void> {
    await this.repo.update({ id }, patch);
  }
}
