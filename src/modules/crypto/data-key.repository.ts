import { Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Like, Not, Repository } from 'typeorm';
import { isMysql } from '../../infra/database/columns';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { DataKey } from './data-key.entity';

@Injectable()
export class DataKeyRepository {
  constructor(
    @InjectRepository(DataKey) private readonly repo: Repository<DataKey>,
    /** Absent in the CLI's key:rotate (it runs its own transaction). */
    @Optional() private readonly tx?: Transactions,
  ) {}

  /** Deletions join an open transaction (a room's or an account's erasure). */
  private get writer(): Repository<DataKey> {
    return this.tx ? this.tx.bind(this.repo) : this.repo;
  }

  findCurrent(centerId: string, scope: string): Promise<DataKey | null> {
    return this.repo.findOne({ where: { centerId, scope }, order: { version: 'DESC' } });
  }

  /** A key of the center by its id (the scope is checked by the caller). */
  findById(centerId: string, id: string): Promise<DataKey | null> {
    return this.repo.findOneBy({ centerId, id });
  }

  /** Inserts a key for a scope that cannot have one yet; false on a unique violation (it had one after all). */
  insertNew(key: DataKey): Promise<boolean> {
    return this.insertNewMany([key]);
  }

  /** Inserts the keys of scopes that cannot have one yet, in one statement; false on a unique violation (then none is stored). */
  async insertNewMany(keys: DataKey[]): Promise<boolean> {
    try {
      await this.repo.createQueryBuilder().insert().into(DataKey).values(keys).updateEntity(false).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async insertIfAbsent(key: DataKey): Promise<void> {
    // every column is set: no re-read of the defaults (the caller reads the current key again anyway)
    await this.repo.createQueryBuilder().insert().into(DataKey).values(key).orIgnore().updateEntity(false).execute();
  }

  async deleteScope(centerId: string, scope: string): Promise<void> {
    await this.writer.delete({ centerId, scope });
  }

  /** Deletes the keys whose scope matches a LIKE pattern; returns their scopes. */
  async deleteScopesLike(centerId: string, pattern: string): Promise<string[]> {
    const rows = await this.writer.find({ select: { id: true, scope: true }, where: { centerId, scope: Like(pattern) } });
    if (rows.length > 0) await this.writer.delete({ centerId, id: In(rows.map((r) => r.id)) });
    return [...new Set(rows.map((r) => r.scope))];
  }

  async deleteCenter(centerId: string): Promise<void> {
    await this.repo.delete({ centerId });
  }

  /** How many keys record a master key id other than this one (after a rotation: the stale ones). */
  countWrappedByOther(masterKeyId: string): Promise<number> {
    return this.repo.countBy({ masterKeyId: Not(masterKeyId) });
  }

  /** How many keys record a master key id other than these (null labels do not count, as in countWrappedByOther). */
  countWrappedByNone(masterKeyIds: string[]): Promise<number> {
    return this.repo.countBy({ masterKeyId: Not(In(masterKeyIds)) });
  }

  /** Whether any key is wrapped by this master key (during a rotation: key:rotate has begun). */
  async anyWrappedBy(masterKeyId: string): Promise<boolean> {
    return (await this.repo.findOne({ select: { id: true }, where: { masterKeyId } })) !== null;
  }

  /** Up to `limit` keys (by id, after `afterId`) that are not wrapped by `masterKeyId` (unlabelled ones included). */
  findNotWrappedBy(masterKeyId: string, afterId: string, limit: number): Promise<DataKey[]> {
    return this.repo
      .createQueryBuilder('k')
      .where('(k.master_key_id IS NULL OR k.master_key_id <> :mk)', { mk: masterKeyId })
      .andWhere('k.id > :after', { after: afterId })
      .orderBy('k.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Online re-wrap of a batch (key:rotate while nodes run): each row is replaced only if its wrap is
   * still the one that was read (one atomic row update: readers see the old or the new wrap, and
   * both open during the rotation). Returns how many rows changed.
   */
  async replaceWraps(rows: { row: DataKey; wrappedKey: string; masterKeyId: string }[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.repo.manager.transaction(async (em) => {
      let changed = 0;
      for (const { row, wrappedKey, masterKeyId } of rows) {
        const r = await em
          .createQueryBuilder()
          .update(DataKey)
          .set({ wrappedKey, masterKeyId })
          .where('id = :id AND wrapped_key = :old', { id: row.id, old: row.wrappedKey })
          .execute();
        changed += r.affected ?? 0;
      }
      return changed;
    });
  }

  countUnlabelled(): Promise<number> {
    return this.repo.countBy({ masterKeyId: IsNull() });
  }

  /** The distinct master key ids the stored keys record (null: wrapped before ids were kept). */
  async masterKeyIds(): Promise<(string | null)[]> {
    const rows = await this.repo.createQueryBuilder('k').select('DISTINCT k.master_key_id', 'id').getRawMany<{ id: string | null }>();
    return rows.map((r) => r.id);
  }

  /**
   * Re-wraps every key in one transaction (rows locked on MariaDB): `rewrap` gets each row and
   * returns its new wrapped form; one failure rolls everything back. Returns the number of keys.
   */
  async rewrapAll(rewrap: (key: DataKey) => { wrappedKey: string; masterKeyId: string }): Promise<number> {
    return this.repo.manager.transaction(async (em) => {
      const qb = em.getRepository(DataKey).createQueryBuilder('k').orderBy('k.id', 'ASC');
      if (isMysql(em.connection.options.type)) qb.setLock('pessimistic_write');
      const rows = await qb.getMany();
      for (const row of rows) {
        const next = rewrap(row);
        await em.getRepository(DataKey).update({ id: row.id }, next);
      }
      return rows.length;
    });
  }
}
