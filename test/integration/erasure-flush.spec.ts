import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { ErasureService } from '../../src/infra/database/erasure.service';
import { Transactions } from '../../src/infra/database/transactions';
import { Room } from '../../src/modules/rooms/room.entity';
import { rowFactories } from '../factories';
import { openTestDatabase } from '../harness/database';

/**
 * SQLite only (jest.config.js runs it in the SQLite pass): the erasure's TRUNCATE checkpoint on the
 * app's one connection, with the app's real options (the checkpointer thread included). On MariaDB
 * `flushDeleted` does nothing; the destroyed keys are the guarantee there (docs/security.md).
 */
describe('the WAL flush after an erasure (SQLite)', () => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let tx: Transactions;
  let erasure: ErasureService;
  const rows = rowFactories(randomUUID());

  beforeAll(async () => {
    ({ ds, close } = await openTestDatabase());
    tx = new Transactions(ds);
    erasure = new ErasureService(ds, tx);
  });
  afterAll(async () => {
    await close();
  });

  const walBytes = (): number => statSync(`${(ds.options as { database: string }).database}-wal`).size;

  it('should wait for the transaction another operation holds open and then leave an empty -wal file', async () => {
    await ds.getRepository(Room).insert(rows.room());
    let release!: () => void;
    let opened!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    // an operation whose transaction stays open across turns (it awaits between its writes)
    const other = tx.run(async (em) => {
      await em.getRepository(Room).insert(rows.room());
      opened();
      await new Promise<void>((resolve) => (release = resolve));
      await em.getRepository(Room).insert(rows.room());
    });
    await isOpen;
    expect(walBytes()).toBeGreaterThan(0);
    let flushed = false;
    const flush = erasure.flushDeleted().then(() => (flushed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // inside the open transaction the checkpoint could not run: it waits for its end
    expect(flushed).toBe(false);
    release();
    await Promise.all([other, flush]);
    expect(walBytes()).toBe(0);
    expect(await ds.getRepository(Room).count()).toBe(3);
  });

  it('should leave an empty -wal file after writes while the checkpointer thread checkpoints every 250 ms', async () => {
    // many erasures against the thread's PASSIVE checkpoints: one that found the checkpoint lock
    // taken answered "busy" and left the pages in the -wal file (the CI's erasure scan saw it)
    let i = 0;
    for (const started = Date.now(); Date.now() - started < 2000; i++) {
      await ds.getRepository(Room).insert(Array.from({ length: 20 }, () => rows.room()));
      await erasure.flushDeleted();
      expect(walBytes()).toBe(0);
    }
    // the test of the test: it spanned several of the thread's checkpoints
    expect(i).toBeGreaterThan(50);
  });
});
