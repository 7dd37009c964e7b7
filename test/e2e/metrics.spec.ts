import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, freePort, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { createRoom } from '../factories';
import { loadConfig } from '../../src/config/config';
import { MetricsService } from '../../src/infra/metrics/metrics.service';
import { RedisService } from '../../src/infra/redis/redis.service';
import { QueryErrorCounter } from '../../src/infra/database/query-error-counter';

/**
 * /metrics (Prometheus text): closed by default (404), a Bearer METRICS_TOKEN on the main port, or
 * a listener of its own (METRICS_PORT); counters move with what happens; no label value is an id,
 * an address or an e-mail.
 */
const TOKEN = 'metrics-token-0123456789abcdef0123456789abcdef';

/** `name{labels} value` → value (sum over the lines whose labels contain every given pair). */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let seen = false;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const l = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) {
      sum += Number(m[3]);
      seen = true;
    }
  }
  if (!seen) throw new Error(`no sample ${name} ${JSON.stringify(labels)} in:\n${text.slice(0, 3000)}`);
  return sum;
}

/** As `value`, 0 when there is no sample yet (a labelled counter shows none before its first count). */
function valueOr0(text: string, name: string, labels: Record<string, string> = {}): number {
  try {
    return value(text, name, labels);
  } catch {
    return 0;
  }
}

function labelValues(text: string): string[] {
  return [...text.matchAll(/^[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}/gm)].flatMap((m) => [...m[1]!.matchAll(/[a-zA-Z_]+="((?:[^"\\]|\\.)*)"/g)].map((v) => v[1]!));
}

