/* global fetch */
// Thread posts (perf-threads): `POST /api/threads/:id/posts { body, clientPostId }` at an open-loop
// rate for a few seconds against a Lotse node (dist/main.js) and the bare relay in the same run;
// prints the server CPU µs per answered post (utime+stime from /proc/<pid>/stat) and p50/p99.
// --prof DIR writes an inspector CPU profile of the measured phase only (the profiler's own cost is in the CPU figure then).
// Each client posts to its own enquiry, as the bench does; --assigned gives every enquiry a counselor
// first (then the counselor is a member too and is pushed and mailed), --counselor-posts lets the
// counselors write half of the posts.
// Usage: node load/probes/thread-post-probe.mjs [--db sqlite|mariadb] [--rate 200] [--seconds 8] [--threads 20]
//          [--assigned] [--counselor-posts] [--mail] [--prof DIR] [--only lotse|bare] [--dist DIR]
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  api,
  arg,
  cli,
  cpuTicks,
  freePort,
  createCenter,
  lotseEnv,
  percentile,
  startBare,
  startLotse,
  stop,
  tempMariaDb,
  runMain,
  sleep,
} from './lib.mjs';

const DB = arg('db', 'sqlite');
const RATE = Number(arg('rate', 200));
const SECONDS = Number(arg('seconds', 8));
const THREADS = Number(arg('threads', 20));
const PROF = arg('prof', '');
const ONLY = arg('only', '');
const ASSIGNED = process.argv.includes('--assigned') || process.argv.includes('--counselor-posts');
const COUNSELOR_POSTS = process.argv.includes('--counselor-posts');
const MAIL = process.argv.includes('--mail');
const DIST = arg('dist', join(ROOT, 'dist'));
const PASSWORD = `Probe-${randomBytes(9).toString('base64url')}`;
const BODY = 'Bench message: how are you today? This is about as long as a typical chat line in counseling.';
const procs = [];

