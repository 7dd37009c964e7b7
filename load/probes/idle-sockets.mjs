// Idle-socket probe (perf-sockets): N visitor-token sockets against a spawned dist/main.js and the
// same number against the bare relay (load/baseline/bare-server.mjs) in the same run. Reports RSS
// per connection (VmRSS before/after, from /proc), wall time and server CPU time to connect them.
// Usage: node scripts/perf-sockets/idle-sockets.mjs [--sockets 10000] [--procs 4] [--only lotse|baseline]
//        [--snapshot] (writes a heap snapshot of Lotse after connecting, via SIGUSR2)
import { performance } from 'node:perf_hooks';
import { spawn, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

async function child() {
  const { io } = await import('socket.io-client');
  const sockets = [];
  process.on('message', async (msg) => {
    if (msg.cmd === 'connect') {
      const t0 = performance.now();
      let next = 0;
      let failed = 0;
      const worker = async () => {
        while (next < msg.tokens.length) {
          const token = msg.tokens[next++];
          await new Promise((res) => {
            const s = io(msg.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
            s.once('connect', () => (sockets.push(s), res()));
            s.once('connect_error', () => (failed++, res()));
          });
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

function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function start(name, nodeArgs, env, ready) {
  const cmd = `ulimit -n 65536; exec "${process.execPath}" ${nodeArgs.map((a) => `'${a}'`).join(' ')}`;
  const proc = spawn('sh', ['-c', cmd], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((res, rej) => {
    const on = (d) => {
      out += d;
      if (ready.test(out)) res(proc);
    };
    proc.stdout.on('data', on);
    proc.stderr.on('data', on);
    proc.once('exit', (c) => rej(new Error(`${name} exited ${c}: ${out.slice(-2000)}`)));
    setTimeout(() => rej(new Error(`${name} did not start: ${out.slice(-2000)}`)), 60_000).unref();
  });
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime+stime in clock ticks (100 Hz)
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function runCli(argv, env) {
  const p = spawn(process.execPath, ['dist/cli.js', ...argv], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: 'inherit' });
  const code = await new Promise((r) => p.once('exit', r));
  if (code !== 0) throw new Error(`cli ${argv.join(' ')} failed`);
}

async function tokensFor(url, n) {
  const out = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const res = await globalThis.fetch(`${url}/api/centers/probe/visitors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (!res.ok) throw new Error(`visitors answered ${res.status}: ${await res.text()}`);
      out.push((await res.json()).token);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
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
  const env = {
    DATA_DIR: join(work, 'data'),
    MASTER_KEY: randomBytes(32).toString('base64'),
    RATE_LIMITS: 'off',
    SOCKET_EVENT_LIMIT: '100000',
    MESSAGE_RATE_LIMIT: '100000',
    DEMO: 'off',
    CLIENT: 'off',
    LOG_LEVEL: 'warn',
  };
  const started = [];
  const results = [];
  try {
    if (only !== 'lotse') {
      const port = await freePort();
      const base = await start('baseline', ['load/baseline/bare-server.mjs', String(port)], {}, /listens on port/);
      started.push(base);
      const url = `http://127.0.0.1:${port}`;
      const tokens = Array.from({ length: n }, () => randomBytes(32).toString('base64url'));
      results.push(await measure('baseline', base, url, tokens, procs, false));
    }
    if (only !== 'baseline') {
      await runCli(
        ['center:create', '--slug', 'probe', '--name', 'Probe', '--admin-email', 'admin@probe.example', '--admin-password', 'probe-password-123'],
        env,
      );
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const extra = (process.env.LOTSE_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const seeder = await start(
        'lotse',
        [...extra, ...(snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : []), 'dist/main.js'],
        { ...env, PORT: String(port), PUBLIC_URL: url },
        /Lotse listens on/,
      );
      started.push(seeder);
      const t = performance.now();
      const tokens = await tokensFor(url, n);
      process.stderr.write(`${n} visitor tokens in ${Math.round(performance.now() - t)} ms\n`);
      // a fresh process for the measurement (the tokens are in the database): the seeding's garbage
      // would otherwise sit in the heap of the 'before' figure
      seeder.kill('SIGTERM');
      await new Promise((r) => seeder.once('exit', r));
      const lotse = await start(
        'lotse',
        [...extra, ...(snapshot ? ['--heapsnapshot-signal=SIGUSR2'] : []), 'dist/main.js'],
        { ...env, PORT: String(port), PUBLIC_URL: url },
        /Lotse listens on/,
      );
      started.push(lotse);
      results.push(await measure('lotse', lotse, url, tokens, procs, snapshot));
    }
  } finally {
    for (const p of started) p.kill('SIGTERM');
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
