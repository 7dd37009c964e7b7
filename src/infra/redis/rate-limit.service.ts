import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { errors } from '../../common/errors';
import { MASTER_KEY } from '../crypto/master-key';
import { AddressHasher } from './address-hasher';
import { RedisService } from './redis.service';

/** Named limits: points per duration (seconds); `perAddress` ones are lifted by RATE_LIMITS=off. */
const LIMITS = {
  // failed logins of one account from one address; then that address waits
  loginAccountAddress: { points: 10, duration: 15 * 60, blockDuration: 0, perAddress: false },
  // failed logins of one account from every address together; beyond it, only an address that has
  // not failed for this account in its window gets one try (see AuthService.login)
  loginAccount: { points: 30, duration: 60 * 60, blockDuration: 0, perAddress: false },
  // those one tries of fresh addresses beyond loginAccount, per account: rotating addresses (a proxy
  // pool, an IPv6 prefix) buy this many more guesses an hour, not one per address
  loginAccountFresh: { points: 10, duration: 60 * 60, blockDuration: 0, perAddress: false },
  loginAddress: { points: 50, duration: 15 * 60, blockDuration: 60, perAddress: true },
  registerAddress: { points: 20, duration: 60 * 60, blockDuration: 0, perAddress: true },
  visitorAddress: { points: 30, duration: 10 * 60, blockDuration: 0, perAddress: true },
  queueJoinAddress: { points: 20, duration: 10 * 60, blockDuration: 0, perAddress: true },
  topicJoinAddress: { points: 30, duration: 10 * 60, blockDuration: 0, perAddress: true },
  // password reset links asked for: per address, and per login (known or not, so the limit tells nothing)
  resetAddress: { points: 10, duration: 15 * 60, blockDuration: 0, perAddress: true },
  resetAccount: { points: 3, duration: 60 * 60, blockDuration: 0, perAddress: false },
  // reset links tried (tokens cannot be guessed; this keeps the attempts cheap)
  resetConfirmAddress: { points: 30, duration: 15 * 60, blockDuration: 0, perAddress: true },
  // new double-opt-in links asked for: per address, and per old link (known or not)
  confirmResendAddress: { points: 10, duration: 15 * 60, blockDuration: 0, perAddress: true },
  confirmResendLink: { points: 3, duration: 60 * 60, blockDuration: 0, perAddress: false },
  // guests joining through one video room's link (the link may leak; each join stores a confirmation row)
  videoGuestJoins: { points: 60, duration: 60 * 60, blockDuration: 0, perAddress: false },
  // points of these two come from the config (SOCKET_EVENT_LIMIT, MESSAGE_RATE_LIMIT)
  socketEvents: { points: 100, duration: 10, blockDuration: 0, perAddress: false },
  accountMessages: { points: 50, duration: 10, blockDuration: 0, perAddress: false },
  // not a limit: a visitor turned away from the live chat counts once per hour in the statistics
  statRefusal: { points: 1_000_000, duration: 60 * 60, blockDuration: 0, perAddress: false },
} as const;
export type LimitName = keyof typeof LIMITS;

/**
 * The limits that guard passwords and accounts fail closed: while their Redis store is away they
 * answer RATE_LIMITED (retry after `STORE_OUTAGE_RETRY_MS`) instead of falling back to a memory
 * store per node, which would multiply the limit by the number of nodes (or, after a restart, begin
 * again at zero). Sessions that exist go on; only new logins, registrations and resets wait.
 */
const FAIL_CLOSED: ReadonlySet<LimitName> = new Set<LimitName>([
  'loginAccountAddress',
  'loginAccount',
  'loginAddress',
  'registerAddress',
  'resetAddress',
  'resetAccount',
  'resetConfirmAddress',
  'confirmResendAddress',
  'confirmResendLink',
]);
/** `retryAfterMs` of a fail-closed limit while Redis is away. */
export const STORE_OUTAGE_RETRY_MS = 5000;

/**
 * rate-limiter-flexible with its Redis store when REDIS_URL is set (limits hold on every node) and
 * a memory store otherwise; the Redis limiters fall back to a memory "insurance" limiter while
 * Redis is away. Addresses are keyed by an HMAC, never stored in plain form; keys expire.
 */
