#!/usr/bin/env node
/* global fetch */
// Live-queue probe (docs/perf-log-perf-queue.md): spawns `node dist/main.js` (optionally with
// --cpu-prof), opens shifts for N counselors, then
//   1. rounds of sequential-ish joins that are each assigned at once: server CPU per join
//      (utime+stime of the Lotse process from /proc/<pid>/stat, minus its idle rate), and the
//      CPU per queue.leave that ends the chat;
//   2. a burst of B simultaneous joins: time until every ack arrived, and the invariants
//      (no counselor above maxChats, nobody assigned twice, positions 1..k, waiting <= limit).
// Usage: node load/probes/queue-probe.mjs [--db sqlite|mariadb] [--counselors 10] [--max-chats 10]
//        [--rounds 4] [--concurrency 10] [--burst 500] [--limit 500] [--prof <dir>]
import { performance } from 'node:perf_hooks';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  ROOT as HERE,
  TICK,
  api,
  cli as cliOf,
  connect as connectTo,
  cpuTicks,
  createCenter,
  freePort,
  lotseEnv,
  percentile,
  pool,
  sleep,
  startLotse,
  stop,
  tempMariaDb,
  runMain,
} from './lib.mjs';

/** The server's inspector: `send(method, params)` answers the result. */
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
  mkdirSync(args.prof, { recursive: true });
  return { send, close: () => ws.close() };
}

// --root <dir>: another checkout's dist (a baseline build of main)
const rootArg = process.argv.indexOf('--root');
const ROOT = rootArg > 0 ? process.argv[rootArg + 1] : HERE;
const DIST = join(ROOT, 'dist');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]?.startsWith('--') ? 'true' : (all[i + 1] ?? 'true')]] : acc), []),
);
const DB = args.db ?? 'sqlite';
const COUNSELORS = Number(args.counselors ?? 10);
const MAX_CHATS = Number(args['max-chats'] ?? 10);
const ROUNDS = Number(args.rounds ?? 4);
const CONCURRENCY = Number(args.concurrency ?? 10);
const BURST = Number(args.burst ?? 500);
const LIMIT = Number(args.limit ?? 500);
const MESSAGE = args.message === 'off' ? undefined : 'Hallo, ich möchte gern mit jemandem sprechen.';
const SLUG = 'queue-probe';
const PASSWORD = 'Probe-Passwort-2026!x';

