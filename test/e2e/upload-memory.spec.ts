import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { pdfOfSize } from '../factories/pdfs';
import { createMariaDb, onMariaDb, REDIS_URL, TEST_MASTER_KEY, tempDataDir } from '../harness/env';
import { DIST_CLI, DIST_MAIN, freePort, requireBuild, Spawned, spawnNode } from '../harness/spawn';

const SLUG = 'upload-memory';
const PASSWORD = 'Correct-Horse-9-Battery';
const MB = 1024 * 1024;
const CONCURRENT = 4;

interface Memory {
  heap: number;
  external: number;
  rss: number;
}

/**
 * Issue 15: a 10 MB PDF upload must not grow the server's heap by more than a few MB per upload in
 * flight. Measured in the spawned server (dist/main.js) through GET /metrics (METRICS_TOKEN), sampled
 * while CONCURRENT uploads of a 9.5 MB PDF run at once: the V8 heap, and beside it the Buffers
 * (external memory) the upload path holds (the file, the worker's copy, one batch of encrypted chunks).
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

  it('should grow the heap by at most a few MB per 10 MB upload in flight', async () => {
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
    const upload = () =>
      request(base)
        .post(`/api/threads/${thread.id}/documents`)
        .set('Authorization', `Bearer ${client.token}`)
        .attach('file', pdf, { filename: 'Befund.pdf', contentType: 'application/pdf' })
        .expect(201);
    await upload(); // the worker script and the keys are loaded once

    await new Promise((r) => setTimeout(r, 1000));
    const idle = await metrics();
    const peak = { ...idle };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = await metrics();
        for (const k of ['heap', 'external', 'rss'] as const) peak[k] = Math.max(peak[k], m[k]);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all(Array.from({ length: CONCURRENT }, upload));
    sampling = false;
    await sampler;
    const per = (k: keyof Memory) => (peak[k] - idle[k]) / CONCURRENT / MB;
    // the figures for docs/perf-log-perf-queue.md
    process.stdout.write(
      `upload memory per upload in flight: heap ${per('heap').toFixed(1)} MB, external ${per('external').toFixed(1)} MB, rss ${per('rss').toFixed(1)} MB\n`,
    );
    expect(per('heap')).toBeLessThanOrEqual(4);
    // the Buffers: the file and one copy for the PDF worker at most, never a third (an encrypted copy of the whole file)
    expect(per('external')).toBeLessThanOrEqual((2 * pdf.length) / MB + 2);
  }, 180_000);
});
