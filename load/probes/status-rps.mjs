// Status-endpoint probe (perf-sockets): keep-alive GETs of /api/centers/<center>/live from several
// processes, closed loop with C connections each, for D seconds; prints rps, p50/p99 and server CPU.
// Usage: node load/probes/status-rps.mjs <url> <center> [--procs 2] [--conns 32] [--seconds 10] [--pid <server pid>]
import { performance } from 'node:perf_hooks';
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { arg as opt, cpuMs, percentile } from './lib.mjs';

const args = process.argv.slice(2);

async function child() {
  const { url, center, conns, seconds } = JSON.parse(process.env.STATUS_CHILD);
  const agent = new Agent({ keepAlive: true, maxSockets: conns });
  const u = new URL(`${url}/api/centers/${center}/live`);
  const lat = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise((res) => {
      const t = performance.now();
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, agent }, (r) => {
        r.resume();
        r.on('end', () => {
          if (r.statusCode !== 200) errors++;
          lat.push(performance.now() - t);
          res();
        });
      });
      req.on('error', () => (errors++, res()));
      req.end();
    });
  await Promise.all(
    Array.from({ length: conns }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  process.send({ lat, errors });
}

async function main() {
  const [url, center] = args;
  if (!url || !center || url.startsWith('--')) {
    console.error('Usage: node load/probes/status-rps.mjs <url> <center> [--procs 2] [--conns 32] [--seconds 10] [--pid <server pid>]');
    process.exit(1);
  }
  const procs = Number(opt('procs', '2'));
  const conns = Number(opt('conns', '32'));
  const seconds = Number(opt('seconds', '10'));
  const pid = opt('pid', '');
  const cpu0 = pid ? cpuMs(pid) : 0;
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from(
      { length: procs },
      () =>
        new Promise((res) => {
          const c = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, STATUS_CHILD: JSON.stringify({ url, center, conns, seconds }) } });
          c.once('message', (m) => (res(m), c.kill()));
        }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const lat = results.flatMap((r) => r.lat).sort((a, b) => a - b);
  const q = (p) => +percentile(lat, p).toFixed(2);
  const out = { requests: lat.length, errors: results.reduce((a, r) => a + r.errors, 0), rps: Math.round(lat.length / wall), p50: q(0.5), p99: q(0.99) };
  if (pid) out.serverCpuUsPerRequest = Math.round(((cpuMs(pid) - cpu0) * 1000) / lat.length);
  console.log(JSON.stringify(out));
}

if (process.env.STATUS_CHILD) await child();
else await main();
