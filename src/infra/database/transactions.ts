import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, ObjectLiteral, Repository } from 'typeorm';
import { isMysql } from './columns';

/**
 * One transaction for an operation that writes more than once. `run(work)` opens a transaction
 * (TypeORM's `DataSource.transaction`) and keeps its EntityManager for everything `work` awaits;
 * repositories write through `bind(repo)`, so every write of the operation commits or rolls back
 * together. A `run` inside a `run` joins the outer transaction.
 *
 * SQLite: TypeORM serves it through one connection, so two transactions opened at once would nest
 * into each other (savepoints); they run one after another here instead.
 */
@Injectable()
export class Transactions {
  private readonly current = new AsyncLocalStorage<EntityManager>();
  private sqliteTail: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  get mysql(): boolean {
    return isMysql(this.ds.options.type);
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const open = this.current.getStore();
    if (open) return work(open);
    const start = (): Promise<T> => this.ds.transaction((em) => this.current.run(em, () => work(em)));
    if (this.mysql) return start();
    const result = this.sqliteTail.then(start);
    this.sqliteTail = result.catch(() => undefined);
    return result;
  }

  /** The repository bound to the open transaction, or the repository itself outside of one. */
  bind<E extends ObjectLiteral>(repo: Repository<E>): Repository<E> {
    const em = this.current.getStore();
    return em ? em.getRepository<E>(repo.target) : repo;
  }

  /** True while the caller runs inside `run`. */
  get active(): boolean {
    return this.current.getStore() !== undefined;
  }
}
