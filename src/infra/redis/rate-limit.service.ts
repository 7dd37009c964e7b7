import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { DomainError } from '../../common/errors';
import { MASTER_KEY } from '../crypto/master-key';
import { RedisService } from './redis.service';

/** Named limits: points per duration (seconds); `perAddress` ones are lifted by RATE_LIMITS=off. */
const LIMITS = {
  loginAccount: { points: 10, duration: 15 * 60, blockDuration: 60, perAddress: false },
  loginAddress: { points: 50, duration: 15 * 60, blockDuration: 60, perAddress: true },
  registerAddress: { points: 20, duration: 60 * 60, blockDuration: 0, perAddress: true },
  visitorAddress: { points: 30, duration: 10 * 60, blockDuration: 0, perAddress: true },
  queueJoinAddress: { points: 20, duration: 10 * 60, blockDuration: 0, perAddress: true },
  topicJoinAddress: { points: 30, duration: 10 * 60, blockDuration: 0, perAddress: true },
  // points of these two come from the config (SOCKET_EVENT_LIMIT, MESSAGE_RATE_LIMIT)
  socketEvents: { points: 100, duration: 10, blockDuration: 0, perAddress: false },
  accountMessages: { points: 50, duration: 10, blockDuration: 0, perAddress: false },
} as const;
export type LimitName = keyof typeof LIMITS;

/**
 * rate-limiter-flexible with its Redis store when REDIS_URL is set (limits hold on every node) and
 * a memory store otherwise; the Redis limiters fall back to a memory "insurance" limiter while
 * Redis is away. Addresses are keyed by an HMAC, never stored in plain form; keys expire.
 */
@Injectable()
export class RateLimitService {
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MASTER_KEY) private readonly masterKey: Buffer,
    redis: RedisService,
  ) {
    for (const [name, l] of Object.entries(LIMITS) as [LimitName, (typeof LIMITS)[LimitName]][]) {
      const points = name === 'socketEvents' ? config.socketEventLimit : name === 'accountMessages' ? config.messageRateLimit : l.points;
      const opts = { keyPrefix: `lotse:rl:${name}`, points, duration: l.duration, blockDuration: l.blockDuration };
      const memory = new RateLimiterMemory(opts);
      this.limiters.set(
        name,
        redis.client ? new RateLimiterRedis({ ...opts, storeClient: redis.client, insuranceLimiter: memory, useRedisPackage: false }) : memory,
      );
    }
  }

  /** HMAC of an address: stable for limits, useless to anyone without MASTER_KEY. */
  addressKey(ip: string | undefined): string {
    return createHmac('sha256', this.masterKey)
      .update(`ip|${ip ?? 'unknown'}`)
      .digest('base64url')
      .slice(0, 22);
  }

  /** Takes one point or throws RATE_LIMITED. */
  async consume(name: LimitName, key: string, points = 1): Promise<void> {
    if (LIMITS[name].perAddress && !this.config.rateLimits) return;
    try {
      await this.limiters.get(name)!.consume(key, points);
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new DomainError('RATE_LIMITED', `Too many attempts. Please wait ${seconds} seconds.`);
      }
      throw res;
    }
  }

  /** Forgets the count (after a successful login). */
  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiters
      .get(name)!
      .delete(key)
      .catch(() => undefined);
  }
}