function getLocal(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('/metrics', () => {
  afterEach(() => closeAllSockets());

  describe('closed by default', () => {
    let t: TestApp & { dropDb: () => Promise<void> };
    beforeAll(async () => {
      t = await startApp();
    });
    afterAll(async () => {
      await t?.close();
      await t?.dropDb();
    });

    it('should answer 404 when neither METRICS_TOKEN nor METRICS_PORT is set, with or without a token', async () => {
      const res = await t.http().get('/metrics').expect(404);
      expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
      await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    });
  });

  describe('with METRICS_TOKEN', () => {
    let t: TestApp & { dropDb: () => Promise<void> };
    let c: SeededCenter;
    const scrape = async () => (await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;

    beforeAll(async () => {
      t = await startApp({ env: { METRICS_TOKEN: TOKEN } });
      c = await seedCenter(t, { counselors: 1, clients: 1 });
    });
    afterAll(async () => {
      await t?.close();
      await t?.dropDb();
    });

    it('should answer 401 without the token or with a wrong one', async () => {
      expect((await t.http().get('/metrics').expect(401)).body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
      await t.http().get('/metrics').set('Authorization', TOKEN).expect(401);
      // a session token of a person does not open it either
      await t.http().get('/metrics').set('Authorization', `Bearer ${c.admin.token}`).expect(401);
    });

    it('should serve the Prometheus text format with the process metrics and the event-loop lag', async () => {
      const res = await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      expect(value(res.text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(value(res.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(res.text).toContain('# TYPE lotse_ack_latency_seconds histogram');
    });

    it('should count sockets, acknowledged messages with their ack latency, posts, and the shift per center', async () => {
      const before = await scrape();
      const socketsBefore = value(before, 'lotse_sockets_connected');
      const counselor = await connect(t.url, c.counselors[0]!.token);
      const client = await connect(t.url, c.clients[0]!.token);
      const roomId = await createRoom(counselor, { memberIds: [c.clients[0]!.id] });
      const mid = await scrape();
      expect(value(mid, 'lotse_sockets_connected')).toBe(socketsBefore + 2);
      const messagesBefore = value(mid, 'lotse_messages_total');
      const acksBefore = valueOr0(mid, 'lotse_ack_latency_seconds_count', { command: 'message.send', outcome: 'ok' });

      for (let i = 0; i < 3; i++) ok(await call(client, 'message.send', { roomId, clientMsgId: randomUUID(), body: `Hallo ${i}` }));
      // a refused one is timed as an error and not counted as a message
      const refused = await call(client, 'message.send', { roomId: randomUUID(), clientMsgId: randomUUID(), body: 'x' });
      expect(refused.ok).toBe(false);
      const thread = await t
        .http()
        .post('/api/threads')
        .set('Authorization', `Bearer ${c.clients[0]!.token}`)
        .send({ subject: 'Frage', body: 'Eine Frage' })
        .expect(201);
      expect(thread.body).toHaveProperty('id');
      ok(await call(counselor, 'shift.open', { maxChats: 2 }));

      const after = await scrape();
      expect(value(after, 'lotse_messages_total')).toBe(messagesBefore + 3);
      expect(value(after, 'lotse_ack_latency_seconds_count', { command: 'message.send', outcome: 'ok' })).toBe(acksBefore + 3);
      expect(value(after, 'lotse_ack_latency_seconds_count', { command: 'message.send', outcome: 'error' })).toBeGreaterThanOrEqual(1);
      expect(value(after, 'lotse_thread_posts_total', { kind: 'post' })).toBeGreaterThanOrEqual(1);
      expect(value(after, 'lotse_counselors_on_shift', { center: c.slug })).toBe(1);
      expect(value(after, 'lotse_live_free_seats', { center: c.slug })).toBe(2);
      expect(value(after, 'lotse_live_waiting_visitors', { center: c.slug })).toBe(0);

      counselor.disconnect();
      client.disconnect();
      for (let i = 0; i < 50; i++) {
        if (value(await scrape(), 'lotse_sockets_connected') === socketsBefore) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(value(await scrape(), 'lotse_sockets_connected')).toBe(socketsBefore);
    });

    it('should carry no id, address, e-mail, login or text in any label value', async () => {
      const text = await scrape();
      const values = labelValues(text);
      expect(values.length).toBeGreaterThan(10);
      const people = [c.admin, ...c.counselors, ...c.clients].flatMap((l) => [l.id, l.login, l.displayName, l.token]);
      for (const v of values) {
        expect(v).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
        expect(v).not.toMatch(/@/);
        expect(v).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
        expect(v).not.toMatch(/Hallo|Frage/);
        expect(people).not.toContain(v);
      }
      // and nothing of that anywhere in the text
      for (const secret of [...people, c.centerId]) expect(text).not.toContain(secret);
    });
  });

  describe('with METRICS_PORT', () => {
    let t: TestApp & { dropDb: () => Promise<void> };
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      t = await startApp({ env: { METRICS_PORT: String(port) } });
    });
    afterAll(async () => {
      await t?.close();
      await t?.dropDb();
    });

    it('should serve /metrics on its own listener on 127.0.0.1 and not on the main port', async () => {
      const res = await getLocal(port, '/metrics');
      expect(res.status).toBe(200);
      expect(value(res.body, 'lotse_sockets_connected')).toBe(0);
      expect((await getLocal(port, '/api/centers')).status).toBe(404);
      await t.http().get('/metrics').expect(404);
    });
  });

  describe('error counters', () => {
    it('should count the errors of a Redis connection that cannot reach its server', async () => {
      const metrics = new MetricsService();
      const dead = await freePort();
      const redis = new RedisService(loadConfig({ REDIS_URL: `redis://127.0.0.1:${dead}`, DATA_DIR: '/tmp' }), metrics);
      try {
        for (let i = 0; i < 100 && valueOr0(await metrics.scrape(), 'lotse_redis_errors_total') === 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(value(await metrics.scrape(), 'lotse_redis_errors_total', { connection: 'main' })).toBeGreaterThan(0);
      } finally {
        await redis.onApplicationShutdown();
      }
    });

    it('should count failed queries but not the unique-index refusals the code expects', async () => {
      const metrics = new MetricsService();
      const counter = new QueryErrorCounter(metrics);
      counter.logQueryError(Object.assign(new Error('UNIQUE constraint failed: messages.room_id'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }));
      expect(value(await metrics.scrape(), 'lotse_database_errors_total')).toBe(0);
      counter.logQueryError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      counter.logQueryError('Connection lost: The server closed the connection.');
      expect(value(await metrics.scrape(), 'lotse_database_errors_total')).toBe(2);
    });
  });
});
