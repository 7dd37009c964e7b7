// What one bench run measures, read once from the environment (see docs/benchmark.md).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from '../../test/harness/spawn';

export { ROOT };
export const LOAD = join(ROOT, 'load');
export const OUT = join(ROOT, 'test-artifacts', 'bench');
export const ARTILLERY = join(LOAD, 'node_modules', 'artillery', 'bin', 'run');

/** The database behind the Lotse node: the embedded default or MariaDB + Redis. */
export type Database = 'sqlite' | 'mariadb';

export interface Settings {
  quick: boolean;
  db: Database;
  /** Each phase, ≤ 30 s. */
  seconds: number;
  /** Direct rooms: a counselor and a client each. */
  pairs: number;
  /** Per member. */
  sendIntervalMs: number;
  /** Homepage visitors per second, 10 GETs each. */
  liveRate: number;
  /** Visitors per second joining the queue. */
  queueRate: number;
}

/** A setting the operator got wrong: the bench stops with this message before it starts anything. */
export class SettingsError extends Error {}

type Env = Record<string, string | undefined>;

function whole(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new SettingsError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

export function readSettings(env: Env): Settings {
  const quick = env.BENCH_QUICK === '1';
  const db = env.BENCH_DB ?? 'sqlite';
  if (db !== 'sqlite' && db !== 'mariadb') throw new SettingsError(`BENCH_DB must be sqlite or mariadb, not "${db}"`);
  return {
    quick,
    db,
    seconds: whole(env, 'BENCH_SECONDS', quick ? 5 : 20, 1, 30),
    pairs: whole(env, 'BENCH_PAIRS', quick ? 3 : 10, 2, 50),
    sendIntervalMs: whole(env, 'BENCH_SEND_INTERVAL_MS', 100, 10, 10_000),
    liveRate: whole(env, 'BENCH_LIVE_RATE', quick ? 20 : 50, 1, 500),
    queueRate: whole(env, 'BENCH_QUEUE_RATE', quick ? 3 : 5, 1, 50),
  };
}

/** The center every run seeds (in its own fresh database). */
export const CENTER = 'bench';
/** One password for every seeded account of this run. */
export const PASSWORD = `Bench-${randomBytes(12).toString('base64url')}`;

/** Artillery is killed (and the scenario fails) after this. */
export const runLimitMs = (s: Settings): number => (s.seconds + 90) * 1000;

export function describeSettings(s: Settings, cores: number): string {
  return (
    `${s.quick ? 'quick, ' : ''}${s.db}, ${s.seconds} s phases, ${s.pairs} direct rooms (${s.pairs * 2} members, one message every ` +
    `${s.sendIntervalMs} ms each), ${s.liveRate} homepage visitors/s × 10 GETs, ${s.queueRate} queue visitors/s; ${cores} cores, node ${process.version}`
  );
}
