/* global fetch */
// What the profiling probes in this folder share: the process figures from /proc, spawning
// dist/main.js, dist/cli.js and the bare relay, free ports, a scratch MariaDB database, the REST and
// socket.io helpers and percentiles. Each probe keeps only what it measures. See README.md here.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';

/** The repository root (this file is load/probes/lib.mjs). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Clock ticks per second of utime/stime in /proc/<pid>/stat (getconf CLK_TCK). */
export const TICK = 100;

/** `--name value` from the command line, or the fallback. */
export const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 1 ? process.argv[i + 1] : fallback;
};
/** Runs a probe's main(): exit code 0 when it resolves; on an error prints it, runs cleanup, exit code 1. */
export function runMain(main, cleanup = () => {}) {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      cleanup();
      process.exit(1);
    },
  );
}
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
/** utime + stime of a process in ms. */
export const cpuMs = (pid) => (cpuTicks(pid) * 1000) / TICK;
/** VmRSS of a process in kB. */
export const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

/** The value at quantile p (0..1) of an ascending list. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

export const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/** fn over items, at most n at a time; the answers in the items' order. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/**
 * Spawns `node [...nodeArgs] script ...argv` with exactly `env` (pass `{ ...process.env, ... }` to
 * inherit). `ulimit` raises the open-file limit first (through sh). Answers { child, pid, out(),
 * exited, ready(re, ms) }: ready resolves once the output matches re, rejects if the process exits
 * or ms pass first.
 */
export function spawnNode(script, argv, env, { nodeArgs = [], cwd = ROOT, ulimit, name = script } = {}) {
  const child = ulimit
    ? spawn('sh', ['-c', `ulimit -n ${ulimit}; exec "${process.execPath}" ${[...nodeArgs, script, ...argv].map((a) => `'${a}'`).join(' ')}`], {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [...nodeArgs, script, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set();
  const on = (d) => {
    out += d;
    for (const l of listeners) l();
  };
  child.stdout.on('data', on);
  child.stderr.on('data', on);
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const ready = (re, ms = 60_000) =>
    new Promise((res, rej) => {
      const check = () => re.test(out) && (listeners.delete(check), res());
      listeners.add(check);
      check();
      void exited.then((code) => rej(new Error(`${name} exited ${code}: ${out.slice(-2000)}`)));
      setTimeout(() => rej(new Error(`${name} did not start: ${out.slice(-2000)}`)), ms).unref();
    });
  return { child, pid: child.pid, out: () => out, exited, ready };
}

/** Ends a spawned process: SIGTERM (SIGKILL after killAfterMs, if given), and waits for its exit. */
export async function stop(p, killAfterMs) {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const t = killAfterMs ? setTimeout(() => p.child.kill('SIGKILL'), killAfterMs) : undefined;
  await p.exited;
  clearTimeout(t);
}

/** The environment of a scratch Lotse node with its data in work/data; extra on top. */
export const lotseEnv = (work, extra = {}) => ({
  DATA_DIR: join(work, 'data'),
  MASTER_KEY: randomBytes(32).toString('base64'),
  RATE_LIMITS: 'off',
  DEMO: 'off',
  CLIENT: 'off',
  LOG_LEVEL: 'warn',
  ...extra,
});

/** Runs dist/cli.js of dist with argv; throws with its output if it fails. */
export async function cli(dist, argv, env, opts) {
  const p = spawnNode(join(dist, 'cli.js'), argv, env, opts);
  if ((await p.exited) !== 0) throw new Error(`cli ${argv.join(' ')} failed:\n${p.out()}`);
  return p.out();
}
/** Seeds a center (and its admin) through the CLI. */
export const createCenter = (dist, env, { slug, name, password }, opts) =>
  cli(dist, ['center:create', '--slug', slug, '--name', name, '--admin-email', 'admin@probe.example', '--admin-password', password], env, opts);

/** Starts dist/main.js on a free port; answers the spawned process with its port and base URL. */
export async function startLotse(dist, env, { port, ...opts } = {}) {
  port ??= await freePort();
  const base = `http://127.0.0.1:${port}`;
  const p = spawnNode(join(dist, 'main.js'), [], { ...env, PORT: String(port), PUBLIC_URL: base }, { name: 'lotse', ...opts });
  await p.ready(/Lotse listens on/).catch((e) => (p.child.kill('SIGKILL'), Promise.reject(e)));
  return { ...p, port, base };
}
/** Starts the bare relay (load/baseline/bare-server.mjs) on a free port. */
export async function startBare(env = { ...process.env }, opts = {}) {
  const port = await freePort();
  const p = spawnNode(join(ROOT, 'load/baseline/bare-server.mjs'), [String(port)], env, { name: 'bare', ...opts });
  await p.ready(/listens on port/).catch((e) => (p.child.kill('SIGKILL'), Promise.reject(e)));
  return { ...p, port, base: `http://127.0.0.1:${port}` };
}

/** A scratch MariaDB database (root@127.0.0.1:3306): the env that points Lotse at it (with Redis) and drop(). */
export async function tempMariaDb(prefix) {
  const { createConnection } = await import('mysql2/promise');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const c = await createConnection('mysql://root@127.0.0.1:3306');
  await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.end();
  return {
    env: { DATABASE_URL: `mysql://root@127.0.0.1:3306/${name}`, REDIS_URL: 'redis://127.0.0.1:6379' },
    drop: async () => {
      const d = await createConnection('mysql://root@127.0.0.1:3306');
      await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await d.end();
    },
  };
}

/** A JSON REST call; throws on a status other than 2xx. */
export async function api(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}

/** A socket.io connection over websocket, no reconnection; resolves once connected. */
export function connect(base, token, opts = {}) {
  return new Promise((resolve, reject) => {
    const s = io(base, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, ...opts });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}
