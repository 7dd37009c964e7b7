// Idle-socket probe (perf-sockets): N visitor-token sockets against a spawned dist/main.js and the
// same number against the bare relay (load/baseline/bare-server.mjs) in the same run. Reports RSS
// per connection (VmRSS before/after, from /proc), wall time and server CPU time to connect them.
// Usage: node load/probes/idle-sockets.mjs [--sockets 10000] [--procs 4] [--only lotse|baseline]
//        [--snapshot] (writes a heap snapshot of Lotse after connecting, via SIGUSR2)
import { performance } from 'node:perf_hooks';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, arg as opt, connect, cpuMs, createCenter, lotseEnv, pool, rssKb, sleep, startBare, startLotse, stop } from './lib.mjs';

const args = process.argv.slice(2);

async function child() {
  const sockets = [];
  process.on('message', async (msg) => {
    if (msg.cmd === 'connect') {
      const t0 = performance.now();
      let next = 0;
      let failed = 0;
      const worker = async () => {
        while (next < msg.tokens.length) {
          const token = msg.tokens[next++];
          await connect(msg.url, token, { forceNew: true }).then(
            (s) => sockets.push(s),
            () => failed++,
          );
        }
      };
      await Promise.all(Array.from({ length: msg.concurrency }, worker));
      process.send({ done: true, ms: performance.now() - t0, failed, cpu: process.cpuUsage() });
    } else if (msg.cmd === 'close') {
      for (const s of sockets) s.disconnect();
      sockets.length = 0;
      process.send({ closed: true });
    }
  });
}

async function tokensFor(url, n) {
  return pool(Array.from({ length: n }), 8, async () => {
    const res = await globalThis.fetch(`${url}/api/centers/probe/visitors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (!res.ok) throw new Error(`visitors answered ${res.status}: ${await res.text()}`);
    return (await res.json()).token;
  });
}

async function measure(name, proc, url, tokens, procs, snapshot) {
  const pid = proc.pid;
  const kids = await Promise.all(
    Array.from({ length: procs }, () => {
      const c = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, IDLE_CHILD: '1' }, execArgv: [] });
      return new Promise((r) => c.once('spawn', () => r(c)));
    }),
  );
  await sleep(2000);
  const rss0 = rssKb(pid);
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  const per = Math.ceil(tokens.length / procs);
  const results = await Promise.all(
    kids.map(
      (c, i) =>
        new Promise((r) => {
          c.once('message', r);
          c.send({ cmd: 'connect', url, tokens: tokens.slice(i * per, (i + 1) * per), concurrency: 25 });
        }),
    ),
  );
  const wall = performance.now() - t0;
  const cpu1 = cpuMs(pid);
  await sleep(5000);
  const rss1 = rssKb(pid);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const connected = tokens.length - failed;
  if (snapshot) {
    process.kill(pid, 'SIGUSR2');
    await sleep(Number(process.env.SNAPSHOT_WAIT_MS ?? 60000));
  }
  const r = {
    name,
    connected,
    failed,
    wallMs: Math.round(wall),
    serverCpuMs: Math.round(cpu1 - cpu0),
    rssBeforeMB: +(rss0 / 1024).toFixed(1),
    rssAfterMB: +(rss1 / 1024).toFixed(1),
    kbPerSocket: +((rss1 - rss0) / connected).toFixed(1),
  };
  await Promise.all(kids.map((c) => new Promise((res) => (c.once('message', res), c.send({ cmd: 'close' })))));
  for (const c of kids) c.kill();
  return r;
}

async function main() {
  const n = Number(opt('sockets', '10000'));
  const procs = Number(opt('procs', '4'));
  const only = opt('only', '');
  const snapshot = args.includes('--snapshot');
  const work = mkdtempSync(join(tmpdir(), 'perf-sockets-'));
  const env = { PATH: process.env.PATH, ...lotseEnv(work, { SOCKET_EVENT_LIMIT: '100000', MESSAGE_RATE_LIMIT: '100000' }) };
  const dist = join(ROOT, 'dist');
  const started = [];
  const results = [];
  try {
    if (only !== 'lotse') {
      const base = await startBare({ PATH: process.env.PATH }, { ulimit: 65536 });
      started.push(base);
      const tokens = Array.from({ length: n }, () => randomBytes(32).toString('base64url'));
      results.push(await measure('baseline', base, base.base, tokens, procs, false));
    }
    if (only !== 'baseline') {
      process.stdout.write(await createCenter(dist, env, { slug: 'probe', name: 'Probe', password: 'probe-password-123' }));
      const extra = (process.env.LOTSE_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const nodeArgs = [...extra, ...(snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : [])];
      const seeder = await startLotse(dist, env, { nodeArgs, ulimit: 65536 });
      started.push(seeder);
      const t = performance.now();
      const tokens = await tokensFor(seeder.base, n);
      process.stderr.write(`${n} visitor tokens in ${Math.round(performance.now() - t)} ms\n`);
      // a fresh process for the measurement (the tokens are in the database): the seeding's garbage
      // would otherwise sit in the heap of the 'before' figure
      await stop(seeder);
      const lotse = await startLotse(dist, env, { port: seeder.port, nodeArgs, ulimit: 65536 });
      started.push(lotse);
      results.push(await measure('lotse', lotse, lotse.base, tokens, procs, snapshot));
    }
  } finally {
    for (const p of started) p.child.kill('SIGTERM');
    await sleep(500);
    rmSync(work, { recursive: true, force: true });
  }
  console.table(results);
  const [b, l] = results;
  if (b && l)
    console.log(
      JSON.stringify({
        kbRatio: +(l.kbPerSocket / b.kbPerSocket).toFixed(2),
        wallRatio: +(l.wallMs / b.wallMs).toFixed(2),
        cpuRatio: +(l.serverCpuMs / b.serverCpuMs).toFixed(2),
      }),
    );
  console.log(JSON.stringify(results));
}

if (process.env.IDLE_CHILD) await child();
else await main();