@Injectable()
export class RateLimitService {
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>();
  private readonly logger = new Logger('RateLimit');
  private lastOutageLog = -Infinity;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MASTER_KEY) private readonly masterKey: Buffer,
    redis: RedisService,
    private readonly addresses: AddressHasher,
  ) {
    for (const [name, l] of Object.entries(LIMITS) as [LimitName, (typeof LIMITS)[LimitName]][]) {
      const points = name === 'socketEvents' ? config.socketEventLimit : name === 'accountMessages' ? config.messageRateLimit : l.points;
      const opts = { keyPrefix: `lotse:rl:${name}`, points, duration: l.duration, blockDuration: l.blockDuration };
      const memory = new RateLimiterMemory(opts);
      // not ready (Redis away): fail at once — to the memory insurance, or closed (FAIL_CLOSED) —
      // instead of waiting for ioredis' retries on every call
      const insurance = FAIL_CLOSED.has(name) ? {} : { insuranceLimiter: memory };
      this.limiters.set(
        name,
        redis.client ? new RateLimiterRedis({ ...opts, ...insurance, storeClient: redis.client, useRedisPackage: false, rejectIfRedisNotReady: true }) : memory,
      );
    }
  }

  /** HMAC of an address with the day's key (AddressHasher): stable for the limits of a day, unlinkable across days. */
  addressKey(ip: string | undefined): Promise<string> {
    return this.addresses.hash(ip);
  }

  /** The address's hashes with today's and yesterday's key (a block made yesterday still holds). */
  recentAddressKeys(ip: string | undefined): Promise<string[]> {
    return this.addresses.recentHashes(ip);
  }

  /**
   * HMAC of a person's name for a limiter key (a login, normalised by the caller): typed logins,
   * typos included, never become Redis keys.
   */
  nameKey(kind: string, value: string): string {
    return createHmac('sha256', this.masterKey).update(`${kind}|${value}`).digest('base64url').slice(0, 22);
  }

  /** Takes one point or throws RATE_LIMITED (with `retryAfterMs`). */
  async consume(name: LimitName, key: string, points = 1): Promise<void> {
    const taken = await this.take(name, key, points);
    if (!taken.allowed) throw errors.rateLimited(taken.msBeforeNext);
  }

  /**
   * Takes points atomically and says whether the limit still held; over the limit the points count
   * all the same (so parallel attempts cannot slip through between a read and a write).
   */
  async take(name: LimitName, key: string, points = 1): Promise<{ allowed: boolean; consumed: number; msBeforeNext: number }> {
    if (LIMITS[name].perAddress && !this.config.rateLimits) return { allowed: true, consumed: 0, msBeforeNext: 0 };
    try {
      const res = await this.limiters.get(name)!.consume(key, points);
      return { allowed: true, consumed: res.consumedPoints, msBeforeNext: res.msBeforeNext };
    } catch (res) {
      if (res instanceof RateLimiterRes) return { allowed: false, consumed: res.consumedPoints, msBeforeNext: res.msBeforeNext };
      if (FAIL_CLOSED.has(name)) {
        this.logStoreOutage(name, res);
        return { allowed: false, consumed: points, msBeforeNext: STORE_OUTAGE_RETRY_MS };
      }
      throw res;
    }
  }

  private logStoreOutage(name: LimitName, err: unknown): void {
    // a log throttle: monotonic time, not the wall clock
    if (performance.now() - this.lastOutageLog < 5000) return;
    this.lastOutageLog = performance.now();
    this.logger.warn({ limit: name, err: err instanceof Error ? err.message : String(err) }, 'limit store unavailable: failing closed (RATE_LIMITED)');
  }

  /** Gives points back (an attempt that turned out to be the owner's). */
  async refund(name: LimitName, key: string, points = 1): Promise<void> {
    await this.limiters
      .get(name)!
      .reward(key, points)
      .catch(() => undefined);
  }

  /** Forgets the count (after a successful login). */
  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiters
      .get(name)!
      .delete(key)
      .catch(() => undefined);
  }
}
