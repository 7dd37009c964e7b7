import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { AppConfig } from '../../src/config/config';
import { ClusterBus } from '../../src/infra/redis/cluster-bus';
import { RedisService } from '../../src/infra/redis/redis.service';
import { REDIS_URL } from '../harness/env';

/** Two buses on the real Redis, as two nodes have them. */
describe('cluster bus (real Redis)', () => {
  const made: { redis: RedisService; bus: ClusterBus }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const node = () => {
    const redis = new RedisService({ redisUrl: REDIS_URL } as AppConfig);
    const bus = new ClusterBus(redis);
    made.push({ redis, bus });
    return bus;
  };
  const received = (bus: ClusterBus, name: string) => new Promise<unknown>((resolve) => bus.on(name, resolve));

  afterAll(async () => {
    clearInterval(timer);
    for (const { redis, bus } of made) {
      bus.onApplicationShutdown();
      await redis.onApplicationShutdown();
    }
  });

  it('should deliver to a handler registered before the bus connected, on this node and on another', async () => {
    const channel = `test-${randomUUID()}`;
    const [a, b] = [node(), node()];
    // handlers first (a module's onModuleInit may run before the bus's own): they must not be lost
    const onA = received(a, channel);
    const onB = received(b, channel);
    a.onModuleInit();
    b.onModuleInit();
    // until both subscriptions are confirmed, publish again (at-most-once bus; the test only waits for delivery)
    const payload = { hashes: ['h1'] };
    timer = setInterval(() => a.publish(channel, payload), 100);
    try {
      await expect(onA).resolves.toEqual(payload);
      await expect(onB).resolves.toEqual(payload);
    } finally {
      clearInterval(timer);
    }
  });

  it('should say it is not live and resync when its subscriber connection drops, and resync again once it is subscribed again', async () => {
    const bus = node();
    const events: string[] = [];
    bus.onResync(() => events.push(bus.live ? 'live' : 'down'));
    expect(bus.live).toBe(false);
    bus.onModuleInit();
    const until = async (want: boolean) => {
      for (let i = 0; i < 100 && bus.live !== want; i++) await new Promise((r) => setTimeout(r, 50));
      expect(bus.live).toBe(want);
    };
    await until(true);
    // a network drop of this node's subscription (ioredis reconnects by itself)
    (bus as unknown as { sub: Redis }).sub.disconnect(true);
    for (let i = 0; i < 100 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(['live', 'down', 'live']);
    expect(bus.live).toBe(true);
  });
});
