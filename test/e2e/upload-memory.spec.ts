import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { PDF_LIMITS } from '../../src/modules/documents/pdf-sandbox';
import { pdfOfSize } from '../factories/pdfs';
import { createMariaDb, onMariaDb, REDIS_URL, TEST_MASTER_KEY, tempDataDir } from '../harness/env';
import { slowUpload } from '../harness/slow-upload';
import { DIST_CLI, DIST_MAIN, freePort, requireBuild, Spawned, spawnNode } from '../harness/spawn';

const SLUG = 'upload-memory';
const PASSWORD = 'Correct-Horse-9-Battery';
const MB = 1024 * 1024;
/** Uploads in flight at once: well above the inspection gate's N (PDF_LIMITS.concurrency). */
const CONCURRENT = 8;
/** How long each body takes to arrive: long enough that all of them are in flight together. */
const STREAM_MS = 6000;
/** What an upload in flight may add to the server's memory while its body streams ("a few MB"). */
const PER_UPLOAD_MB = { heap: 4, external: 5, rss: 4 };
/** What an upload in flight may keep held (not garbage) while its body streams. */
const HELD_PER_UPLOAD_MB = 2;
/**
 * The whole run's RSS also holds the allocator's fragmentation, which grows with the machine's
 * load (the CI runs its tiers side by side): 130 MB against a bound of 121 on MariaDB there, with
 * nothing held. 2 MB more per upload keeps the old memory storage red (192 MB against 175 on SQLite).
 */
const WHOLE_RUN_SLACK_MB = { heap: 0, external: 0, rss: 2 };
const KINDS = ['heap', 'external', 'rss'] as const;

interface Memory {
  heap: number;
  /** Buffers and ArrayBuffers outside the V8 heap (process.memoryUsage().external, arrayBuffers included). */
  external: number;
  rss: number;
}

/** The server process's resident set: now, and its peak since the last `resetPeak` (VmHWM). */
const procStatus = (pid: number, field: 'VmRSS' | 'VmHWM'): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
/** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux): the peak of a phase, not of the process's life. */
const resetPeak = (pid: number): boolean => {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
};

/**
 * Issue 15: a 10 MB PDF upload streams with bounded memory. Measured in the spawned server
 * (dist/main.js): the V8 heap and the external memory (Buffers, ArrayBuffers) through GET /metrics
 * (METRICS_TOKEN), the resident set (worker threads included) from /proc, while CONCURRENT uploads
 * of a 9.5 MB PDF stream slowly at once. While the bodies arrive each may add only a few MB
 * (PER_UPLOAD_MB); over the whole run the server may in addition hold N files whole for the PDF
 * inspection (N = PDF_LIMITS.concurrency, each measured as one upload alone), never more.
 */
