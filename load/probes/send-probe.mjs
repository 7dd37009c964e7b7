/* global fetch */
// A lean message.send probe (perf-send): 50 direct rooms of two, an open-loop rate of message.send
// for a few seconds against a Lotse node (dist/main.js) and the bare relay in the same run; prints
// the server CPU µs per acked message (utime+stime from /proc/<pid>/stat) and ack latencies.
// Usage: node load/probe/send-probe.mjs [--dist DIR] [--db sqlite|mariadb] [--rate 1000] [--seconds 10] [--pairs 50] [--prof DIR] [--only lotse|bare]
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const DB = arg('db', 'sqlite');
const RATE = Number(arg('rate', 1000));
const SECONDS = Number(arg('seconds', 10));
const PAIRS = Number(arg('pairs', 50));
const PROF = arg('prof', '');
const ONLY = arg('only', '');
// another build to compare with (a worktree of main built with `npm run build:server`)
const DIST = arg('dist', join(ROOT, 'dist'));
const PASSWORD = `Probe-${randomBytes(9).toString('base64url')}`;
const procs = [];

const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

function start(script, args, env, ready, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(child);
  let out = '';
  return new Promise((res, rej) => {
    const on = (d) => {
      out += d;
      child.output = out;
      if (ready.test(out)) res(child);
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => rej(new Error(`${script} exited ${code}: ${out.slice(-2000)}`)));
  });
}
const run = (script, args, env) =>
  new Promise((res, rej) => {
    const c = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.once('exit', (code) => (code === 0 ? res(out) : rej(new Error(out))));
  });
