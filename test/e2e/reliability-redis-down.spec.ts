import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LIVE_UNAVAILABLE_MESSAGE, LiveQueueService } from '../../src/modules/live-queue/live-queue.service';
import { STORE_OUTAGE_RETRY_MS } from '../../src/infra/redis/rate-limit.service';
import { call, ok } from '../harness/ack';
import { connect, nextEvent, seedCenter, TestApp, TestSocket, visitor } from '../harness/app';
import { createRoom, PASSWORD } from '../factories';
import { PrivateApp, startPrivateApp } from '../harness/private-app';
import type { PrivateService } from '../harness/services';

/**
 * Redis away (a private redis-server of this file, stopped and started again; never the shared
 * one): chat keeps acking on the database, the live queue answers LIVE_CLOSED "for a moment" at
 * once, and the login/registration/reset limits fail closed with RATE_LIMITED + retryAfterMs.
 */
describe('Redis down', () => {
  let p: PrivateApp;
  let redis: PrivateService;
  let t: TestApp;

  beforeAll(async () => {
    // RATE_LIMITS on: the per-address limits of registration and reset are in force (startApp lifts them by default)
    p = await startPrivateApp({ redis: true, env: { RATE_LIMITS: 'on' } });
    ({ t, redis } = p as Required<PrivateApp>);
  });
  afterAll(async () => {
    await p?.close();
  });

  const health = (path: string) => p.health(path);
  const until: PrivateApp['until'] = (what, probe, done, ms = 15_000) => p.until(what, probe, done, ms);

  it('should keep chat acking on the database, close the live queue for a moment and fail login limits closed, then recover', async () => {
    const c = await seedCenter(t, { counselors: 1, clients: 1 });
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const client = await connect(t.url, c.clients[0]!.token);
    const roomId = await createRoom(counselor, { memberIds: [c.clients[0]!.id] });
    ok(await call(client, 'room.join', { roomId }));
    ok(await call(counselor, 'shift.open', { maxChats: 1 }));
    const waiting: TestSocket = await connect(t.url, (await visitor(t, c.slug)).token);
    expect(ok(await call(waiting, 'queue.join', {}))).toEqual({ position: 0 });

    await redis.stop();
    await until(
      'Redis seen down',
      () => health('/health'),
      (h) => h.body.redis === 'down',
    );

    // chat: acked after the commit, pushed to the member on this node, in the database
    const pushed = nextEvent(client, 'message.created', 5000);
    const started = performance.now();
    const sent = ok(await call(counselor, 'message.send', { roomId, clientMsgId: randomUUID(), body: 'still here while Redis is away' }));
    expect(performance.now() - started).toBeLessThan(2000);
    await expect(pushed).resolves.toMatchObject({ roomId, id: sent.id, seq: sent.seq });
    const rows: unknown = await t.app.get(DataSource).query('SELECT seq FROM messages WHERE id = ?', [sent.id]);
    expect(rows).toEqual([{ seq: sent.seq }]);

    // the live queue: LIVE_CLOSED "for a moment", at once; the public button reads closed
    const other = await connect(t.url, (await visitor(t, c.slug)).token);
    const joinStarted = performance.now();
    const join = await call(other, 'queue.join', {});
    expect(performance.now() - joinStarted).toBeLessThan(1000);
    expect(join).toEqual({ ok: false, error: { code: 'LIVE_CLOSED', message: LIVE_UNAVAILABLE_MESSAGE } });
    expect((await t.http().get(`/api/centers/${c.slug}/live`).expect(200)).body).toEqual({ open: false, full: false, waiting: 0 });

    // login, registration and password reset fail closed: RATE_LIMITED with when to retry
    for (const [path, body] of [
      ['/api/auth/login', { center: c.slug, login: c.clients[0]!.login, password: PASSWORD }],
      ['/api/auth/login', { center: c.slug, login: c.clients[0]!.login, password: 'wrong-password-123' }],
      ['/api/auth/register', { center: c.slug, username: `new-${Date.now().toString(36)}`, password: PASSWORD }],
      ['/api/auth/password-reset', { center: c.slug, login: c.clients[0]!.login }],
    ] as const) {
      const res = await t.http().post(path).send(body);
      expect({ path, status: res.status, body: res.body as unknown, retryAfter: res.headers['retry-after'] }).toEqual({
        path,
        status: 429,
        body: { error: { code: 'RATE_LIMITED', message: expect.any(String) as unknown, retryAfterMs: STORE_OUTAGE_RETRY_MS } },
        retryAfter: String(STORE_OUTAGE_RETRY_MS / 1000),
      });
    }
    // sessions that exist go on (REST and socket)
    await t.http().get('/api/threads').set('Authorization', `Bearer ${c.clients[0]!.token}`).expect(200);
    expect(ok(await call(client, 'room.history', { roomId, afterSeq: 0 })).messages.map((m) => m.id)).toContain(sent.id);

    // readiness: the database is up, so the node stays ready (every node shares the one Redis)
    expect(await health('/health')).toEqual({ status: 503, body: { status: 'unavailable', database: 'up', redis: 'down' } });
    expect(await health('/health/ready')).toEqual({ status: 200, body: { status: 'ok', database: 'up', redis: 'down' } });
    expect(await health('/health/live')).toEqual({ status: 200, body: { status: 'ok' } });

    // Redis back (empty: no persistence): health, logins and the live queue recover
    await redis.start();
    await until(
      'health up',
      () => health('/health'),
      (h) => h.status === 200 && h.body.redis === 'up',
    );
    await until(
      'a login',
      async () => (await t.http().post('/api/auth/login').send({ center: c.slug, login: c.clients[0]!.login, password: PASSWORD })).status,
      (s) => s === 200,
    );
    // the shifts and seats come back from the database (the sweep runs every 5 s on every node)
    await t.app.get(LiveQueueService).sweepQueues();
    expect(await call(other, 'queue.join', {})).toEqual({ ok: true, data: { position: 1 } });
    expect(ok(await call(counselor, 'message.send', { roomId, clientMsgId: randomUUID(), body: 'and after' })).seq).toBe(sent.seq + 1);
  });
});
