import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { withSafePublish } from '../../src/realtime/io-adapter';

/** The options RedisService gives every connection, against a port where no Redis listens. */
const unreachable = () => {
  const client = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 2, enableOfflineQueue: true, retryStrategy: (t) => Math.min(t * 200, 2000) });
  client.on('error', () => undefined);
  return client;
};

describe('cross-node broadcasts while Redis is away', () => {
  const clients: Redis[] = [];
  afterAll(() => clients.forEach((c) => c.disconnect()));

  it('should reject a plain publish once the retries are used up (what would end the process unhandled)', async () => {
    const raw = unreachable();
    clients.push(raw);
    await expect(raw.publish('lotse:test', 'x')).rejects.toThrow(/max retries/i);
  });

  it('should resolve a guarded publish with 0 and log, instead of rejecting', async () => {
    const logger = new Logger('test');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const guarded = withSafePublish(unreachable(), logger);
    clients.push(guarded);
    await expect(guarded.publish('lotse:test', 'x')).resolves.toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
