import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config';
import { ADDRESS_KEY_RETENTION_MS, AddressHasher, utcDay } from '../../src/infra/redis/address-hasher';
import { RedisService } from '../../src/infra/redis/redis.service';
import { REDIS_URL } from '../harness/env';

/**
 * IP addresses become an HMAC with a random key per UTC day (src/infra/redis/address-hasher.ts):
 * two days give unlinkable hashes, every node of an installation agrees within a day (the key is
 * shared through Redis), and a key is gone after the retention (Redis expiry / memory).
 */
const DAY = 24 * 60 * 60 * 1000;
const MASTER = randomBytes(32);
const IP = '203.0.113.77';

class FakeClock extends Clock {
  constructor(public ms: number) {
    super();
  }
  now(): Date {
    return new Date(this.ms);
  }
}

const redisService = (url: string | null) => new RedisService(loadConfig({ DATA_DIR: '/tmp', ...(url ? { REDIS_URL: url } : {}) }));

async function ready(r: RedisService): Promise<void> {
  for (let i = 0; i < 100 && r.client && r.client.status !== 'ready'; i++) await new Promise((res) => setTimeout(res, 20));
}

describe('AddressHasher without Redis (one node, keys in memory)', () => {
  const noon = Date.parse('2026-03-10T12:00:00.000Z');

  it('should give the same hash for an address all day and another one the next day', async () => {
    const clock = new FakeClock(noon);
    const h = new AddressHasher(redisService(null), clock, MASTER);
    const a = await h.hash(IP);
    clock.ms = Date.parse('2026-03-10T23:59:59.999Z');
    expect(await h.hash(IP)).toBe(a);
    expect(await h.hash('203.0.113.78')).not.toBe(a);
    expect(a).not.toContain(IP);
    clock.ms = Date.parse('2026-03-11T00:00:00.000Z');
    const b = await h.hash(IP);
    expect(b).not.toBe(a);
    expect(b).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('should give different hashes on two installations (random keys, not derived from the date)', async () => {
    const one = new AddressHasher(redisService(null), new FakeClock(noon), MASTER);
    const two = new AddressHasher(redisService(null), new FakeClock(noon), MASTER);
    expect(await one.hash(IP)).not.toBe(await two.hash(IP));
  });

  it("should keep yesterday's hash matchable for a day (blocks) and forget the key after the retention", async () => {
    const clock = new FakeClock(noon);
    const h = new AddressHasher(redisService(null), clock, MASTER);
    const monday = await h.hash(IP);
    clock.ms = noon + DAY;
    const tuesday = await h.hash(IP);
    expect(await h.recentHashes(IP)).toEqual([tuesday, monday]);
    // Monday's hash matches all Tuesday; on Wednesday it is two days old and no longer asked for
    clock.ms = Date.parse('2026-03-11T23:59:59.999Z');
    expect(await h.recentHashes(IP)).toContain(monday);
    clock.ms = Date.parse('2026-03-12T00:00:00.000Z');
    expect(await h.recentHashes(IP)).not.toContain(monday);
    // the Monday key itself is kept until the end of Monday plus the retention, then forgotten
    expect(h['keys'].has('2026-03-10')).toBe(true);
    clock.ms = Date.parse('2026-03-11T00:00:00.000Z') + ADDRESS_KEY_RETENTION_MS;
    await h.hash(IP);
    expect(h['keys'].has('2026-03-10')).toBe(false);
    // and going back in time does not bring it back
    clock.ms = noon;
    expect(await h.hash(IP)).not.toBe(monday);
  });
});

describe('AddressHasher on Redis (every node shares the day key)', () => {
  let admin: Redis;
  const prefix = `lotse-test:addrkey:${randomBytes(6).toString('hex')}:`;
  const services: RedisService[] = [];
  const node = async (clock: Clock) => {
    const r = redisService(REDIS_URL);
    services.push(r);
    await ready(r);
    return new AddressHasher(r, clock, MASTER, prefix);
  };

  beforeAll(async () => {
    admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    await admin.ping();
  });
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
    for (const s of services) await s.onApplicationShutdown();
  });

  it('should give the same hash on two nodes within a day, and unlinkable hashes on the next', async () => {
    const now = Date.now();
    const [a, b] = await Promise.all([node(new FakeClock(now)), node(new FakeClock(now))]);
    const [ha, hb] = await Promise.all([a.hash(IP), b.hash(IP)]);
    expect(ha).toBe(hb);
    expect(await admin.exists(`${prefix}${utcDay(now)}`)).toBe(1);
    // nothing of the address in Redis: the key is random bytes
    expect(await admin.get(`${prefix}${utcDay(now)}`)).not.toContain(IP);

    const tomorrow = now + DAY;
    const [c, d] = [await node(new FakeClock(tomorrow)), await node(new FakeClock(tomorrow))];
    const hc = await c.hash(IP);
    expect(await d.hash(IP)).toBe(hc);
    expect(hc).not.toBe(ha);
    // a node of tomorrow still matches today's hash (a block made today) from the shared key
    expect(await d.recentHashes(IP)).toEqual([hc, ha]);
  });

  it('should let Redis forget the day key at the end of its day plus the retention', async () => {
    const now = Date.now();
    await (await node(new FakeClock(now))).hash(IP);
    const expireAt = Number(await admin.call('PEXPIRETIME', `${prefix}${utcDay(now)}`));
    expect(expireAt).toBe(Date.parse(`${utcDay(now)}T00:00:00.000Z`) + DAY + ADDRESS_KEY_RETENTION_MS);
    expect(expireAt - now).toBeLessThanOrEqual(DAY + ADDRESS_KEY_RETENTION_MS);
  });

  it('should not create a key for yesterday, nor find one older than the retention', async () => {
    const now = Date.now();
    const h = await node(new FakeClock(now));
    const yesterday = utcDay(now - DAY);
    await admin.del(`${prefix}${yesterday}`);
    expect(await h.recentHashes('198.51.100.9')).toHaveLength(1);
    expect(await admin.exists(`${prefix}${yesterday}`)).toBe(0);
    // three days ago: past its retention, whatever a node asks
    const old = await node(new FakeClock(now - 3 * DAY));
    await old.hash(IP);
    expect(await admin.exists(`${prefix}${utcDay(now - 3 * DAY)}`)).toBe(0);
  });

  it('should keep hashing at once, with a key of its own, while Redis cannot be reached', async () => {
    const now = Date.now();
    const r = redisService(`redis://127.0.0.1:1`);
    services.push(r);
    const h = new AddressHasher(r, new FakeClock(now), MASTER, prefix);
    const started = Date.now();
    const offline = await h.hash(IP);
    expect(offline).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await h.hash(IP)).toBe(offline);
  });
});