const ticks = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};
async function api(base, method, path, body, token) {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body && JSON.stringify(body),
  });
  const t = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} ${r.status} ${t}`);
  return t ? JSON.parse(t) : null;
}
const connect = (base, token) =>
  new Promise((res, rej) => {
    const s = io(base, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
    s.once('connect', () => res(s));
    s.once('connect_error', rej);
  });
const cmd = async (s, e, p) => {
  const a = await s.timeout(10000).emitWithAck(e, p);
  if (!a.ok) throw new Error(`${e}: ${JSON.stringify(a.error)}`);
  return a.data;
};

async function seedLotse(base) {
  const admin = await api(base, 'POST', '/api/auth/login', { center: 'probe', login: 'admin@probe.example', password: PASSWORD });
  const rooms = [];
  for (let i = 0; i < PAIRS; i++) {
    const staff = await api(
      base,
      'POST',
      '/api/centers/probe/staff',
      { email: `c${i}@probe.example`, displayName: `Counselor ${i}`, role: 'counselor' },
      admin.token,
    );
    const c = await api(base, 'POST', '/api/auth/login', { center: 'probe', login: `c${i}@probe.example`, password: staff.password });
    const cl = await api(base, 'POST', '/api/auth/register', { center: 'probe', username: `probe-client-${i}`, password: PASSWORD });
    const s = await connect(base, c.token);
    const { roomId } = await cmd(s, 'room.create', { name: `Probe ${i}`, memberIds: [cl.account.id] });
    s.disconnect();
    rooms.push({ roomId, tokens: [c.token, cl.token] });
  }
  return rooms;
}

async function drive(name, base, pid, rooms) {
  const sockets = [];
  for (const r of rooms)
    for (const t of r.tokens) {
      const s = await connect(base, t);
      await cmd(s, 'room.join', { roomId: r.roomId });
      sockets.push({ s, roomId: r.roomId });
    }
  let pushes = 0;
  for (const { s } of sockets) s.on('message.created', () => pushes++);
  const lat = [];
  let acked = 0;
  let failed = 0;
  let sent = 0;
  const send = (measure) => {
    const k = sent++ % sockets.length;
    const { s, roomId } = sockets[k];
    const t0 = performance.now();
    s.timeout(10000).emit('message.send', { roomId, clientMsgId: randomUUID(), body: `probe message ${sent} with some ordinary text in it` }, (err, a) => {
      if (err || !a?.ok) {
        failed++;
        if (failed < 3) console.error(name, 'failed', err?.message ?? JSON.stringify(a?.error));
        return;
      }
      if (measure) {
        acked++;
        lat.push(performance.now() - t0);
      }
    });
  };
  const phase = (seconds, measure) =>
    new Promise((res) => {
      const t0 = performance.now();
      let done = 0;
      const timer = setInterval(() => {
        const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
        while (done < due) {
          send(measure);
          done++;
        }
        if (performance.now() - t0 >= seconds * 1000) {
          clearInterval(timer);
          res();
        }
      }, 2);
    });
  await phase(2, false); // warm-up
  await new Promise((r) => setTimeout(r, 500));
  const c0 = ticks(pid);
  const d0 = process.cpuUsage();
  await phase(SECONDS, true);
  await new Promise((r) => setTimeout(r, 1500));
  const c1 = ticks(pid);
  const d = process.cpuUsage(d0);
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]?.toFixed(1);
  const cpuMs = (c1 - c0) * 10;
  const row = {
    name,
    rate: RATE,
    acked,
    failed,
    pushes,
    cpuUsPerMsg: Math.round((cpuMs * 1000) / Math.max(1, acked)),
    serverCpuPct: Math.round((cpuMs / ((SECONDS + 1.5) * 1000)) * 100),
    p50: q(0.5),
    p99: q(0.99),
    driverCpuPct: Math.round(((d.user + d.system) / 1000 / ((SECONDS + 1.5) * 1000)) * 100),
  };
  for (const { s } of sockets) s.disconnect();
  return row;
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'lotse-probe-'));
  let dropDb = async () => {};
  const rows = [];
  try {
    if (ONLY !== 'lotse') {
      const port = await freePort();
      const bare = await start(join(ROOT, 'load/baseline/bare-server.mjs'), [String(port)], {}, /listens on port/);
      const rooms = Array.from({ length: PAIRS }, () => ({ roomId: randomUUID(), tokens: ['', ''] }));
      rows.push(await drive('bare', `http://127.0.0.1:${port}`, bare.pid, rooms));
      bare.kill('SIGTERM');
    }
    if (ONLY !== 'bare') {
      const env = {
        DATA_DIR: join(work, 'data'),
        MASTER_KEY: randomBytes(32).toString('base64'),
        RATE_LIMITS: 'off',
        SOCKET_EVENT_LIMIT: '100000',
        MESSAGE_RATE_LIMIT: '100000',
        DEMO: 'off',
        CLIENT: 'off',
        LOG_LEVEL: 'warn',
        MAIL: 'off',
      };
      if (DB === 'mariadb') {
        const { createConnection } = await import('mysql2/promise');
        const name = `perf_send_probe_${randomBytes(4).toString('hex')}`;
        const c = await createConnection('mysql://root@127.0.0.1:3306');
        await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
        await c.end();
        dropDb = async () => {
          const c2 = await createConnection('mysql://root@127.0.0.1:3306');
          await c2.query(`DROP DATABASE IF EXISTS \`${name}\``);
          await c2.end();
        };
        Object.assign(env, { DATABASE_URL: `mysql://root@127.0.0.1:3306/${name}`, REDIS_URL: 'redis://127.0.0.1:6379' });
      }
      await run(join(DIST, 'cli.js'), ['migrate'], env).catch(() => undefined);
      await run(
        join(DIST, 'cli.js'),
        ['center:create', '--slug', 'probe', '--name', 'Probe', '--admin-email', 'admin@probe.example', '--admin-password', PASSWORD],
        env,
      );
      const port = await freePort();
      const nodeArgs = PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : [];
      const lotse = await start(
        join(DIST, 'main.js'),
        [],
        { ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
        /Lotse listens on/,
        nodeArgs,
      );
      const base = `http://127.0.0.1:${port}`;
      const rooms = await seedLotse(base);
      rows.push(await drive(`lotse-${DB}`, base, lotse.pid, rooms));
      if (rows.at(-1).failed > 0 || process.env.PROBE_VERBOSE) console.error(String(lotse.output ?? '').slice(-3000));
      lotse.kill('SIGTERM');
      await new Promise((r) => lotse.once('exit', r));
    }
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    await dropDb();
    rmSync(work, { recursive: true, force: true });
  }
  const bare = rows.find((r) => r.name === 'bare');
  for (const r of rows) if (bare && r !== bare) r.ratio = (r.cpuUsPerMsg / bare.cpuUsPerMsg).toFixed(2);
  console.log(JSON.stringify(rows));
  for (const r of rows)
    console.log(
      Object.entries(r)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    );
}
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    process.exit(1);
  },
);
