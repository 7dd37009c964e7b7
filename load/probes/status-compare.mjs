// Status endpoint, Lotse vs the bare relay in one run (perf-http): starts a scratch Lotse node
// (SQLite, one seeded center) and the bare relay, then runs status-rps.mjs against each in turn,
// --rounds times, and prints server CPU µs per request side by side.
// Usage: node load/probes/status-compare.mjs [--rounds 3] [--seconds 5] [--conns 16] [--procs 2] [--prof DIR] [--dist DIR]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, createCenter, lotseEnv, ROOT, runMain, startBare, startLotse, stop } from './lib.mjs';

const rounds = Number(arg('rounds', '3'));
const seconds = arg('seconds', '5');
const conns = arg('conns', '16');
const procs = arg('procs', '2');
const prof = arg('prof', '');
const dist = arg('dist', join(ROOT, 'dist'));
const work = mkdtempSync(join(tmpdir(), 'status-compare-'));
let lotse, bare;

const rps = (base, pid) =>
  new Promise((res, rej) => {
    const c = spawn(
      process.execPath,
      [join(ROOT, 'load/probes/status-rps.mjs'), base, 'probe', '--seconds', seconds, '--conns', conns, '--procs', procs, '--pid', String(pid)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.once('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').pop())) : rej(new Error(`status-rps exited ${code}`))));
  });

async function cleanup() {
  await stop(lotse, 10_000);
  await stop(bare, 5_000);
  rmSync(work, { recursive: true, force: true });
}

async function main() {
  try {
    await run();
  } finally {
    await cleanup();
  }
}

async function run() {
  const env = { ...process.env, ...lotseEnv(work) };
  await createCenter(dist, env, { slug: 'probe', name: 'Probe', password: 'Probe-Password-123' });
  lotse = await startLotse(dist, env, { nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [] });
  bare = await startBare();
  for (let i = 0; i < rounds; i++) {
    const l = await rps(lotse.base, lotse.pid);
    const b = await rps(bare.base, bare.pid);
    console.log(JSON.stringify({ round: i + 1, lotse: l, bare: b, ratio: +(l.serverCpuUsPerRequest / b.serverCpuUsPerRequest).toFixed(2) }));
  }
}

runMain(main);
