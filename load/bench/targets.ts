// What a run measures against: a target is one way of deploying Lotse with the bare baseline that
// does the same relaying without Lotse's work — one node on SQLite, one node on MariaDB + Redis, or
// two nodes on MariaDB + Redis against two bare relays on the Redis adapter.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createMariaDb, REDIS_URL } from '../../test/harness/env';
import { pidsByName } from './sampler';
import { runCli, Server, startBaseline, startLotse } from './processes';
import { METRICS_TOKEN, type TargetName } from './settings';

export type SystemName = 'lotse' | 'baseline';

/** Lotse or its baseline: one or two nodes, and the process groups whose CPU counts. */
export interface System {
  name: SystemName;
  /** The nodes' origins: counselors connect to the first, clients to the last. */
  urls: string[];
  servers: Server[];
  /** Process groups measured per step: `server` (the nodes, summed) and, on MariaDB, `mariadbd` and `redis`. */
  groups: Record<string, number[]>;
}

export interface Target {
  name: TargetName;
  description: string;
  /** Lotse's CLI against this target's database. */
  cli: (args: string[]) => Promise<string>;
  /** Starts the baseline and Lotse (call after the CLI seeding). */
  start: () => Promise<{ lotse: System; baseline: System }>;
  /** Removes the data directories and drops the database (the processes are stopped by stopAll()). */
  cleanup: () => Promise<void>;
}

const DESCRIPTIONS: Record<TargetName, string> = {
  sqlite: 'one node, SQLite (embedded)',
  mariadb: 'one node, MariaDB + Redis',
  'two-nodes': 'two nodes, MariaDB + Redis (counselors on one, clients on the other)',
};

/** Lotse's environment for a bench: no rate limits, no mail, no demo, no web client, only warnings logged. */
function lotseEnv(dataDir: string, masterKey: string): Record<string, string> {
  mkdirSync(dataDir, { recursive: true });
  return {
    DATA_DIR: dataDir,
    MASTER_KEY: masterKey,
    RATE_LIMITS: 'off',
    SOCKET_EVENT_LIMIT: '100000',
    MESSAGE_RATE_LIMIT: '100000',
    DEMO: 'off',
    CLIENT: 'off',
    MAIL: 'off',
    LOG_LEVEL: 'warn',
    METRICS_TOKEN,
    // e.g. BENCH_SERVER_DEBUG=socket.io:client,engine:socket: the `debug` output of the libraries in the server's log
    ...(process.env.BENCH_SERVER_DEBUG ? { DEBUG: process.env.BENCH_SERVER_DEBUG } : {}),
  };
}

export async function openTarget(name: TargetName, work: string): Promise<Target> {
  const masterKey = randomBytes(32).toString('base64');
  const nodes = name === 'two-nodes' ? 2 : 1;
  const shared: Record<string, string> = {};
  let drop = async (): Promise<void> => undefined;
  if (name !== 'sqlite') {
    const database = await createMariaDb();
    drop = database.drop;
    Object.assign(shared, { DATABASE_URL: database.url, REDIS_URL });
  }
  const env = (i: number) => ({ ...lotseEnv(join(work, `${name}-data-${i}`), masterKey), ...shared });
  const backing: Record<string, number[]> = name === 'sqlite' ? {} : { mariadbd: pidsByName(['mariadbd', 'mysqld']), redis: pidsByName(['redis-server']) };
  return {
    name,
    description: DESCRIPTIONS[name],
    cli: (args) => runCli(args, env(0)),
    start: async () => {
      const key = `bench-bare-${randomBytes(4).toString('hex')}`;
      const bare = await Promise.all(
        Array.from({ length: nodes }, (_, i) => startBaseline(`${name}-baseline-${i + 1}`, nodes > 1 ? { url: REDIS_URL, key } : undefined)),
      );
      const lotse: Server[] = [];
      for (let i = 0; i < nodes; i++) lotse.push(await startLotse(env(i), `${name}-lotse-${i + 1}`));
      const system = (sys: SystemName, servers: Server[], groups: Record<string, number[]>): System => ({
        name: sys,
        urls: servers.map((s) => s.url),
        servers,
        groups: { server: servers.map((s) => s.pid), ...groups },
      });
      return {
        lotse: system('lotse', lotse, backing),
        baseline: system('baseline', bare, nodes > 1 ? { redis: backing.redis ?? [] } : {}),
      };
    },
    cleanup: async () => {
      rmSync(work, { recursive: true, force: true });
      await drop();
    },
  };
}