function post(base, agent, path, token, body) {
  const u = new URL(base);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.setTimeout(15000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** --prof DIR: the server's inspector, so that only the measured phase is profiled. */
async function inspector(port) {
  const [{ webSocketDebuggerUrl }] = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(webSocketDebuggerUrl);
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  let id = 0;
  const waiting = new Map();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.id && waiting.has(m.id)) {
      waiting.get(m.id)(m.result);
      waiting.delete(m.id);
    }
  });
  const send = (method, params = {}) =>
    new Promise((r) => {
      waiting.set(++id, r);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  mkdirSync(PROF, { recursive: true });
  return { send, close: () => ws.close() };
}

async function seedLotse(base) {
  const admin = await api(base, 'POST', '/api/auth/login', { center: 'probe', login: 'admin@probe.example', password: PASSWORD });
  const counselors = [];
  if (ASSIGNED)
    for (let i = 0; i < Math.min(5, THREADS); i++) {
      const staff = await api(
        base,
        'POST',
        '/api/centers/probe/staff',
        { email: `c${i}@probe.example`, displayName: `Counselor ${i}`, role: 'counselor' },
        admin.token,
      );
      counselors.push(await api(base, 'POST', '/api/auth/login', { center: 'probe', login: `c${i}@probe.example`, password: staff.password }));
    }
  const targets = [];
  for (let i = 0; i < THREADS; i++) {
    const cl = await api(base, 'POST', '/api/auth/register', { center: 'probe', username: `probe-client-${i}`, password: PASSWORD });
    const t = await api(base, 'POST', '/api/threads', { subject: `Probe ${i}`, body: 'A first post.' }, cl.token);
    targets.push({ path: `/api/threads/${t.id}/posts`, token: cl.token });
    if (ASSIGNED) {
      const c = counselors[i % counselors.length];
      await api(base, 'POST', `/api/threads/${t.id}/assign`, { counselorId: c.account.id }, admin.token);
      if (COUNSELOR_POSTS) targets.push({ path: `/api/threads/${t.id}/posts`, token: c.token });
    }
  }
  return targets;
}

async function drive(name, base, pid, targets, profiler) {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const lat = [];
  const errors = {};
  let [answered, sent] = [0, 0];
  const send = (measure) => {
    const t = targets[sent++ % targets.length];
    const t0 = performance.now();
    post(base, agent, t.path, t.token, { body: BODY, clientPostId: randomUUID() }).then(
      (res) => {
        if (res.status !== 201) {
          errors[res.status] = (errors[res.status] ?? 0) + 1;
          if (Object.keys(errors).length === 1 && errors[res.status] === 1) console.error(name, res.status, res.text.slice(0, 200));
        } else if (measure) {
          answered++;
          lat.push(performance.now() - t0);
        }
      },
      (err) => (errors[err.message] = (errors[err.message] ?? 0) + 1),
    );
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
  await sleep(1000);
  if (profiler) await profiler.send('Profiler.start');
  // PROBE_MARK=<file>: exists during the measured phase (for a preload that counts statements)
  if (process.env.PROBE_MARK) writeFileSync(process.env.PROBE_MARK, '');
  const c0 = cpuTicks(pid);
  const d0 = process.cpuUsage();
  await phase(SECONDS, true);
  await sleep(1500);
  const c1 = cpuTicks(pid);
  if (process.env.PROBE_MARK) rmSync(process.env.PROBE_MARK, { force: true });
  if (profiler) {
    const file = join(PROF, `${name}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify((await profiler.send('Profiler.stop')).profile));
    console.error('profile:', file);
    profiler.close();
  }
  const d = process.cpuUsage(d0);
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p) => percentile(lat, p)?.toFixed(1);
  const cpuMs = (c1 - c0) * 10;
  return {
    name,
    rate: RATE,
    answered,
    errors: JSON.stringify(errors),
    cpuUsPerPost: Math.round((cpuMs * 1000) / Math.max(1, answered)),
    serverCpuPct: Math.round((cpuMs / ((SECONDS + 1.5) * 1000)) * 100),
    p50: q(0.5),
    p99: q(0.99),
    driverCpuPct: Math.round(((d.user + d.system) / 1000 / ((SECONDS + 1.5) * 1000)) * 100),
  };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'lotse-thread-probe-'));
  let dropDb = async () => {};
  const rows = [];
  try {
    if (ONLY !== 'lotse') {
      const bare = await startBare();
      procs.push(bare);
      const targets = Array.from({ length: THREADS }, () => ({ path: `/api/threads/${randomUUID()}/posts`, token: 'none' }));
      rows.push(await drive('bare', bare.base, bare.pid, targets));
      await stop(bare);
    }
    if (ONLY !== 'bare') {
      const env = { ...process.env, ...lotseEnv(work, { PASSWORD_HASH_COST: '10', MAIL: MAIL ? 'log' : 'off' }) };
      if (DB === 'mariadb') {
        const db = await tempMariaDb('perf_thread_probe');
        dropDb = db.drop;
        Object.assign(env, db.env);
      }
      await cli(DIST, ['migrate'], env).catch(() => undefined);
      await createCenter(DIST, env, { slug: 'probe', name: 'Probe', password: PASSWORD });
      const inspectPort = PROF ? await freePort() : 0;
      const nodeArgs = PROF ? [`--inspect=127.0.0.1:${inspectPort}`] : [];
      const lotse = await startLotse(DIST, env, { nodeArgs });
      procs.push(lotse);
      const targets = await seedLotse(lotse.base);
      const profiler = PROF ? await inspector(inspectPort) : null;
      rows.push(await drive(`lotse-${DB}${ASSIGNED ? '-assigned' : ''}${COUNSELOR_POSTS ? '-both' : ''}`, lotse.base, lotse.pid, targets, profiler));
      if (process.env.PROBE_VERBOSE) console.error(lotse.out().slice(-3000));
      await stop(lotse);
    }
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await dropDb();
    rmSync(work, { recursive: true, force: true });
  }
  const bare = rows.find((r) => r.name === 'bare');
  for (const r of rows) if (bare && r !== bare) r.ratio = (r.cpuUsPerPost / bare.cpuUsPerPost).toFixed(2);
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
