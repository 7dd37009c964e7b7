import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MetricsService } from '../metrics/metrics.service';

/**
 * The shared Redis connections when REDIS_URL is set (null otherwise: one node, in-process).
 * Every client gets an error listener: ioredis would otherwise crash the process on an outage.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis | null;
  private readonly extra: Redis[] = [];
  private lastErrorLog = -Infinity;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.client = config.redisUrl ? this.create('main') : null;
  }

  get enabled(): boolean {
    return this.client !== null;
  }

  /** A further connection (pub/sub needs its own). */
  duplicate(name: string): Redis {
    if (!this.config.redisUrl) throw new Error('Redis is not configured');
    const c = this.create(name);
    this.extra.push(c);
    return c;
  }

  /** `up` only when the main connection is ready and answers PING within a second. */
  async ping(): Promise<'up' | 'down' | 'disabled'> {
    if (!this.client) return 'disabled';
    if (this.client.status !== 'ready') return 'down';
    try {
      const answer = await Promise.race([this.client.ping(), new Promise<string>((r) => setTimeout(() => r('timeout'), 1000))]);
      return answer === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  private create(name: string): Redis {
    const client = new Redis(this.config.redisUrl!, {
      connectionName: `lotse-${name}`,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    client.on('error', (err: Error) => {
      this.metrics?.redisErrors.inc({ connection: name });
      const now = performance.now(); // a log throttle: monotonic time, not the wall clock
      if (now - this.lastErrorLog > 5000) {
        this.lastErrorLog = now;
        this.logger.warn({ connection: name, err: err.message }, 'redis connection error');
      }
    });
    return client;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const c of [this.client, ...this.extra]) {
      if (c) c.disconnect();
    }
  }
}
