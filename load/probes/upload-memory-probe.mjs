#!/usr/bin/env node
/* global fetch, FormData, Blob */
// Upload memory probe (docs/perf-log-perf-queue.md): spawns `node dist/main.js` with METRICS_TOKEN,
// seeds a center (CLI), a counselor, a client and an assigned thread (REST), then runs N concurrent
// uploads of a PDF of --mb MB, sampling GET /metrics every 25 ms: the peak growth over the idle
// figure of the V8 heap (nodejs_heap_size_used_bytes), external memory (Buffers) and RSS, per upload in flight.
// Usage: node scripts/perf/upload-memory-probe.mjs [--concurrent 4] [--mb 9.5] [--rounds 2]
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from '@cantoo/pdf-lib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const CONCURRENT = Number(arg('concurrent', 4));
const MB = Number(arg('mb', 9.5));
const ROUNDS = Number(arg('rounds', 2));
const SLUG = 'upload-probe';
const PASSWORD = 'Probe-Passwort-2026!x';
const TOKEN = randomBytes(16).toString('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

function run(script, argv, env) {
  const child = spawn(process.execPath, [script, ...argv], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, out: () => out, exited: new Promise((r) => child.once('exit', r)) };
}
async function cli(argv, env) {
  const p = run(join(ROOT, 'dist', 'cli.js'), argv, env);
  if ((await p.exited) !== 0) throw new Error(`cli ${argv.join(' ')} failed:\n${p.out()}`);
}
async function api(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}
async function metrics(base) {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const get = (name) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1] ?? NaN);
  return { heap: get('nodejs_heap_size_used_bytes'), external: get('nodejs_external_memory_bytes'), rss: get('process_resident_memory_bytes') };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'lotse-upload-probe-'));
  const env = {
    DATA_DIR: join(work, 'data'),
    MASTER_KEY: randomBytes(32).toString('base64'),
    RATE_LIMITS: 'off',
    DEMO: 'off',
    CLIENT: 'off',
    LOG_LEVEL: 'warn',
    METRICS_TOKEN: TOKEN,
  };
  let server;
  try {
    await cli(['migrate'], env);
    await cli(['center:create', '--slug', SLUG, '--name', 'Upload Probe', '--admin-email', 'admin@probe.example', '--admin-password', PASSWORD], env);
    await cli(['staff:create', '--center', SLUG, '--email', 'c1@probe.example', '--name', 'Counselor', '--role', 'counselor', '--password', PASSWORD], env);
    const port = await freePort();
    server = run(join(ROOT, 'dist', 'main.js'), [], { ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; !/Lotse listens on/.test(server.out()); i++) {
      if (i > 600 || server.child.exitCode !== null) throw new Error(`server did not start:\n${server.out()}`);
      await sleep(100);
    }
    const admin = await api(base, 'POST', '/api/auth/login', { center: SLUG, login: 'admin@probe.example', password: PASSWORD });
    const counselor = await api(base, 'POST', '/api/auth/login', { center: SLUG, login: 'c1@probe.example', password: PASSWORD });
    await api(base, 'PATCH', `/api/centers/${SLUG}/settings`, { documentDailyQuota: 1000, documentDailyBytes: 1024 * 1024 * 1024 }, admin.token).catch((e) =>
      console.error('settings:', e.message),
    );
    const client = await api(base, 'POST', '/api/auth/register', { center: SLUG, username: 'probe-client', password: PASSWORD });
    const thread = await api(base, 'POST', '/api/threads', { subject: 'Frage', body: 'Hallo' }, client.token);
    await api(base, 'POST', `/api/threads/${thread.id}/assign`, { counselorId: counselor.account.id }, admin.token);
    const doc = await PDFDocument.create();
    doc.addPage([300, 200]);
    doc.context.register(doc.context.stream(Buffer.alloc(Math.floor(MB * 1024 * 1024) - 1500, 0x20)));
    const pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
    const upload = async () => {
      const form = new FormData();
      form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'Probe.pdf');
      const res = await fetch(`${base}/api/threads/${thread.id}/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.token}` },
        body: form,
      });
      if (res.status !== 201) throw new Error(`upload: ${res.status} ${(await res.text()).slice(0, 200)}`);
    };
    await upload(); // warm up (the worker script, the key)
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(1500);
      const idle = await metrics(base);
      const peak = { ...idle };
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const m = await metrics(base);
          for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k]);
          await sleep(25);
        }
      })();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: CONCURRENT }, upload));
      const ms = performance.now() - t0;
      sampling = false;
      await sampler;
      const per = (k) => +((peak[k] - idle[k]) / CONCURRENT / 1024 / 1024).toFixed(1);
      console.log(
        JSON.stringify({
          round,
          concurrent: CONCURRENT,
          pdfMB: +(pdf.length / 1024 / 1024).toFixed(2),
          ms: Math.round(ms),
          perUploadMB: { heap: per('heap'), external: per('external'), rss: per('rss') },
        }),
      );
    }
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(work, { recursive: true, force: true });
  }
}
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
