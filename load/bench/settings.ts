// What one bench run measures, read once from the environment and the command line (see docs/performance.md).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from '../../test/harness/spawn';
import { parseSteps } from './stats';

export { ROOT };
export const LOAD = join(ROOT, 'load');
export const OUT = join(ROOT, 'test-artifacts', 'bench');

/** One way of deploying Lotse, each against its own bare baseline. */
export type TargetName = 'sqlite' | 'mariadb' | 'two-nodes';
export const TARGETS: readonly TargetName[] = ['sqlite', 'mariadb', 'two-nodes'];

export interface Settings {
  quick: boolean;
  json: boolean;
  targets: TargetName[];
  /** Message rate steps (msg/s, rising); the run stops at the first failing one. */
  steps: number[];
  stepSeconds: number;
  /** After a step's last send: how long its answers may still come. */
  graceMs: number;
  /** Direct rooms of two: a counselor and a client each. */
  rooms: number;
  generators: number;
  /** Idle authenticated sockets for the memory figure. */
  idleSockets: number;
  /** Simultaneous queue.join. */
  queueJoins: number;
  /** GET /api/centers/:c/live request rate steps (req/s). */
  liveSteps: number[];
  /** Thread posts per second (one step). */
  postRate: number;
  httpSeconds: number;
  /** After the queue burst: how long the next phase waits for the visitors' chats to end (their 20 s grace, and a margin). */
  queueSettleMs: number;
  /** Document uploads of ~10 MB sent at the same time (0: no upload part). */
  uploadsInFlight: number;
  uploadRounds: number;
  /** How long each upload takes to send (paced, so that all are in flight together). */
  uploadSendMs: number;
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

function steps(env: Env, name: string, fallback: number[]): number[] {
  try {
    return parseSteps(env[name], fallback);
  } catch {
    throw new SettingsError(`${name} must be a comma-separated list of whole positive rates, like 250,500,1000`);
  }
}

export function readSettings(env: Env, argv: readonly string[] = []): Settings {
  const quick = env.BENCH_QUICK === '1';
  const rawTargets = (env.BENCH_TARGETS ?? '').trim();
  const targets = rawTargets === '' ? [...TARGETS] : rawTargets.split(',').map((t) => t.trim());
  for (const t of targets)
    if (!TARGETS.includes(t as TargetName)) throw new SettingsError(`BENCH_TARGETS: unknown target "${t}" (known: ${TARGETS.join(', ')})`);
  return {
    quick,
    json: argv.includes('--json'),
    targets: [...new Set(targets)] as TargetName[],
    steps: steps(env, 'BENCH_STEPS', quick ? [250, 1000] : [250, 500, 1000, 2000, 4000, 8000]),
    stepSeconds: whole(env, 'BENCH_STEP_SECONDS', quick ? 3 : 8, 1, 60),
    graceMs: 2000,
    rooms: whole(env, 'BENCH_ROOMS', quick ? 10 : 50, 2, 200),
    generators: whole(env, 'BENCH_GENERATORS', quick ? 2 : 3, 1, 16),
    idleSockets: whole(env, 'BENCH_IDLE_SOCKETS', quick ? 500 : 10_000, 0, 15_000),
    queueJoins: whole(env, 'BENCH_QUEUE_JOINS', quick ? 50 : 500, 0, 2000),
    liveSteps: steps(env, 'BENCH_LIVE_STEPS', quick ? [250] : [250, 500, 1000, 2000, 4000, 5000, 6000, 8000]),
    postRate: whole(env, 'BENCH_POST_RATE', quick ? 50 : 200, 1, 5000),
    httpSeconds: whole(env, 'BENCH_HTTP_SECONDS', quick ? 2 : 5, 1, 60),
    queueSettleMs: whole(env, 'BENCH_QUEUE_SETTLE_MS', 25_000, 0, 120_000),
    uploadsInFlight: whole(env, 'BENCH_UPLOADS', quick ? 4 : 8, 0, 16),
    uploadRounds: quick ? 1 : 2,
    uploadSendMs: whole(env, 'BENCH_UPLOAD_SEND_MS', 2000, 0, 60_000),
  };
}

/** The center every run seeds (in its own fresh database). */
export const CENTER = 'bench';
/** GET /metrics on the Lotse nodes of this run (the upload part reads the V8 heap and external memory from it). */
export const METRICS_TOKEN = randomBytes(16).toString('hex');
/** One password for every seeded account of this run. */
export const PASSWORD = `Bench-${randomBytes(12).toString('base64url')}`;

export function describeSettings(s: Settings, cores: number): string {
  return (
    `${s.quick ? 'quick, ' : ''}targets ${s.targets.join(', ')}; message steps ${s.steps.join(', ')} msg/s × ${s.stepSeconds} s (+${s.graceMs / 1000} s grace), ` +
    `${s.rooms} rooms of two, ${s.generators} generator processes; ${s.idleSockets} idle sockets; ${s.queueJoins} simultaneous queue joins; ` +
    `live status ${s.liveSteps.join(', ')} req/s; thread posts ${s.postRate}/s; ` +
    `${s.uploadsInFlight} uploads of 10 MB in flight; ${cores} cores, node ${process.version}`
  );
}
