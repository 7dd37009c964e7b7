/* global setInterval, clearInterval, fetch */
// `npm run bench`: artillery scenarios against a Lotse node and a bare socket.io baseline in the
// same run, with server memory and CPU sampled, and a comparison table printed and written to
// test-artifacts/bench/. See docs/benchmark.md.
//
// Environment: BENCH_QUICK=1 (5 s phases, fewer members; a smoke run), BENCH_DB=sqlite|mariadb
// (mariadb: a temporary database on 127.0.0.1:3306 as root plus Redis on 127.0.0.1:6379),
// BENCH_PAIRS, BENCH_SECONDS, BENCH_SEND_INTERVAL_MS, BENCH_LIVE_RATE, BENCH_QUEUE_RATE.
// Every target is on 127.0.0.1; every run is bounded in count and time.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOAD = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(LOAD, '..');
const OUT = join(ROOT, 'test-artifacts', 'bench');
const ARTILLERY = join(LOAD, 'node_modules', 'artillery', 'bin', 'run');
const rootRequire = createRequire(join(ROOT, 'package.json'));

const QUICK = process.env.BENCH_QUICK === '1';
const DB = process.env.BENCH_DB ?? 'sqlite';
if (DB !== 'sqlite' && DB !== 'mariadb') fail(`BENCH_DB must be sqlite or mariadb, not "${DB}"`);
const num = (name, fallback, min, max) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};
const S = {
  seconds: num('BENCH_SECONDS', QUICK ? 5 : 20, 1, 30), // each phase ≤ 30 s
  pairs: num('BENCH_PAIRS', QUICK ? 3 : 10, 2, 50), // direct rooms: a counselor and a client each
  sendIntervalMs: num('BENCH_SEND_INTERVAL_MS', 100, 10, 10_000), // per member
  liveRate: num('BENCH_LIVE_RATE', QUICK ? 20 : 50, 1, 500), // homepage visitors per second, 10 GETs each
  queueRate: num('BENCH_QUEUE_RATE', QUICK ? 3 : 5, 1, 50), // visitors per second joining the queue
};
const CENTER = 'bench';
/** What the scenarios ask for per second: messages, GETs, queue.join + queue.leave. */
const OFFERED = { messages: (S.pairs * 2 * 1000) / S.sendIntervalMs, 'live-status': S.liveRate * 10, queue: S.queueRate * 2 };
const PASSWORD = `Bench-${randomBytes(12).toString('base64url')}`;
const RUN_LIMIT_MS = (S.seconds + 90) * 1000; // artillery is killed (and the scenario fails) after this

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}
const log = (line) => process.stdout.write(`${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- processes ------------------------------------------------------------------------------------

const children = new Set();

/** Spawns `node …args`; resolves once `ready` appears in its output. */
async function startNode(name, args, env, ready, logFile) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const onData = (d) => {
    output += d.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.once('exit', () => {
    children.delete(child);
    if (logFile) writeFileSync(logFile, output);
  });
  const deadline = Date.now() + 60_000;
  while (!ready.test(output)) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${name} did not start within 60 s:\n${output.slice(-2000)}`);
    await sleep(100);
  }
  return { child, pid: child.pid, output: () => output };
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `node …args` to completion; returns its output or throws with it. */
function runNode(args, env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d.toString()));
    child.stderr.on('data', (d) => (output += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolvePromise(output) : reject(new Error(`node ${args.join(' ')} failed (${code}):\n${output}`))));
  });
}

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePromise(port));
    });
  });
}