const cli = (argv, env) => cliOf(DIST, argv, env, { cwd: ROOT });
const connect = (base, token) => connectTo(base, token, { forceNew: true });
const ack = (s, ev, p) => s.timeout(20_000).emitWithAck(ev, p);

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'lotse-queue-probe-'));
  const env = { PATH: process.env.PATH, ...lotseEnv(work, { SOCKET_EVENT_LIMIT: '100000' }) };
  let dropDb = async () => {};
  if (DB === 'mariadb') {
    const db = await tempMariaDb('lotse_perf_queue');
    Object.assign(env, db.env);
    dropDb = db.drop;
  }
  let server;
  const sockets = [];
  try {
    await cli(['migrate'], env);
    await createCenter(DIST, env, { slug: SLUG, name: 'Queue Probe', password: PASSWORD }, { cwd: ROOT });
    await cli(['center:settings', '--center', SLUG, '--live-waiting-limit', String(LIMIT)], env);
    const emails = Array.from({ length: COUNSELORS }, (_, i) => `c${i + 1}@probe.example`);
    await pool(emails, 2, (email, i) =>
      cli(['staff:create', '--center', SLUG, '--email', email, '--name', `Counselor ${i + 1}`, '--role', 'counselor', '--password', PASSWORD], env),
    );
    // --prof <dir>: the join phases only, through the inspector (Profiler.start/stop around them)
    const inspectPort = args.prof ? await freePort() : 0;
    const nodeArgs = [...(args.prof ? [`--inspect=127.0.0.1:${inspectPort}`] : []), ...(process.env.PQ_REQUIRE ? ['-r', process.env.PQ_REQUIRE] : [])];
    server = await startLotse(DIST, { ...env, ...(process.env.PQ_SQL ? { PQ_SQL: '1' } : {}) }, { nodeArgs, cwd: ROOT });
    const base = server.base;
    const pid = server.pid;
    const profiler = args.prof ? await inspector(inspectPort) : null;
    const counselors = [];
    for (const login of emails) {
      const { token, account } = await api(base, 'POST', '/api/auth/login', { center: SLUG, login, password: PASSWORD });
      const s = await connect(base, token);
      sockets.push(s);
      const r = await ack(s, 'shift.open', { maxChats: MAX_CHATS });
      if (!r.ok) throw new Error(`shift.open: ${JSON.stringify(r)}`);
      const c = { id: account.id, socket: s, assigned: 0, max: 0 };
      s.on('queue.assigned', () => {
        c.assigned++;
        c.max = Math.max(c.max, c.assigned);
      });
      counselors.push(c);
    }
    const visitorTokens = async (n) => pool(Array.from({ length: n }), 4, async () => (await api(base, 'POST', `/api/centers/${SLUG}/visitors`, {})).token);
    const connectAll = async (tokens) => {
      const list = await pool(tokens, 20, (t) => connect(base, t));
      sockets.push(...list);
      return list;
    };
    // idle rate of the server (timers, sweeps)
    await sleep(1000);
    let t0 = cpuTicks(pid);
    let w0 = performance.now();
    await sleep(3000);
    const idlePerMs = (cpuTicks(pid) - t0) / (performance.now() - w0);

    const seats = COUNSELORS * MAX_CHATS;
    const results = [];
    for (let round = 0; round < ROUNDS; round++) {
      const visitors = await connectAll(await visitorTokens(seats));
      const assigned = visitors.map((v) => new Promise((r) => v.once('queue.assigned', r)));
      await sleep(500);
      t0 = cpuTicks(pid);
      w0 = performance.now();
      if (profiler) await profiler.send('Profiler.start');
      const answers = await pool(visitors, CONCURRENCY, (v) => ack(v, 'queue.join', MESSAGE ? { message: MESSAGE } : {}));
      await Promise.all(assigned);
      await sleep(300); // the debounced queue.updated and the statistics events
      if (profiler) writeFileSync(join(args.prof, `join-round${round}.cpuprofile`), JSON.stringify((await profiler.send('Profiler.stop')).profile));
      const joinTicks = cpuTicks(pid) - t0 - idlePerMs * (performance.now() - w0);
      const bad = answers.filter((a) => !a.ok || a.data.position !== 0);
      if (bad.length) throw new Error(`join not assigned at once: ${JSON.stringify(bad[0])}`);
      if (counselors.some((c) => c.assigned > MAX_CHATS)) throw new Error('a counselor above maxChats');
      t0 = cpuTicks(pid);
      w0 = performance.now();
      const left = await pool(visitors, CONCURRENCY, (v) => ack(v, 'queue.leave', {}));
      await sleep(300);
      const leaveTicks = cpuTicks(pid) - t0 - idlePerMs * (performance.now() - w0);
      if (left.some((a) => !a.ok)) throw new Error(`leave failed: ${JSON.stringify(left.find((a) => !a.ok))}`);
      for (const c of counselors) c.assigned = 0;
      for (const v of visitors) v.disconnect();
      const r = { round, joins: seats, cpuMsPerJoin: (joinTicks * (1000 / TICK)) / seats, cpuMsPerLeave: (leaveTicks * (1000 / TICK)) / seats };
      results.push(r);
      console.log(JSON.stringify(r));
      await sleep(500);
    }

    // the burst: BURST visitors join at the same moment
    let burst = null;
    if (BURST > 0) {
      const visitors = await connectAll(await visitorTokens(BURST));
      const assignedTo = new Map();
      visitors.forEach((v, i) => v.on('queue.assigned', (p) => assignedTo.set(i, [...(assignedTo.get(i) ?? []), p.roomId])));
      await sleep(1000);
      if (profiler) await profiler.send('Profiler.start');
      t0 = cpuTicks(pid);
      const start = performance.now();
      const latencies = [];
      const answers = await Promise.all(
        visitors.map((v) =>
          ack(v, 'queue.join', MESSAGE ? { message: MESSAGE } : {}).then(
            (a) => {
              latencies.push(performance.now() - start);
              return a;
            },
            () => ({ ok: false, error: { code: 'NO_ANSWER_20S' } }),
          ),
        ),
      );
      const allAnsweredMs = performance.now() - start;
      await sleep(1000);
      const ticks = cpuTicks(pid) - t0;
      if (profiler) writeFileSync(join(args.prof, 'burst.cpuprofile'), JSON.stringify((await profiler.send('Profiler.stop')).profile));
      const positions = answers
        .filter((a) => a.ok && a.data.position > 0)
        .map((a) => a.data.position)
        .sort((a, b) => a - b);
      const immediate = answers.filter((a) => a.ok && a.data.position === 0).length;
      const refused = answers.filter((a) => !a.ok).map((a) => a.error.code);
      const twice = [...assignedTo.values()].filter((r) => r.length > 1).length;
      const invariants = {
        counselorAboveMax: counselors.filter((c) => c.max > MAX_CHATS).length,
        assignedTwice: twice,
        immediate,
        assignedEvents: assignedTo.size,
        waiting: positions.length,
        positionsAre1toK: positions.every((p, i) => p === i + 1),
        waitingWithinLimit: positions.length <= LIMIT,
        refused: Object.fromEntries([...new Set(refused)].map((c) => [c, refused.filter((x) => x === c).length])),
      };
      latencies.sort((a, b) => a - b);
      burst = {
        joins: BURST,
        allAnsweredMs: Math.round(allAnsweredMs),
        p50Ms: Math.round(percentile(latencies, 0.5)),
        p99Ms: Math.round(percentile(latencies, 0.99)),
        cpuMsTotal: ticks * (1000 / TICK),
        invariants,
      };
      console.log(JSON.stringify({ burst }));
    }
    const avg = (k) => results.slice(1).reduce((s, r) => s + r[k], 0) / Math.max(1, results.length - 1);
    console.log(
      JSON.stringify({
        db: DB,
        counselors: COUNSELORS,
        maxChats: MAX_CHATS,
        message: !!MESSAGE,
        cpuMsPerJoin: +avg('cpuMsPerJoin').toFixed(2),
        cpuMsPerLeave: +avg('cpuMsPerLeave').toFixed(2),
        note: 'average of rounds 2..n (round 1 warms up)',
      }),
    );
  } finally {
    for (const s of sockets) s.disconnect();
    if (server && server.child.exitCode === null && args.prof) server.child.kill('SIGKILL');
    await stop(server, 15_000);
    if (server && args.verbose) console.log(server.out());
    await dropDb();
    rmSync(work, { recursive: true, force: true });
  }
}

runMain(main);