describe('upload memory (spawned server, /metrics)', () => {
  const token = randomBytes(16).toString('hex');
  const dataDir = tempDataDir();
  let server: Spawned | undefined;
  let base = '';
  let drop = async (): Promise<void> => undefined;

  const metrics = async (): Promise<Memory> => {
    const text = (await request(base).get('/metrics').set('Authorization', `Bearer ${token}`).expect(200)).text;
    const get = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { heap: get('nodejs_heap_size_used_bytes'), external: get('nodejs_external_memory_bytes'), rss: get('process_resident_memory_bytes') };
  };

  beforeAll(async () => {
    requireBuild();
    const env: Record<string, string> = {
      DATA_DIR: join(dataDir, 'data'),
      MASTER_KEY: TEST_MASTER_KEY,
      RATE_LIMITS: 'off',
      DEMO: 'off',
      CLIENT: 'off',
      LOG_LEVEL: 'warn',
      METRICS_TOKEN: token,
    };
    if (onMariaDb) {
      const db = await createMariaDb();
      drop = db.drop;
      Object.assign(env, { DATABASE_URL: db.url, REDIS_URL });
    }
    const cli = async (args: string[]) => {
      const proc = spawnNode(DIST_CLI, args, env);
      if ((await proc.exited) !== 0) throw new Error(`cli ${args[0]} failed:\n${proc.stdout()}${proc.stderr()}`);
    };
    await cli(['migrate']);
    await cli(['center:create', '--slug', SLUG, '--name', 'Upload Memory', '--admin-email', 'admin@upload.example', '--admin-password', PASSWORD]);
    await cli(['staff:create', '--center', SLUG, '--email', 'c1@upload.example', '--name', 'Counselor', '--role', 'counselor', '--password', PASSWORD]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawnNode(DIST_MAIN, [], { ...env, PORT: String(port), PUBLIC_URL: base });
    await server.waitFor(/Lotse listens on/, 60_000);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should add at most a few MB per 10 MB upload in flight, beyond the N files the inspection gate lets into memory', async () => {
    const login = async (who: string) =>
      (await request(base).post('/api/auth/login').send({ center: SLUG, login: who, password: PASSWORD }).expect(200)).body as {
        token: string;
        account: { id: string };
      };
    const admin = await login('admin@upload.example');
    const counselor = await login('c1@upload.example');
    await request(base)
      .patch(`/api/centers/${SLUG}/settings`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ documentDailyQuota: 1000, documentDailyBytes: 1024 * MB })
      .expect(200);
    const client = (await request(base).post('/api/auth/register').send({ center: SLUG, username: 'upload-client', password: PASSWORD }).expect(201)).body as {
      token: string;
    };
    const thread = (
      await request(base).post('/api/threads').set('Authorization', `Bearer ${client.token}`).send({ subject: 'Frage', body: 'Hallo' }).expect(201)
    ).body as { id: string };
    await request(base)
      .post(`/api/threads/${thread.id}/assign`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ counselorId: counselor.account.id })
      .expect(200);
    const pdf = await pdfOfSize(Math.floor(9.5 * MB));
    const path = `/api/threads/${thread.id}/documents`;
    const pid = server!.child.pid!;
    const piece = 64 * 1024;
    const everyMs = Math.round(STREAM_MS / (pdf.length / piece));

    /**
     * Runs `uploads` slow uploads at once. Growth is measured from the floor (the lowest sample of
     * the phase, idle included: garbage a previous phase left is no baseline), as the peak while
     * every body is still arriving, as what stays held at the end of that (the lowest sample of its
     * last 1.5 s: garbage is collected in between, a body held in memory is not), and as the peak of
     * the whole run.
     */
    const phase = async (uploads: number) => {
      await new Promise((r) => setTimeout(r, 1000));
      const sample = async (): Promise<Memory> => ({ ...(await metrics()), rss: procStatus(pid, 'VmRSS') });
      const idle = await sample();
      const hwm = resetPeak(pid);
      const floor = { ...idle };
      const streaming = { ...idle };
      const whole = { ...idle };
      const tail: { at: number; m: Memory }[] = [];
      let inStream = true;
      let sampling = true;
      const all = Array.from({ length: uploads }, () => slowUpload(base, path, client.token, pdf, { piece, everyMs }));
      const sampler = (async () => {
        while (sampling) {
          const m = await sample();
          // UPLOAD_MEMORY_TRACE=1: every sample (S while the bodies stream, W afterwards), external/rss MB and each body's progress
          if (process.env.UPLOAD_MEMORY_TRACE)
            process.stdout.write(
              `${inStream ? 'S' : 'W'} ${Math.round(m.external / MB)}/${Math.round(m.rss / MB)} ${all.map((u) => Math.round((100 * u.sent()) / pdf.length)).join(',')}\n`,
            );
          for (const k of KINDS) {
            floor[k] = Math.min(floor[k], m[k]);
            whole[k] = Math.max(whole[k], m[k]);
            if (inStream) streaming[k] = Math.max(streaming[k], m[k]);
          }
          if (inStream) tail.push({ at: Date.now(), m });
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      // the streaming phase ends when the first body is 90 % through: until then no upload can be past its body
      while (all.every((u) => u.sent() < 0.9 * pdf.length)) await new Promise((r) => setTimeout(r, 10));
      inStream = false;
      const end = Date.now();
      if (hwm) streaming.rss = Math.max(streaming.rss, procStatus(pid, 'VmHWM'));
      const answers = await Promise.all(all.map((u) => u.answer));
      sampling = false;
      await sampler;
      if (hwm) whole.rss = Math.max(whole.rss, procStatus(pid, 'VmHWM'));
      expect(answers.map((a) => a.status)).toEqual(all.map(() => 201));
      const last = tail.filter((t) => t.at >= end - 1500).map((t) => t.m);
      const held = Object.fromEntries(KINDS.map((k) => [k, Math.min(...last.map((m) => m[k]))])) as unknown as Memory;
      const growth = (peak: Memory): Memory => ({
        heap: (peak.heap - floor.heap) / MB,
        external: (peak.external - floor.external) / MB,
        rss: (peak.rss - floor.rss) / MB,
      });
      return { streaming: growth(streaming), held: growth(held), whole: growth(whole) };
    };
    const show = (m: Memory, n: number) => `heap ${(m.heap / n).toFixed(1)} MB, external ${(m.external / n).toFixed(1)} MB, rss ${(m.rss / n).toFixed(1)} MB`;

    await phase(1); // the worker script and the keys are loaded once
    const one = await phase(1);
    const many = await phase(CONCURRENT);
    const gate = PDF_LIMITS.concurrency;
    // the figures for docs/perf-log-perf-upload.md
    process.stdout.write(
      `upload memory (${CONCURRENT} x ${(pdf.length / MB).toFixed(1)} MB streaming over ${STREAM_MS} ms, gate N=${gate}):\n` +
        `  one upload alone, whole run: ${show(one.whole, 1)}\n` +
        `  per upload in flight while the bodies stream, peak: ${show(many.streaming, CONCURRENT)}\n` +
        `  per upload in flight while the bodies stream, held: ${show(many.held, CONCURRENT)}\n` +
        `  whole run, total: ${show(many.whole, 1)}\n`,
    );
    const within = (what: string, value: number, bound: number) => ({ what, value: Math.round(value * 10) / 10, bound, ok: value <= bound });
    const checks = KINDS.flatMap((k) => [
      // while the bodies stream, nothing is whole in memory: a few MB per upload in flight (garbage not yet collected included)
      within(`${k} per upload while streaming`, many.streaming[k] / CONCURRENT, PER_UPLOAD_MB[k]),
      // and what stays: next to nothing per upload (a body held in memory would be 8.5 MB here). Only
      // for the heap and the external memory, which a collection gives back: freed pages stay in the
      // resident set at the allocator's will (3.7 MB per upload in a CI run with nothing held, against
      // its own streaming peak of at most 4), so the RSS is bounded by the peak and the whole run only.
      ...(k === 'rss' ? [] : [within(`${k} held per upload while streaming`, many.held[k] / CONCURRENT, HELD_PER_UPLOAD_MB)]),
      // over the whole run: at most N uploads' worth of inspection (as one upload alone costs), plus a few MB for every upload in flight
      within(`${k} whole run`, many.whole[k], Math.round(gate * Math.max(one.whole[k], 0) + CONCURRENT * (PER_UPLOAD_MB[k] + WHOLE_RUN_SLACK_MB[k]))),
    ]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  }, 240_000);
});
