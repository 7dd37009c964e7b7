import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisService } from './redis.service';

type Handler = (payload: unknown) => void;

/** The Redis channel of a bus message name. */
export const busChannel = (name: string): string => `lotse:bus:${name}`;
const PREFIX = busChannel('');

/**
 * Node-to-node notifications (token revoked, status changed, …). Redis pub/sub when REDIS_URL is
 * set, in-process otherwise. At-most-once: use it for cache invalidation and hints, never as the
 * only carrier of a fact (the database or the Redis scripts hold those).
 */
@Injectable()
export class ClusterBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ClusterBus.name);
  private readonly handlers = new Map<string, Set<Handler>>();
  private sub: Redis | null = null;

  constructor(private readonly redis: RedisService) {}

  onModuleInit(): void {
    if (!this.redis.enabled) return;
    this.sub = this.redis.duplicate('bus');
    // also the channels of handlers registered before this point
    this.sub.on('ready', () => this.subscribe([...this.handlers.keys()]));
    this.sub.on('message', (channel: string, raw: string) => {
      const name = channel.slice(PREFIX.length);
      try {
        this.dispatch(name, JSON.parse(raw) as unknown);
      } catch (err) {
        this.logger.warn({ channel: name, err: (err as Error).message }, 'bad bus message');
      }
    });
  }

  on(name: string, handler: Handler): void {
    let set = this.handlers.get(name);
    if (!set) {
      set = new Set();
      this.handlers.set(name, set);
      this.subscribe([name]);
    }
    set.add(handler);
  }

  /**
   * Subscribes until Redis confirms: a SUBSCRIBE that fails (the connection dropped twice while it
   * was queued) is tried again, and every (re)connection subscribes every known channel — a lost
   * subscription would silently keep revocations and cache drops from this node.
   */
  private subscribe(names: string[]): void {
    const sub = this.sub;
    if (!sub || names.length === 0) return;
    sub.subscribe(...names.map(busChannel)).catch((err: Error) => {
      this.logger.warn({ channels: names, err: err.message }, 'subscribe failed; trying again');
      if (this.sub === sub) setTimeout(() => this.subscribe(names), 500).unref();
    });
  }

  /** Delivered to every node, this one included. */
  publish(name: string, payload: unknown): void {
    if (!this.redis.client) {
      this.dispatch(name, payload);
      return;
    }
    this.redis.client.publish(busChannel(name), JSON.stringify(payload)).catch((err: Error) => {
      this.logger.warn({ channel: name, err: err.message }, 'bus publish failed; delivering locally');
      this.dispatch(name, payload);
    });
  }

  private dispatch(name: string, payload: unknown): void {
    for (const h of this.handlers.get(name) ?? []) {
      try {
        h(payload);
      } catch (err) {
        this.logger.error({ channel: name, err: (err as Error).message }, 'bus handler failed');
      }
    }
  }

  onApplicationShutdown(): void {
    const sub = this.sub;
    this.sub = null;
    sub?.disconnect();
  }
}
