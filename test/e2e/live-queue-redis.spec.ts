import Redis from 'ioredis';
import type { ClientToServerEvents } from '../../src/realtime/contract';
import { queueKeys } from '../../src/modules/live-queue/queue-scripts';
import { LiveQueueService } from '../../src/modules/live-queue/live-queue.service';
import { call as ackCall, ok as okData, AnswerOf, PayloadOf } from '../harness/ack';
import { closeAllSockets, connect, nextEvent, seedCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { REDIS_URL } from '../harness/env';
import { expectSeatsMatchChats } from '../harness/live-invariant';
import { TcpProxy } from '../harness/tcp-proxy';

/** Commands of this suite wait up to 15 s for their ack (many sockets at once on two nodes). */
const call = <E extends keyof ClientToServerEvents>(socket: TestSocket, event: E, payload: PayloadOf<E>, ms = 15_000): Promise<AnswerOf<E>> =>
  ackCall(socket, event, payload, ms);
// A TCP proxy in front of the shared Redis that the test can cut and restore (never touching Redis itself).
describe('live chat queue when Redis fails', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let proxy: TcpProxy;
  let direct: Redis;

  beforeAll(async () => {
    proxy = new TcpProxy(new URL(REDIS_URL));
    const url = await proxy.listen();
    t = await startApp({ redis: true, env: { REDIS_URL: url } });
    direct = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
    direct.disconnect();
    await proxy.close();
  });

  it('should answer LIVE_CLOSED without crashing while Redis is unreachable and work again when it is back', async () => {
    const c = await seedCenter(t, { counselors: 1, clients: 0 });
    const s = await connect(t.url, c.counselors[0]!.token);
    okData(await call(s, 'shift.open', { maxChats: 1 }));
    const v1 = await connect(t.url, (await visitor(t, c.slug)).token);
    okData(await call(v1, 'queue.join', {}));
    const v2 = await connect(t.url, (await visitor(t, c.slug)).token);

    proxy.cut();
    const during = await call(v2, 'queue.join', {});
    expect(during).toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    expect(!during.ok && during.error.message).toMatch(/unavailable/);
    const status = await t.http().get(`/api/centers/${c.slug}/live`).expect(200);
    expect(status.body).toEqual({ open: false, full: false, waiting: 0 });

    proxy.restore();
    let answer: AnswerOf<'queue.join'> = during;
    for (let i = 0; i < 40 && !answer.ok; i++) {
      await new Promise((r) => setTimeout(r, 250));
      // while the Redis client reconnects a join can wait past the ack timeout (seen once under CI
      // load); that is "not back yet", like LIVE_CLOSED, and the loop asks again
      answer = await call(v2, 'queue.join', {}).catch(() => during);
    }
    // the state survived in Redis: the counselor is still on shift with one running chat
    expect(answer).toEqual({ ok: true, data: { position: 1 } });
    await expectRedisUp();
    await expectSeatsMatchChats(t, c.centerId);
  });

  /** /health says Redis is up within 10 s. */
  async function expectRedisUp(): Promise<void> {
    let health: unknown = null;
    for (let i = 0; i < 40 && (health as { redis?: string } | null)?.redis !== 'up'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
      health = (await t.http().get('/health')).body;
    }
    expect(health).toMatchObject({ redis: 'up' });
  }

  it('should rebuild shifts and seats from the database when Redis lost the data', async () => {
    await expectRedisUp(); // logins fail closed while Redis is away
    const c = await seedCenter(t, { counselors: 1, clients: 0 });
    const s = await connect(t.url, c.counselors[0]!.token);
    okData(await call(s, 'shift.open', { maxChats: 1 }));
    const v1 = await connect(t.url, (await visitor(t, c.slug)).token);
    const assigned = nextEvent(v1, 'queue.assigned');
    okData(await call(v1, 'queue.join', {}));
    const { roomId } = await assigned;

    await direct.del(...queueKeys(c.centerId));
    const v2 = await connect(t.url, (await visitor(t, c.slug)).token);
    await expect(call(v2, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    await t.app.get(LiveQueueService).sweepQueues();
    // the shift is back and the running chat still holds the only seat
    await expect(call(v2, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 1 } });
    const next = nextEvent(v2, 'queue.assigned');
    okData(await call(s, 'live.end', { roomId }));
    await expect(next).resolves.toMatchObject({ peer: { displayName: 'Counselor 1' } });
    await expectSeatsMatchChats(t, c.centerId);
  });

  it('should tell the visitors who were waiting when the line was lost (queue.closed lost), not the one in a chat, and let them join again', async () => {
    await expectRedisUp();
    const c = await seedCenter(t, { counselors: 1, clients: 0 });
    const other = await seedCenter(t, { counselors: 1, clients: 0 });
    const s = await connect(t.url, c.counselors[0]!.token);
    okData(await call(s, 'shift.open', { maxChats: 1 }));
    const so = await connect(t.url, other.counselors[0]!.token);
    okData(await call(so, 'shift.open', { maxChats: 1 }));
    const chatting = await connect(t.url, (await visitor(t, c.slug)).token);
    const assigned = nextEvent(chatting, 'queue.assigned');
    okData(await call(chatting, 'queue.join', {}));
    await assigned;
    const waiting = [await connect(t.url, (await visitor(t, c.slug)).token), await connect(t.url, (await visitor(t, c.slug)).token)];
    for (const w of waiting) okData(await call(w, 'queue.join', { message: 'Hallo' }));
    // a waiting visitor of another center, whose line is not lost
    const elsewhere = await connect(t.url, (await visitor(t, other.slug)).token);
    okData(await call(elsewhere, 'queue.join', {}));
    okData(await call(await connect(t.url, (await visitor(t, other.slug)).token), 'queue.join', {}));
    const heard: string[] = [];
    for (const [name, sock] of [
      ['chatting', chatting],
      ['waiting-0', waiting[0]!],
      ['waiting-1', waiting[1]!],
      ['elsewhere', elsewhere],
    ] as const)
      sock.on('queue.closed', (p: { reason: string }) => heard.push(`${name} ${p.reason}`));

    const lost = waiting.map((w) => nextEvent(w, 'queue.closed'));
    await direct.del(...queueKeys(c.centerId));
    await t.app.get(LiveQueueService).sweepQueues();
    await expect(Promise.all(lost)).resolves.toEqual([{ reason: 'lost' }, { reason: 'lost' }]);
    // they join again (what the widget does) and wait behind the running chat's seat, in the order they asked
    await expect(call(waiting[1]!, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 1 } });
    await expect(call(waiting[0]!, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 2 } });
    // the next sweep finds the state in place: it restores nothing and tells no one
    await t.app.get(LiveQueueService).sweepQueues();
    await new Promise((r) => setTimeout(r, 300));
    expect(heard.sort()).toEqual(['waiting-0 lost', 'waiting-1 lost']);
    await expectSeatsMatchChats(t, c.centerId);
  });
});
