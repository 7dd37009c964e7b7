import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies the WAL into the database file. */
export const CHECKPOINT_INTERVAL_MS = 250;
/** SQLite's own default, back in force on the app's connection if the checkpointer thread fails. */
const AUTO_CHECKPOINT_PAGES = 1000;

interface SqliteDb {
  readonly name: string;
  pragma(s: string): unknown;
  close(): unknown;
}

// The worker's code: its own connection to the same file, a PASSIVE checkpoint every interval (it
// never blocks the app's writer nor waits for a lock), closed when told or when the app goes.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
let timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ failed: String(err && err.message) }); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); try { db.pragma('wal_checkpoint(PASSIVE)'); db.close(); } catch {} process.exit(0); });
`;

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses 1,000 WAL pages: better-sqlite3 is synchronous, so that commit held the event loop while
 * it wrote the pages into the database file and fsynced it (one every ~100 group commits at 1,000
 * msg/s; runs of 40–100 ms in the profile, and 2/3 of the wall time of an append on this machine).
 * Here the app's connection checkpoints no more by itself (`wal_autocheckpoint = 0`) and a worker
 * thread with a connection of its own runs a PASSIVE checkpoint every 250 ms. Durability is SQLite's
 * as before (WAL, synchronous = NORMAL); only the thread that copies the pages changed. If the
 * worker cannot run, the automatic checkpoint is switched back on. Erasures still run their
 * TRUNCATE checkpoint on the app's connection (ErasureService).
 */
export function checkpointOffTheLoop(db: SqliteDb): void {
  if (!db.name || db.name === ':memory:') return;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: db.name, driver: require.resolve('better-sqlite3'), intervalMs: CHECKPOINT_INTERVAL_MS },
    });
  } catch {
    return;
  }
  db.pragma('wal_autocheckpoint = 0');
  let stopped = false;
  const fallBack = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    } catch {
      // the connection is closed already
    }
  };
  worker.unref();
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  worker.on('message', (m: { failed?: string }) => {
    if (m.failed) {
      // one failed checkpoint (an I/O error): SQLite's own checkpointing takes over again
      fallBack();
      void worker.terminate();
    }
  });
  const close = db.close.bind(db);
  db.close = () => {
    stopped = true;
    worker.postMessage('stop');
    return close();
  };
}
