import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, ObjectLiteral, Repository } from 'typeorm';
import { Gate } from '../../common/gate';
import { isMysql } from './columns';
import { MYSQL_POOL_SIZE } from './data-source-options';

type AfterCommit = () => void | Promise<void>;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
interface OpenTransaction {
  em: EntityManager;
  after: AfterCommit[];
}

/**
 * One transaction for an operation that writes more than once. `run(work)` opens a transaction
 * (TypeORM's `DataSource.transaction`) and keeps its EntityManager for everything `work` awaits;
 * repositories write through `bind(repo)`, so every write of the operation commits or rolls back
 * together. A `run` inside a `run` joins the outer transaction. What must not happen before the
 * data is committed (pushes, other nodes' caches, mail files, Redis, the WAL flush) goes through
 * `afterCommit`: it runs once the outermost transaction committed, and not at all on a rollback.
 *
 * SQLite: TypeORM serves it through one connection, so two transactions opened at once would nest
 * into each other (savepoints); they run one after another here instead.
 *
 * MariaDB: at most half the pool holds a transaction at a time; the others wait here, in order. A
 * query inside a transaction through an unbound repository (a key lookup, a count) takes a second
 * connection from the pool: with every connection held by a transaction that waits for one more,
 * nothing was ever answered again (100 live-chat assignments at once did it). The other half stays
 * for such queries and for everything outside a transaction.
 */
@Injectable()
export class Transactions {
  private readonly current = new AsyncLocalStorage<OpenTransaction>();
  private sqliteTail: Promise<unknown> = Promise.resolve();
  private readonly mysqlGate = new Gate(Math.floor(MYSQL_POOL_SIZE / 2));

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  get mysql(): boolean {
    return isMysql(this.ds.options.type);
  }

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const open = this.current.getStore();
    if (open) return work(open.em);
    const after: AfterCommit[] = [];
    const start = (): Promise<T> => this.ds.transaction((em) => this.current.run({ em, after }, () => work(em)));
    let result: T;
    if (this.mysql) {
      result = await this.mysqlGate.run(start);
    } else {
      // better-sqlite3 answers synchronously, so a queue of transactions would run back to back in
      // microtasks and starve the event loop: no request, handshake or timer was served while 500
      // live chats ended at once (for longer than clients wait). Each one starts in a turn of its own.
      result = await this.enqueue(start);
    }
    // outside the SQLite queue: a callback may open a transaction of its own
    for (const fn of after) await fn();
    return result;
  }

  /**
   * SQLite: runs `fn` in the transactions' queue, between two of them and never inside one (a WAL
   * checkpoint on the one connection fails while another operation's transaction is open there).
   * MariaDB, or called inside a transaction: at once.
   */
  async between<T>(fn: () => Promise<T>): Promise<T> {
    if (this.mysql || this.current.getStore()) return fn();
    return this.enqueue(fn);
  }

  /** SQLite's queue on its one connection: `fn` starts after everything queued before it, in a turn of its own. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const queued = this.sqliteTail.then(nextTurn).then(fn);
    this.sqliteTail = queued.catch(() => undefined);
    return queued;
  }

  /** Runs `fn` once the open transaction committed (dropped if it rolls back); outside of one, at once. */
  async afterCommit(fn: AfterCommit): Promise<void> {
    const open = this.current.getStore();
    if (open) open.after.push(fn);
    else await fn();
  }

  /** The repository bound to the open transaction, or the repository itself outside of one. */
  bind<E extends ObjectLiteral>(repo: Repository<E>): Repository<E> {
    const em = this.current.getStore()?.em;
    return em ? em.getRepository<E>(repo.target) : repo;
  }

  /**
   * An object that stands for the open (outermost) transaction, the same for everything it awaits,
   * or undefined outside of one: for what may be known within a transaction before it commits (a
   * data key it made, CryptoService).
   */
  get scope(): object | undefined {
    return this.current.getStore();
  }

  /** True while the caller runs inside `run`. */
  get active(): boolean {
    return this.current.getStore() !== undefined;
  }
}
