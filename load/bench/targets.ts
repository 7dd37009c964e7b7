// What a run measures against: a target is one way of deploying Lotse, with the bare baseline that
// does the same relaying without Lotse's work. Today: one node on the embedded SQLite, or one node
// on MariaDB + Redis; a two-node target (and its two-relay baseline on the Redis adapter) fits the
// same shape (docs/benchmark.md).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createMariaDb, REDIS_URL } from '../../test/harness/env';
import { runCli, Server, startBaseline, startLotse } from './processes';
import type { Database } from './settings';

export type SystemName = 'lotse' | 'baseline';

/** What one scenario run is pointed at: Lotse or its baseline, one server or several. */
export interface System {
  name: SystemName;
  /** Where the load generator connects. */
  url: string;
  /** The processes whose CPU and memory count as the server's. */
  servers: Server[];
}

export interface Target {
  db: Database;
  /** For the summary: "SQLite (embedded, single node)". */
  description: string;
  /** The environment Lotse and its CLI run with (fresh data directory and database). */
  env: Record<string, string>;
  /** Lotse's CLI against this target's database. */
  cli: (args: string[]) => Promise<string>;
  /** Starts the baseline, then Lotse (call after the CLI seeding); Lotse first in the result. */
  start: () => Promise<System[]>;
  /** Removes the data directory and drops the database (the processes are stopped by stopAll()). */
  cleanup: () => Promise<void>;
}

const DESCRIPTIONS: Record<Database, string> = { sqlite: 'SQLite (embedded, single node)', mariadb: 'MariaDB + Redis' };

/** Lotse's environment for a bench: no rate limits, no demo, no web client, only warnings logged. */
function lotseEnv(work: string): Record<string, string> {
  return {
    DATA_DIR: join(work, 'data'),
    MASTER_KEY: randomBytes(32).toString('base64'),
    RATE_LIMITS: 'off',
    SOCKET_EVENT_LIMIT: '100000',
    MESSAGE_RATE_LIMIT: '100000',
    DEMO: 'off',
    CLIENT: 'off',
    LOG_LEVEL: 'warn',
  };
}

/** One Lotse node against one bare relay; on MariaDB a temporary database on 127.0.0.1:3306 and the Redis on 6379. */
export async function singleNodeTarget(db: Database, work: string): Promise<Target> {
  const env = lotseEnv(work);
  let drop = async (): Promise<void> => undefined;
  if (db === 'mariadb') {
    const database = await createMariaDb();
    drop = database.drop;
    Object.assign(env, { DATABASE_URL: database.url, REDIS_URL });
  }
  return {
    db,
    description: DESCRIPTIONS[db],
    env,
    cli: (args) => runCli(args, env),
    start: async () => {
      const baseline = await startBaseline();
      const lotse = await startLotse(env);
      return [
        { name: 'lotse', url: lotse.url, servers: [lotse] },
        { name: 'baseline', url: baseline.url, servers: [baseline] },
      ];
    },
    cleanup: async () => {
      rmSync(work, { recursive: true, force: true });
      await drop();
    },
  };
}
