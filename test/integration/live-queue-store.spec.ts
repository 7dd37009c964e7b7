import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { MemoryQueueStore } from '../../src/modules/live-queue/memory-queue.store';
import { queueKeys } from '../../src/modules/live-queue/queue-scripts';
import { LiveQueueStore } from '../../src/modules/live-queue/queue-store';
import { RedisQueueStore } from '../../src/modules/live-queue/redis-queue.store';
import { onMariaDb, REDIS_URL } from '../harness/env';

// The Redis store answers "unavailable" at once while its client is not ready (Redis away), so a
// test waits for the connection first, as the server does at its start.
const kinds: [string, () => { store: LiveQueueStore; close: () => void; ready: Promise<unknown> }][] = [
  ['memory', () => ({ store: new MemoryQueueStore(), close: () => undefined, ready: Promise.resolve() })],
];
if (onMariaDb) {
  kinds.push([
    'redis',
    () => {
      const redis = new Redis(REDIS_URL);
      return { store: new RedisQueueStore(redis), close: () => redis.disconnect(), ready: new Promise((resolve) => redis.once('ready', resolve)) };
    },
  ]);
}

describe.each(kinds)('live queue store (%s)', (_kind, make) => {
  let store: LiveQueueStore;
  let close: () => void;
  let ready: Promise<unknown>;
  let center: string;
  const join = (v: string, limit = 3, now = 1000, address: string | null = null, perAddress = 0) =>
    store.join(center, v, { now, limit, message: `hello ${v}`, address, perAddress, ttlMs: 60_000 });

  beforeEach(async () => {
    ({ store, close, ready } = make());
    await ready;
    center = randomUUID();
  });
  afterEach(() => close());

  it('should answer closed when no shift is open', async () => {
    await expect(join('v1')).resolves.toMatchObject({ status: 'closed' });
  });

  it('should assign up to maxChats, queue up to the limit and refuse beyond it', async () => {
    await store.openShift(center, 'c1', 2, 10);
    const outcomes = [];
    for (let i = 0; i < 7; i++) outcomes.push(await join(`v${i}`));
    expect(outcomes.map((o) => o.status)).toEqual(['assigned', 'assigned', 'waiting', 'waiting', 'waiting', 'full', 'full']);
    expect(outcomes.map((o) => (o.status === 'waiting' ? o.position : null))).toEqual([null, null, 1, 2, 3, null, null]);
    await expect(join('v2')).resolves.toMatchObject({ status: 'already' });
    await expect(join('v0')).resolves.toMatchObject({ status: 'already' });
    await expect(store.status(center)).resolves.toEqual({ shifts: 1, waiting: 3, freeSeats: 0 });
    const snap = await store.snapshot(center);
    expect(snap.map((e) => [e.visitorId, e.firstMessage])).toEqual([
      ['v2', 'hello v2'],
      ['v3', 'hello v3'],
      ['v4', 'hello v4'],
    ]);
  });

  it('should give the head of the queue the freed seat and move everybody up when a chat ends', async () => {
    await store.openShift(center, 'c1', 1, 10);
    await join('v0');
    await join('v1');
    await join('v2');
    const change = await store.release(center, 'v0', 'c1', 2000);
    expect(change.assigned).toEqual([{ visitorId: 'v1', counselorId: 'c1', message: 'hello v1', joinedAt: 1000, address: null, assignedAt: 2000 }]);
    expect(change.positions).toEqual([{ visitorId: 'v2', position: 1 }]);
    // a second release of the same chat frees nothing
    const again = await store.release(center, 'v0', 'c1', 2001);
    expect(again.assigned).toEqual([]);
    await expect(store.status(center)).resolves.toEqual({ shifts: 1, waiting: 1, freeSeats: 0 });
  });

  it('should pick the least loaded counselor and on ties the longest idle', async () => {
    await store.openShift(center, 'b', 3, 20);
    await store.openShift(center, 'a', 3, 10);
    const first = await join('v0', 3, 100);
    const second = await join('v1', 3, 200);
    const third = await join('v2', 3, 300);
    expect([first, second, third].map((o) => o.change.assigned[0]?.counselorId)).toEqual(['a', 'b', 'a']);
  });

  it('should move the ones behind up when a visitor leaves and drain when a shift opens', async () => {
    await store.openShift(center, 'c1', 1, 10);
    for (const v of ['v0', 'v1', 'v2', 'v3']) await join(v, 5);
    const left = await store.leave(center, 'v2');
    expect(left).toMatchObject({ left: true, removed: ['v2'], positions: [{ visitorId: 'v3', position: 2 }] });
    await expect(store.leave(center, 'v2')).resolves.toMatchObject({ left: false });
    const opened = await store.openShift(center, 'c2', 1, 20);
    expect(opened.assigned).toMatchObject([{ visitorId: 'v1', counselorId: 'c2' }]);
    expect(opened.positions).toEqual([{ visitorId: 'v3', position: 1 }]);
    const raised = await store.openShift(center, 'c2', 2, 30);
    expect(raised.assigned).toMatchObject([{ visitorId: 'v3', counselorId: 'c2' }]);
  });

  it('should send everybody home when the last shift closes but not before', async () => {
    await store.openShift(center, 'c1', 1, 10);
    await store.openShift(center, 'c2', 1, 10);
    for (const v of ['v0', 'v1', 'v2', 'v3']) await join(v, 5);
    await expect(store.closeShift(center, 'c1')).resolves.toMatchObject({ lastClosed: false, removed: [] });
    await expect(store.closeShift(center, 'c2')).resolves.toMatchObject({ lastClosed: true, removed: ['v2', 'v3'] });
    await expect(join('v9')).resolves.toMatchObject({ status: 'closed' });
  });

  it('should remove those who waited longer than the cutoff', async () => {
    await store.openShift(center, 'c1', 1, 10);
    await join('v0', 5, 100);
    await join('v1', 5, 100);
    await join('v2', 5, 200);
    await join('v3', 5, 300);
    const swept = await store.sweepTimeouts(center, 250);
    expect(swept.removed).toEqual(['v1', 'v2']);
    expect(swept.positions).toEqual([{ visitorId: 'v3', position: 1 }]);
  });

  it('should restore shifts and seats once when the state was lost', async () => {
    const r = await store.restore(center, { shifts: [{ counselorId: 'c1', maxChats: 2 }], chats: [{ visitorId: 'old', counselorId: 'c1' }] }, 10);
    expect(r.restored).toBe(true);
    await expect(store.restore(center, { shifts: [], chats: [] }, 11)).resolves.toMatchObject({ restored: false });
    await expect(join('v0')).resolves.toMatchObject({ status: 'assigned' });
    await expect(join('v1')).resolves.toMatchObject({ status: 'waiting', position: 1 });
    await expect(store.release(center, 'old', 'c1', 20)).resolves.toMatchObject({ assigned: [{ visitorId: 'v1', counselorId: 'c1' }] });
  });

  it('should hand the waiting entry (message, join time, address) to the assignment and carry the message when assigned at once', async () => {
    await store.openShift(center, 'c1', 1, 10);
    const now = await join('v0', 3, 100, 'addrA');
    expect(now.change.assigned).toEqual([{ visitorId: 'v0', counselorId: 'c1', message: 'hello v0', joinedAt: 100, address: 'addrA', assignedAt: 100 }]);
    await join('v1', 3, 200, 'addrB');
    const later = await store.release(center, 'v0', 'c1', 900);
    expect(later.assigned).toEqual([{ visitorId: 'v1', counselorId: 'c1', message: 'hello v1', joinedAt: 200, address: 'addrB', assignedAt: 900 }]);
    await expect(store.snapshot(center)).resolves.toEqual([]);
  });

  it('should cap waiting visitors per address inside the join and free a place when one leaves', async () => {
    await store.openShift(center, 'c1', 1, 10);
    await join('busy', 10);
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await join(`a${i}`, 10, 1000, 'same', 2));
    expect(outcomes.map((o) => o.status)).toEqual(['waiting', 'waiting', 'address_full', 'address_full']);
    await expect(join('other', 10, 1000, 'elsewhere', 2)).resolves.toMatchObject({ status: 'waiting', position: 3 });
    expect((await store.snapshot(center)).map((e) => [e.visitorId, e.address])).toEqual([
      ['a0', 'same'],
      ['a1', 'same'],
      ['other', 'elsewhere'],
    ]);
    await store.leave(center, 'a0');
    await expect(join('a9', 10, 1000, 'same', 2)).resolves.toMatchObject({ status: 'waiting' });
    // a visitor who got a seat no longer counts as waiting from the address
    await store.release(center, 'busy', 'c1', 2000);
    await expect(join('a8', 10, 1000, 'same', 2)).resolves.toMatchObject({ status: 'waiting' });
  });

  it('should never assign to an away counselor, drain when they are back and report each flip once', async () => {
    await store.openShift(center, 'c1', 2, 10);
    await expect(store.setAway(center, 'nobody', true, 15)).resolves.toMatchObject({ changed: false });
    await expect(store.setAway(center, 'c1', true, 20)).resolves.toMatchObject({ changed: true });
    await expect(store.setAway(center, 'c1', true, 21)).resolves.toMatchObject({ changed: false });
    await expect(join('v0')).resolves.toMatchObject({ status: 'waiting', position: 1 });
    await expect(store.status(center)).resolves.toEqual({ shifts: 1, waiting: 1, freeSeats: 0 });
    const back = await store.setAway(center, 'c1', false, 30);
    expect(back).toMatchObject({ changed: true, assigned: [{ visitorId: 'v0', counselorId: 'c1' }] });
    await expect(store.setAway(center, 'c1', false, 31)).resolves.toMatchObject({ changed: false, assigned: [] });
    await store.setAway(center, 'c1', true, 40);
    await store.closeShift(center, 'c1');
    await expect(store.seats(center)).resolves.toMatchObject({ away: [] });
  });

  it('should move a seat to a present counselor with room on hand-over, and to nobody else', async () => {
    await store.openShift(center, 'gone', 1, 10);
    await join('v0');
    await store.openShift(center, 'full', 1, 10);
    await join('v1');
    await store.setAway(center, 'gone', true, 20);
    await expect(store.handOver(center, 'v0', 'gone', 30)).resolves.toEqual({ to: null });
    await store.openShift(center, 'away2', 2, 10);
    await store.setAway(center, 'away2', true, 20);
    await expect(store.handOver(center, 'v0', 'gone', 30)).resolves.toEqual({ to: null });
    await store.openShift(center, 'free', 2, 10);
    await expect(store.handOver(center, 'v0', 'someone-else', 30)).resolves.toEqual({ to: null });
    await expect(store.handOver(center, 'v0', 'gone', 30)).resolves.toEqual({ to: 'free' });
    const seats = await store.seats(center);
    expect(new Map(seats.inChat.map((c) => [c.visitorId, c.counselorId]))).toEqual(
      new Map([
        ['v0', 'free'],
        ['v1', 'full'],
      ]),
    );
    expect(seats.load).toEqual({ free: 1, full: 1 });
    expect(new Set(seats.away)).toEqual(new Set(['gone', 'away2']));
    // the freed seat of the old counselor is not reused while they are away; the new one's is released normally
    await expect(store.release(center, 'v0', 'free', 40)).resolves.toMatchObject({ assigned: [] });
    await expect(store.seats(center)).resolves.toMatchObject({ load: { full: 1 } });
  });

  it('should keep the invariants when many join at once', async () => {
    await store.openShift(center, 'c1', 3, 10);
    await store.openShift(center, 'c2', 3, 10);
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => join(`v${i}`, 20)));
    expect(outcomes.filter((o) => o.status === 'assigned')).toHaveLength(6);
    const positions = outcomes.flatMap((o) => (o.status === 'waiting' ? [o.position] : [])).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(outcomes.filter((o) => o.status === 'full')).toHaveLength(74);
  });

  if (_kind === 'redis') {
    it('should keep all keys of a center under one hash tag', () => {
      expect(new Set(queueKeys(center).map((k) => k.slice(0, k.indexOf('}') + 1)))).toEqual(new Set([`lotse:{${center}}`]));
    });

    it('should give every key that holds a waiting person an expiry', async () => {
      const redis = new Redis(REDIS_URL);
      try {
        await store.openShift(center, 'c1', 1, 10);
        await join('v0', 3, 1000, 'addrA');
        await join('v1', 3, 1000, 'addrA');
        const keys = queueKeys(center);
        const personal = ['queue', 'entries', 'msgs', 'addr', 'addrn'].map((n) => keys.find((k) => k.endsWith(`:live:${n}`))!);
        for (const k of personal) {
          const ttl = await redis.pttl(k);
          expect([k, ttl > 0 && ttl <= 60_000]).toEqual([k, true]);
        }
      } finally {
        redis.disconnect();
      }
    });
  }
});
