import { randomUUID } from 'node:crypto';
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
});
