import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock';
import { MASTER_KEY } from '../crypto/master-key';
import { RedisService } from './redis.service';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The longest window of a per-address limit (registerAddress, loginAddress + its block: ≤ 1 h). */
const LONGEST_ADDRESS_LIMIT_MS = 60 * 60 * 1000;
/**
 * How long a day's key outlives the end of its day: the longest per-address limit window plus a
 * day, so that a limit or a visitor block (24 h by default) set late in a day still matches the
 * next day. Then the key is gone, and with it every way to link that day's hashes to an address.
 */
export const ADDRESS_KEY_RETENTION_MS = DAY_MS + LONGEST_ADDRESS_LIMIT_MS;
/** A node re-reads the day's key from Redis this often (it re-creates it if Redis lost it). */
const REFRESH_MS = 60_000;
/** A Redis that does not answer within this time: the node keeps hashing with what it has. */
const REDIS_TIMEOUT_MS = 500;

export const ADDRESS_KEY_PREFIX = Symbol('ADDRESS_KEY_PREFIX');
const DEFAULT_PREFIX = 'lotse:addrkey:';

interface DayKey {
  /** The random key of the day, as Redis (or this node) holds it. */
  raw: string;
  /** HMAC key actually used: the day key bound to MASTER_KEY (Redis alone does not suffice). */
  hmacKey: Buffer;
  checkedAt: number;
}

/** UTC day of a time: `2026-12-01`. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dayEnd = (day: string): number => Date.parse(`${day}T00:00:00.000Z`) + DAY_MS;

/**
 * The one place that turns a client's IP address into something storable: an HMAC with a random
 * key per UTC day. The key is shared by every node through Redis (`SET NX` with an expiry at the
 * end of its day plus ADDRESS_KEY_RETENTION_MS) or kept in memory without Redis; it is further
 * bound to MASTER_KEY. Yesterday's hashes cannot be linked to today's, and once a key has expired
 * nobody can tell which address a stored hash stood for, not even with the database, Redis and
 * MASTER_KEY together.
 */
@Injectable()
export class AddressHasher {
  private readonly logger = new Logger(AddressHasher.name);
  private readonly keys = new Map<string, DayKey>();
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisService,
    private readonly clock: Clock,
    @Inject(MASTER_KEY) private readonly masterKey: Buffer,
    @Optional() @Inject(ADDRESS_KEY_PREFIX) prefix?: string,
  ) {
    this.prefix = prefix ?? DEFAULT_PREFIX;
  }

  /** The address's hash with today's key (limits, the live queue, new blocks). */
  async hash(ip: string | undefined): Promise<string> {
    const key = await this.key(utcDay(this.clock.now().getTime()), true);
    return hmac(key!, ip);
  }

  /**
   * Today's hash and yesterday's (while yesterday's key still exists): for a visitor block made
   * yesterday that must still hold today. Never older ones: their keys are gone.
   */
  async recentHashes(ip: string | undefined): Promise<string[]> {
    const now = this.clock.now().getTime();
    const today = await this.key(utcDay(now), true);
    const yesterday = await this.key(utcDay(now - DAY_MS), false);
    return [hmac(today!, ip), ...(yesterday ? [hmac(yesterday, ip)] : [])];
  }

  /** The key of a day, or null if it is gone (or never existed and `create` is false). */
  private async key(day: string, create: boolean): Promise<Buffer | null> {
    const now = this.clock.now().getTime();
    const expiresAt = dayEnd(day) + ADDRESS_KEY_RETENTION_MS;
    this.forgetExpired(now);
    if (now >= expiresAt) return null;
    const cached = this.keys.get(day);
    if (cached && (!this.redis.client || now - cached.checkedAt < REFRESH_MS)) return cached.hmacKey;
    if (!this.redis.client || this.redis.client.status !== 'ready') {
      if (cached) return cached.hmacKey;
      if (!create) return null;
      // without Redis this node's own key; with Redis away, one until Redis is back (checked again then)
      return this.remember(day, randomBytes(32).toString('base64'), this.redis.client ? now - REFRESH_MS : now);
    }
    try {
      const candidate = create ? (cached?.raw ?? randomBytes(32).toString('base64')) : null;
      const raw = await withTimeout(this.shared(day, candidate, expiresAt));
      // none in Redis: not created (yesterday's), or expired at once (a node clock ahead of Redis's)
      if (raw === null) return candidate === null ? null : this.remember(day, candidate, now);
      return this.remember(day, raw, now);
    } catch (err) {
      // Redis away: keep the key this node has (or one of its own for the day, until Redis is back)
      this.logger.warn({ err: (err as Error).message }, 'address key: redis unavailable');
      if (cached) return cached.hmacKey;
      return create ? this.remember(day, randomBytes(32).toString('base64'), now - REFRESH_MS) : null;
    }
  }

  /** The day's key in Redis: ours if there was none (SET NX), else the one that won. */
  private async shared(day: string, candidate: string | null, expiresAt: number): Promise<string | null> {
    const client = this.redis.client!;
    const name = `${this.prefix}${day}`;
    if (candidate !== null) await client.set(name, candidate, 'PXAT', expiresAt, 'NX');
    return client.get(name);
  }

  private remember(day: string, raw: string, now: number): Buffer {
    const hmacKey = createHmac('sha256', this.masterKey).update(`address-day-key|${day}|${raw}`).digest();
    this.keys.set(day, { raw, hmacKey, checkedAt: now });
    return hmacKey;
  }

  private forgetExpired(now: number): void {
    for (const day of this.keys.keys()) if (now >= dayEnd(day) + ADDRESS_KEY_RETENTION_MS) this.keys.delete(day);
  }
}

function hmac(key: Buffer, ip: string | undefined): string {
  return createHmac('sha256', key)
    .update(`ip|${ip ?? 'unknown'}`)
    .digest('base64url')
    .slice(0, 22);
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), REDIS_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
