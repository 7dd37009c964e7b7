import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { call, ok } from '../harness/ack';
import { closeAllSockets, seedCenter, startApp, TestApp } from '../harness/app';
import { counselorOnShift, liveVisitor } from '../factories/live';
import { TestClock } from '../harness/clock';
import { onMariaDb, REDIS_URL } from '../harness/env';

/**
 * The day key of the address hashes through the whole app: a visitor blocked (token and address)
 * shortly before midnight UTC stays blocked by address after midnight, although the new day's key
 * hashes the address differently; the stored hash is not today's hash of that address; and on
 * Redis runs the day key sits in Redis with its expiry.
 */
describe('address hashes across midnight (UTC)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  const clock = new TestClock();

  beforeAll(async () => {
    // just before the next midnight UTC (10 minutes before)
    const now = Date.now();
    const midnight = Math.ceil(now / 86_400_000) * 86_400_000;
    clock.advance(Math.max(0, midnight - now - 10 * 60_000));
    t = await startApp({ env: { TRUSTED_PROXIES: '127.0.0.1' }, clock });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
    await t?.dropDb();
  });

  it("should keep an address block made before midnight after it, with the new day's key", async () => {
    const c = await seedCenter(t, { counselors: 1, clients: 0, settings: { liveBlockHours: 24 } });
    const s = await counselorOnShift(t, c, 0, 1);
    const busy = await liveVisitor(t, c, '198.51.100.1');
    ok(await call(busy.socket, 'queue.join', {}));
    const fake = await liveVisitor(t, c, '203.0.113.66');
    expect(ok(await call(fake.socket, 'queue.join', {}))).toEqual({ position: 1 });
    ok(await call(s, 'queue.remove', { visitorId: fake.id, block: true }));
    const rows = await t.app.get(DataSource).query<{ address_hash: string }[]>('SELECT address_hash FROM visitor_blocks WHERE center_id = ?', [c.centerId]);
    expect(rows).toHaveLength(1);
    const before = rows[0]!.address_hash;
    expect(before).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(before).not.toContain('203.0.113.66');

    // 20 minutes later: the next UTC day
    clock.advance(20 * 60_000);
    const fresh = await liveVisitor(t, c, '203.0.113.66');
    await expect(call(fresh.socket, 'queue.join', {})).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const other = await liveVisitor(t, c, '203.0.113.67');
    await expect(call(other.socket, 'queue.join', {})).resolves.toMatchObject({ ok: true });

    if (onMariaDb) {
      // both days' keys are in Redis, each expiring a day and an hour after the end of its day
      const redis = new Redis(REDIS_URL);
      try {
        const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
        for (const ms of [clock.now().getTime() - 86_400_000, clock.now().getTime()]) {
          const expiry = Number(await redis.call('PEXPIRETIME', `lotse:addrkey:${day(ms)}`));
          expect(expiry).toBe(Date.parse(`${day(ms)}T00:00:00.000Z`) + 86_400_000 + 25 * 3_600_000);
        }
      } finally {
        redis.disconnect();
      }
    }
  });
});
