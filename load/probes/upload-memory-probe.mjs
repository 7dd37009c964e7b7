#!/usr/bin/env node
/* global fetch, FormData, Blob */
// Upload memory probe (docs/perf-log-perf-queue.md): spawns `node dist/main.js` with METRICS_TOKEN,
// seeds a center (CLI), a counselor, a client and an assigned thread (REST), then runs N concurrent
// uploads of a PDF of --mb MB, sampling GET /metrics every 25 ms: the peak growth over the idle
// figure of the V8 heap (nodejs_heap_size_used_bytes), external memory (Buffers) and RSS, per upload in flight.
// Usage: node load/probes/upload-memory-probe.mjs [--concurrent 4] [--mb 9.5] [--rounds 2]
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from '@cantoo/pdf-lib';
import { ROOT, api, arg, cli as cliOf, createCenter, lotseEnv, sleep, startLotse, stop, runMain } from './lib.mjs';

const DIST = join(ROOT, 'dist');
const CONCURRENT = Number(arg('concurrent', 4));
const MB = Number(arg('mb', 9.5));
const ROUNDS = Number(arg('rounds', 2));
const SLUG = 'upload-probe';
const PASSWORD = 'Probe-Passwort-2026!x';
const TOKEN = randomBytes(16).toString('hex');

const cli = (argv, env) => cliOf(DIST, argv, env);
async function metrics(base) {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const get = (name) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1] ?? NaN);
  return { heap: get('nodejs_heap_size_used_bytes'), external: get('nodejs_external_memory_bytes'), rss: get('process_resident_memory_bytes') };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'lotse-upload-probe-'));
  const env = { PATH: process.env.PATH, ...lotseEnv(work, { METRICS_TOKEN: TOKEN }) };
  let server;
  try {
    await cli(['migrate'], env);
    await createCenter(DIST, env, { slug: SLUG, name: 'Upload Probe', password: PASSWORD });
    await cli(['staff:create', '--center', SLUG, '--email', 'c1@probe.example', '--name', 'Counselor', '--role', 'counselor', '--password', PASSWORD], env);
    server = await startLotse(DIST, env);
    const base = server.base;
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
    await stop(server);
    rmSync(work, { recursive: true, force: true });
  }
}
runMain(main);
