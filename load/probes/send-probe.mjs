// A lean message.send probe (perf-send): 50 direct rooms of two, an open-loop rate of message.send
// for a few seconds against a Lotse node (dist/main.js) and the bare relay in the same run; prints
// the server CPU µs per acked message (utime+stime from /proc/<pid>/stat) and ack latencies.
// Usage: node load/probes/send-probe.mjs [--dist DIR] [--db sqlite|mariadb] [--rate 1000] [--seconds 10] [--pairs 50] [--prof DIR] [--only lotse|bare]
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, api, arg, cli, connect, cpuTicks, createCenter, lotseEnv, percentile, startBare, startLotse, stop, tempMariaDb, runMain } from './lib.mjs';

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
  const c0 = cpuTicks(pid);
  const d0 = process.cpuUsage();
  await phase(SECONDS, true);
  await new Promise((r) => setTimeout(r, 1500));
  const c1 = cpuTicks(pid);
  const d = process.cpuUsage(d0);
  lat.sort((a, b) => a - b);
  const q = (p) => percentile(lat, p)?.toFixed(1);
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
      const bare = await startBare();
      procs.push(bare);
      const rooms = Array.from({ length: PAIRS }, () => ({ roomId: randomUUID(), tokens: ['', ''] }));
      rows.push(await drive('bare', bare.base, bare.pid, rooms));
      bare.child.kill('SIGTERM');
    }
    if (ONLY !== 'bare') {
      const env = { ...process.env, ...lotseEnv(work, { SOCKET_EVENT_LIMIT: '100000', MESSAGE_RATE_LIMIT: '100000', MAIL: 'off' }) };
      if (DB === 'mariadb') {
        const db = await tempMariaDb('perf_send_probe');
        dropDb = db.drop;
        Object.assign(env, db.env);
      }
      await cli(DIST, ['migrate'], env).catch(() => undefined);
      await createCenter(DIST, env, { slug: 'probe', name: 'Probe', password: PASSWORD });
      const nodeArgs = PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : [];
      const lotse = await startLotse(DIST, env, { nodeArgs });
      procs.push(lotse);
      const rooms = await seedLotse(lotse.base);
      rows.push(await drive(`lotse-${DB}`, lotse.base, lotse.pid, rooms));
      if (rows.at(-1).failed > 0 || process.env.PROBE_VERBOSE) console.error(lotse.out().slice(-3000));
      await stop(lotse);
    }
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
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
runMain(main, () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
});
