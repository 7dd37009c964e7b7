import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { MemoryQueueStore } from '../../src/modules/live-queue/memory-queue.store';
import { queueKeys } from '../../src/modules/live-queue/queue-scripts';
import { LiveQueueStore } from '../../src/modules/live-queue/queue-store';
import { RedisQueueStore } from '../../src/modules/live-queue/redis-queue.store';
import { onMariaDb, REDIS_URL } from '../harness/env';

const kinds: [string, () => { store: LiveQueueStore; close: () => void }][] = [['memory', () => ({ store: new MemoryQueueStore(), close: () => undefined })]];
if (onMariaDb) {
  kinds.push([
    'redis',
    () => {
      const redis = new Redis(REDIS_URL);
      return { store: new RedisQueueStore(redis), close: () => redis.disconnect() };
    },
  ]);
}

describe.each(kinds)('live queue store (%s)', (_kind, make) => {
  let store: LiveQueueStore;
  let close: () => void;
  let center: string;
  const join = (v: string, limit = 3, now = 1000) => store.join(center, v, { now, limit, message: `hello ${v}` });

  beforeEach(() => {
    ({ store, close } = make());
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
    expect(change.assigned).toEqual([{ visitorId: 'v1', counselorId: 'c1' }]);
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
    expect(opened.assigned).toEqual([{ visitorId: 'v1', counselorId: 'c2' }]);
    expect(opened.positions).toEqual([{ visitorId: 'v3', position: 1 }]);
    const raised = await store.openShift(center, 'c2', 2, 30);
    expect(raised.assigned).toEqual([{ visitorId: 'v3', counselorId: 'c2' }]);
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
  }
});
