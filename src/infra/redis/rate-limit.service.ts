import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { errors } from '../../common/errors';
import { MASTER_KEY } from '../crypto/master-key';
import { AddressHasher } from './address-hasher';
import { LeasedLimit, LocalWindow } from './local-limits';
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
  // points from the config (MESSAGE_RATE_LIMIT); taken in batches per node (consumeMessage)
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
/** The window of the per-socket event limit (SOCKET_EVENT_LIMIT events per socket in it). */
const SOCKET_EVENT_WINDOW_MS = 10_000;
/** Points of the per-account message limit one store call takes for a node: a tenth of the limit, 1 to 20. */
export const messageLeaseBatch = (points: number): number => Math.max(1, Math.min(20, Math.floor(points / 10)));

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
  private readonly messages: LeasedLimit;
  private readonly socketEvents: LocalWindow;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MASTER_KEY) private readonly masterKey: Buffer,
    redis: RedisService,
    private readonly addresses: AddressHasher,
  ) {
    for (const [name, l] of Object.entries(LIMITS) as [LimitName, (typeof LIMITS)[LimitName]][]) {
      const points = name === 'accountMessages' ? config.messageRateLimit : l.points;
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
    this.messages = new LeasedLimit(config.messageRateLimit, messageLeaseBatch(config.messageRateLimit), (key, points) =>
      this.take('accountMessages', key, points),
    );
    this.socketEvents = new LocalWindow(config.socketEventLimit, SOCKET_EVENT_WINDOW_MS);
  }

  /**
   * One message of the account (the per-account message limit, on every node together): from this
   * node's lease of the shared store's points (LeasedLimit), so most messages cost no store call.
   * null: granted, synchronously; otherwise a promise that rejects with RATE_LIMITED when refused.
   */
  consumeMessage(accountId: string): Promise<void> | null {
    return this.messages.consume(accountId);
  }

  /** One event of a socket (SOCKET_EVENT_LIMIT per 10 s), in this node's memory, synchronous; throws RATE_LIMITED. */
  consumeSocketEvent(socketId: string): void {
    this.socketEvents.consume(socketId);
  }

  /** The socket is gone: its event count goes. */
  forgetSocket(socketId: string): void {
    this.socketEvents.forget(socketId);
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

  /** Forgets the count (after a successful login; a deleted account's messages). */
  async reset(name: LimitName, key: string): Promise<void> {
    if (name === 'accountMessages') this.messages.forget(key);
    await this.limiters
      .get(name)!
      .delete(key)
      .catch(() => undefined);
  }
}