async function pool(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

// ---- sampling -------------------------------------------------------------------------------------

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

function cpuTicks(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function rssMb(pid) {
  try {
    return (
      Number(
        execFileSync('ps', ['-o', 'rss=', '-p', String(pid)])
          .toString()
          .trim(),
      ) / 1024
    );
  } catch {
    return null;
  }
}

/**
 * Samples RSS (ps) and CPU ticks (/proc) of the given pids every second. `stop(window)` returns per
 * pid the peak RSS, the CPU seconds over the whole run and the mean CPU % inside `window` (ms
 * since the start: from artillery's first phase to its last virtual user), when the load is on.
 */
function startSampler(pids) {
  const started = Date.now();
  const samples = [];
  const take = () => {
    const s = { t: Date.now() - started, rssMb: {}, ticks: {} };
    for (const [k, pid] of Object.entries(pids)) {
      s.rssMb[k] = rssMb(pid);
      s.ticks[k] = cpuTicks(pid);
    }
    samples.push(s);
  };
  take();
  const timer = setInterval(take, 1000);
  return {
    elapsed: () => Date.now() - started,
    stop: (window) => {
      clearInterval(timer);
      take();
      const result = { samples };
      for (const k of Object.keys(pids)) {
        const alive = samples.filter((s) => s.ticks[k] !== null);
        const rss = samples.map((s) => s.rssMb[k]).filter((v) => typeof v === 'number');
        const inWindow = window ? alive.filter((s) => s.t >= window.start && s.t <= window.end) : [];
        const first = inWindow[0];
        const last = inWindow.at(-1);
        result[k] = {
          peakRssMb: rss.length ? Math.max(...rss) : null,
          cpuSeconds: alive.length >= 2 ? (alive.at(-1).ticks[k] - alive[0].ticks[k]) / CLK_TCK : null,
          // 100 % = one core busy.
          activeCpuPercent: first && last && last.t > first.t ? ((last.ticks[k] - first.ticks[k]) / CLK_TCK / ((last.t - first.t) / 1000)) * 100 : null,
        };
      }
      return result;
    },
  };
}

// ---- Lotse setup ----------------------------------------------------------------------------------

async function api(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

function connectSocket(base, token) {
  const { io } = rootRequire('socket.io-client');
  return new Promise((resolvePromise, reject) => {
    const socket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false });
    socket.once('connect', () => resolvePromise(socket));
    socket.once('connect_error', (err) => reject(new Error(`socket connect failed: ${err.message}`)));
  });
}

async function command(socket, event, payload) {
  const answer = await socket.timeout(10_000).emitWithAck(event, payload);
  if (!answer.ok) throw new Error(`${event} failed: ${answer.error.code} ${answer.error.message}`);
  return answer.data;
}

/** Counselors (CLI), clients (REST register), direct rooms (room.create), visitor tokens (REST). */
async function seedAccounts(env) {
  const cli = join(ROOT, 'dist', 'cli.js');
  await runNode([cli, 'center:create', '--slug', CENTER, '--name', 'Lotse Bench', '--admin-email', 'admin@bench.example', '--admin-password', PASSWORD], env);
  const counselors = Array.from({ length: S.pairs }, (_, i) => `counselor${i + 1}@bench.example`);
  await pool(counselors, 2, (email, i) =>
    runNode([cli, 'staff:create', '--center', CENTER, '--email', email, '--name', `Counselor ${i + 1}`, '--role', 'counselor', '--password', PASSWORD], env),
  );
  return counselors;
}

async function prepareLotse(base, counselorEmails, visitorCount) {
  const counselors = await pool(counselorEmails, 2, (login) => api(base, 'POST', '/api/auth/login', { center: CENTER, login, password: PASSWORD }));
  const clients = await pool(counselorEmails, 2, (_e, i) =>
    api(base, 'POST', '/api/auth/register', { center: CENTER, username: `bench-client-${i + 1}`, password: PASSWORD }),
  );
  const rooms = [];
  for (const [i, counselor] of counselors.entries()) {
    const socket = await connectSocket(base, counselor.token);
    const { roomId } = await command(socket, 'room.create', { name: `Bench ${i + 1}`, memberIds: [clients[i].account.id] });
    socket.disconnect();
    rooms.push({ roomId, members: [counselor.token, clients[i].token] });
  }
  const visitors = await pool(Array.from({ length: visitorCount }), 4, () => api(base, 'POST', `/api/centers/${CENTER}/visitors`, {}));
  return { counselors, rooms, visitorTokens: visitors.map((v) => v.token) };
}

// ---- artillery ------------------------------------------------------------------------------------

function writeCsv(file, header, rows) {
  writeFileSync(file, [header, ...rows.map((r) => r.join(','))].join('\n') + '\n', { mode: 0o600 });
}

function runArtillery(scenario, target, overrides, reportFile, logFile, pidsToSample) {
  return new Promise((resolvePromise) => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      // artillery 2.0.21 sends an anonymous telemetry event even when this is set: the preload
      // stubs that client and refuses any connection that is not to the loopback interface.
      ARTILLERY_DISABLE_TELEMETRY: 'true',
      NODE_OPTIONS: `--require ${join(LOAD, 'loopback-only.cjs')}`,
      BENCH_SEND_SECONDS: String(S.seconds),
      BENCH_SEND_INTERVAL_MS: String(S.sendIntervalMs),
    };
    const args = [
      ARTILLERY,
      'run',
      '--target',
      target,
      '--overrides',
      JSON.stringify(overrides),
      '--output',
      reportFile,
      join(LOAD, 'scenarios', `${scenario}.yml`),
    ];
    const child = spawn(process.execPath, args, { cwd: LOAD, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const sampler = startSampler({ ...pidsToSample, artillery: child.pid });
    let output = '';
    const window = { start: null, end: null };
    child.stdout.on('data', (d) => {
      output += d.toString();
      if (window.start === null && /Phase started/.test(output)) window.start = sampler.elapsed();
      if (window.end === null && /All VUs finished/.test(output)) window.end = sampler.elapsed();
    });
    child.stderr.on('data', (d) => (output += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_LIMIT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const sampled = sampler.stop(window.start !== null ? { start: window.start, end: window.end ?? sampler.elapsed() } : null);
      writeFileSync(logFile, output);
      resolvePromise({ code, timedOut, sampled });
    });
  });
}

const windowSeconds = (agg) => Math.max(0.001, ((agg.lastCounterAt ?? 0) - (agg.firstCounterAt ?? 0)) / 1000);
const sumPrefix = (counters, prefix) =>
  Object.entries(counters)
    .filter(([k]) => k.startsWith(prefix))
    .reduce((a, [, v]) => a + v, 0);

/** Reads artillery's JSON report into one row of the table. */
function summarize(scenario, report) {
  const agg = report.aggregate;
  const c = agg.counters ?? {};
  const errorsCounted = sumPrefix(c, 'errors.');
  const errorKinds = Object.fromEntries(
    Object.entries(c).filter(([k]) => k.startsWith('errors.') || k.startsWith('lotse.message_error.') || k.startsWith('http.codes.')),
  );
  const seconds = windowSeconds(agg);
  if (scenario === 'messages') {
    const ok = c['lotse.messages_acked'] ?? 0;
    const errors = errorsCounted + sumPrefix(c, 'lotse.message_error.');
    const h = agg.summaries?.['lotse.message_ack_ms'] ?? {};
    // Every member sends for S.seconds (they start within the 2 s ramp), so acked / S.seconds is
    // the summed rate of all members: the steady rate while all of them send.
    return { unit: 'msg/s', ok, errors, errorKinds, rate: ok / S.seconds, p50: h.p50, p95: h.p95, p99: h.p99, seconds };
  }
  if (scenario === 'live-status') {
    const requests = c['http.requests'] ?? 0;
    const ok = c['http.codes.200'] ?? 0;
    const errors = errorsCounted + Math.max(0, (c['http.responses'] ?? 0) - ok);
    const h = agg.summaries?.['http.response_time'] ?? {};
    return { unit: 'req/s', ok, errors, errorKinds, rate: (c['http.responses'] ?? 0) / seconds, requests, p50: h.p50, p95: h.p95, p99: h.p99, seconds };
  }
  // queue: queue.join + queue.leave acks
  const h = agg.summaries?.['socketio.response_time'] ?? {};
  const ok = h.count ?? 0;
  return {
    unit: 'ack/s',
    ok,
    errors: errorsCounted,
    errorKinds,
    rate: ok / seconds,
    visitors: c['vusers.completed'] ?? 0,
    p50: h.p50,
    p95: h.p95,
    p99: h.p99,
    seconds,
  };
}

// ---- main -----------------------------------------------------------------------------------------

async function ensurePrerequisites() {
  if (!existsSync(join(ROOT, 'dist', 'main.js')) || !existsSync(join(ROOT, 'dist', 'cli.js'))) {
    log('dist/main.js is missing: running `npm run build:server` …');
    execFileSync('npm', ['run', 'build:server'], { cwd: ROOT, stdio: 'inherit' });
  }
  if (!existsSync(ARTILLERY)) {
    log('artillery is missing: installing load/package-lock.json (npm ci in load/, takes a few minutes) …');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: LOAD, stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
  }
}

async function createMariaDb() {
  const mysql = rootRequire('mysql2/promise');
  const name = `lotse_bench_${randomBytes(5).toString('hex')}`;
  const conn = await mysql.createConnection('mysql://root@127.0.0.1:3306');
  await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.end();
  return {
    url: `mysql://root@127.0.0.1:3306/${name}`,
    drop: async () => {
      const c = await mysql.createConnection('mysql://root@127.0.0.1:3306');
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

const fmt = (v, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? `${(a / b).toFixed(2)}×` : '–');

/** Server CPU time per answered operation (message, request or ack) over the whole run. */
const cpuMsPerOp = (r) => (r.ok > 0 && typeof r.server?.cpuSeconds === 'number' ? (r.server.cpuSeconds * 1000) / r.ok : null);

function table(results) {
  const head = [
    'scenario',
    'target',
    'offered',
    'rate',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'errors',
    'peak RSS MB',
    'server CPU ms/op',
    'server CPU %',
    'artillery CPU %',
  ];
  const rows = [];
  for (const scenario of [...new Set(results.map((r) => r.scenario))]) {
    const l = results.find((r) => r.scenario === scenario && r.target === 'lotse');
    const b = results.find((r) => r.scenario === scenario && r.target === 'baseline');
    for (const r of [l, b].filter(Boolean)) {
      rows.push([
        scenario,
        r.target,
        `${fmt(OFFERED[scenario], 0)}/s`,
        `${fmt(r.rate)} ${r.unit}`,
        fmt(r.p50),
        fmt(r.p95),
        fmt(r.p99),
        `${r.errors} (${fmt(r.errorRate * 100, 2)}%)`,
        fmt(r.server.peakRssMb, 0),
        fmt(cpuMsPerOp(r), 2),
        fmt(r.server.activeCpuPercent, 0),
        fmt(r.artillery.activeCpuPercent, 0),
      ]);
    }
    if (l && b) {
      rows.push([
        scenario,
        'lotse ÷ baseline',
        '',
        ratio(l.rate, b.rate),
        ratio(l.p50, b.p50),
        ratio(l.p95, b.p95),
        ratio(l.p99, b.p99),
        '',
        ratio(l.server.peakRssMb, b.server.peakRssMb),
        ratio(cpuMsPerOp(l), cpuMsPerOp(b)),
        '',
        '',
      ]);
    }
  }
  return { head, rows };
}

function renderText({ head, rows }) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function renderMarkdown({ head, rows }) {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function main() {
  const startedAt = Date.now();
  await ensurePrerequisites();
  mkdirSync(OUT, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'lotse-bench-'));
  const cleanups = [() => rmSync(work, { recursive: true, force: true })];
  let exitCode = 0;
  try {
    log(
      `Lotse bench: ${QUICK ? 'quick, ' : ''}${DB}, ${S.seconds} s phases, ${S.pairs} direct rooms (${S.pairs * 2} members, one message every ${S.sendIntervalMs} ms each), ${S.liveRate} homepage visitors/s × 10 GETs, ${S.queueRate} queue visitors/s; ${cpus().length} cores, node ${process.version}`,
    );

    // The bare baseline.
    const basePort = await freePort();
    const baseline = await startNode(
      'baseline',
      [join(LOAD, 'baseline', 'bare-server.mjs'), String(basePort)],
      {},
      /listens on port/,
      join(OUT, 'baseline.log'),
    );
    const baseUrl = `http://127.0.0.1:${basePort}`;

    // Lotse: a fresh data directory (and database), seeded through the CLI.
    const port = await freePort();
    const lotseEnv = {
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATA_DIR: join(work, 'data'),
      MASTER_KEY: randomBytes(32).toString('base64'),
      RATE_LIMITS: 'off',
      SOCKET_EVENT_LIMIT: '100000',
      MESSAGE_RATE_LIMIT: '100000',
      DEMO: 'off',
      CLIENT: 'off',
      LOG_LEVEL: 'warn',
    };
    if (DB === 'mariadb') {
      const db = await createMariaDb();
      cleanups.push(db.drop);
      lotseEnv.DATABASE_URL = db.url;
      lotseEnv.REDIS_URL = 'redis://127.0.0.1:6379';
    }
    log('seeding: center and counselors (CLI) …');
    const counselorEmails = await seedAccounts(lotseEnv);
    const lotse = await startNode('Lotse', [join(ROOT, 'dist', 'main.js')], lotseEnv, /Lotse listens on/, join(OUT, 'lotse.log'));
    const lotseUrl = `http://127.0.0.1:${port}`;
    const queueVisitors = S.queueRate * S.seconds;
    log('seeding: logins, clients, direct rooms, visitor tokens (REST, sockets) …');
    const seed = await prepareLotse(lotseUrl, counselorEmails, queueVisitors);

    const csv = {
      lotse: { messages: join(work, 'messages-lotse.csv'), queue: join(work, 'queue-lotse.csv') },
      baseline: { messages: join(work, 'messages-baseline.csv'), queue: join(work, 'queue-baseline.csv') },
    };
    writeCsv(
      csv.lotse.messages,
      'token,roomId',
      seed.rooms.flatMap((r) => r.members.map((t) => [t, r.roomId])),
    );
    writeCsv(
      csv.baseline.messages,
      'token,roomId',
      seed.rooms.flatMap((r) => r.members.map(() => ['none', r.roomId])),
    );
    writeCsv(
      csv.lotse.queue,
      'token',
      seed.visitorTokens.map((t) => [t]),
    );
    writeCsv(
      csv.baseline.queue,
      'token',
      seed.visitorTokens.map(() => ['none']),
    );

    const idle = { lotse: rssMb(lotse.pid), baseline: rssMb(baseline.pid) };
    log(`idle RSS: Lotse ${fmt(idle.lotse, 0)} MB, baseline ${fmt(idle.baseline, 0)} MB`);

    const targets = [
      { name: 'lotse', url: lotseUrl, pid: lotse.pid, process: lotse },
      { name: 'baseline', url: baseUrl, pid: baseline.pid, process: baseline },
    ];
    const members = S.pairs * 2;
    const scenarios = [
      {
        name: 'messages',
        overrides: (t) => ({
          config: {
            phases: [{ name: 'members connect, then send', duration: 2, arrivalCount: members }],
            payload: [{ path: csv[t].messages, fields: ['token', 'roomId'], order: 'sequence', skipHeader: true }],
          },
        }),
      },
      {
        name: 'live-status',
        overrides: () => ({ config: { phases: [{ name: 'homepage visitors', duration: S.seconds, arrivalRate: S.liveRate }], variables: { center: CENTER } } }),
      },
      {
        name: 'queue',
        overrides: (t) => ({
          config: {
            phases: [{ name: 'visitors arrive', duration: S.seconds, arrivalRate: S.queueRate }],
            payload: [{ path: csv[t].queue, fields: ['token'], order: 'sequence', skipHeader: true }],
          },
        }),
        // Two counselors on shift (10 seats each) while visitors arrive.
        around: async (target, run) => {
          const sockets = await Promise.all(seed.counselors.slice(0, 2).map((c) => connectSocket(target.url, c.token)));
          try {
            for (const s of sockets) await command(s, 'shift.open', { maxChats: 10 });
            return await run();
          } finally {
            for (const s of sockets) {
              await command(s, 'shift.close', {}).catch(() => undefined);
              s.disconnect();
            }
          }
        },
      },
    ];

    const results = [];
    for (const scenario of scenarios) {
      for (const target of targets) {
        const label = `${scenario.name}-${target.name}`;
        if (target.process.child.exitCode !== null || target.process.child.signalCode !== null) {
          log(`skipping ${label}: the ${target.name} server is not running`);
          exitCode = 1;
          continue;
        }
        log(`running ${label} …`);
        const reportFile = join(OUT, `${label}.json`);
        rmSync(reportFile, { force: true });
        const run = () =>
          runArtillery(scenario.name, target.url, scenario.overrides(target.name), reportFile, join(OUT, `${label}.log`), { server: target.pid });
        const outcome = scenario.around ? await scenario.around(target, run).catch((err) => ({ setupError: err })) : await run();
        if (outcome.setupError) {
          log(`  ${label}: ${outcome.setupError.message}`);
          exitCode = 1;
          continue;
        }
        const died = target.process.child.exitCode !== null || target.process.child.signalCode !== null;
        if (died) {
          log(`  ${label}: the ${target.name} server DIED during the run; the last lines of its output:`);
          log(
            target.process
              .output()
              .trim()
              .split('\n')
              .slice(-12)
              .map((l) => `    ${l}`)
              .join('\n'),
          );
          exitCode = 1;
        }
        if (outcome.timedOut || !existsSync(reportFile)) {
          log(`  ${label}: artillery ${outcome.timedOut ? 'timed out' : `exited ${outcome.code} without a report`} (see ${join(OUT, `${label}.log`)})`);
          results.push({
            scenario: scenario.name,
            target: target.name,
            unit: '',
            ok: 0,
            errors: 1,
            errorRate: 1,
            server: outcome.sampled.server,
            artillery: outcome.sampled.artillery,
            failed: true,
          });
          exitCode = 1;
          continue;
        }
        const s = summarize(scenario.name, JSON.parse(readFileSync(reportFile, 'utf8')));
        const errorRate = s.errors / Math.max(1, s.ok + s.errors);
        const r = {
          scenario: scenario.name,
          target: target.name,
          ...s,
          errorRate,
          server: outcome.sampled.server,
          artillery: outcome.sampled.artillery,
          samples: outcome.sampled.samples,
        };
        results.push(r);
        log(
          `  ${fmt(r.rate)} ${r.unit}, p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)} ms, p99 ${fmt(r.p99)} ms, ${r.ok} ok, ${r.errors} errors, peak RSS ${fmt(r.server.peakRssMb, 0)} MB`,
        );
        if (errorRate > 0.01) {
          log(`  ${label}: error rate ${fmt(errorRate * 100, 2)}% is above 1%: ${JSON.stringify(s.errorKinds)}`);
          exitCode = 1;
        }
        if (r.ok === 0) {
          log(`  ${label}: nothing was acked or answered — nothing measured`);
          exitCode = 1;
        }
      }
    }

    const t = table(results);
    const text = renderText(t);
    log(`\n${text}\n`);
    const meta = {
      date: new Date().toISOString(),
      node: process.version,
      cores: cpus().length,
      cpu: cpus()[0]?.model,
      db: DB,
      quick: QUICK,
      settings: S,
      idleRssMb: idle,
      totalSeconds: Math.round((Date.now() - startedAt) / 1000),
    };
    writeFileSync(join(OUT, 'results.json'), JSON.stringify({ meta, results }, null, 2));
    writeFileSync(
      join(OUT, 'summary.md'),
      [
        `# Lotse bench ${meta.date}`,
        '',
        `${QUICK ? 'Quick run (BENCH_QUICK=1). ' : ''}Database: ${DB === 'mariadb' ? 'MariaDB + Redis' : 'SQLite (embedded, single node)'}. ` +
          `${meta.cores} cores (${meta.cpu}), node ${meta.node}. Phases of ${S.seconds} s; ${S.pairs} direct rooms, ` +
          `${S.pairs * 2} members each sending every ${S.sendIntervalMs} ms; ${S.liveRate} homepage visitors/s × 10 GETs; ` +
          `${S.queueRate} queue visitors/s. Idle RSS before the scenarios: Lotse ${fmt(idle.lotse, 0)} MB, baseline ${fmt(idle.baseline, 0)} MB.`,
        '',
        'Latencies are client-side (artillery): `messages` = `message.send` ack, `live-status` = GET /api/centers/:center/live, ' +
          '`queue` = `queue.join` and `queue.leave` acks. Server CPU ms/op = CPU time of the server process over the run ÷ answered operations. ' +
          'CPU % = mean while the load runs (first phase to last virtual user; 100 % = one core, this machine has ' +
          meta.cores +
          ').',
        '',
        renderMarkdown(t),
        '',
        `Total bench time ${meta.totalSeconds} s. Raw artillery reports: test-artifacts/bench/<scenario>-<target>.json; results.json holds these rows and the RSS samples.`,
        '',
      ].join('\n'),
    );
    log(`wrote ${join(OUT, 'summary.md')} and ${join(OUT, 'results.json')} (${meta.totalSeconds} s)`);
    if (!results.some((r) => r.scenario === 'messages' && r.target === 'lotse' && r.ok > 0)) {
      log('bench: no message was acked by Lotse');
      exitCode = 1;
    }
  } finally {
    for (const child of [...children]) await stopChild(child);
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
  return exitCode;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGTERM');
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    for (const child of children) child.kill('SIGTERM');
    process.exit(1);
  },
);
