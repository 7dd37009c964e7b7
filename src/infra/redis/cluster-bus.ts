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
  private readonly resyncHandlers = new Set<() => void>();
  private sub: Redis | null = null;
  private listening: boolean;

  constructor(private readonly redis: RedisService) {
    this.listening = !redis.enabled;
  }

  /**
   * True while this node hears every bus message: always in-process; with Redis only while the
   * subscriber connection is up and its channels are confirmed. A cache that relies on the bus for
   * its invalidation must not serve (nor fill) while this is false.
   */
  get live(): boolean {
    return this.listening;
  }

  /**
   * Called whenever this node may have missed bus messages: when the subscriber connection drops,
   * and again once it is back and subscribed (what was published in between is lost for good).
   */
  onResync(handler: () => void): void {
    this.resyncHandlers.add(handler);
  }

  onModuleInit(): void {
    if (!this.redis.enabled) return;
    this.sub = this.redis.duplicate('bus');
    // also the channels of handlers registered before this point
    this.sub.on('ready', () =>
      this.subscribe([...this.handlers.keys()], () => {
        this.listening = true;
        this.resync();
      }),
    );
    this.sub.on('close', () => {
      this.listening = false;
      this.resync();
    });
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
  private subscribe(names: string[], subscribed?: () => void): void {
    const sub = this.sub;
    if (!sub) return;
    if (names.length === 0) {
      subscribed?.();
      return;
    }
    sub.subscribe(...names.map(busChannel)).then(
      () => {
        if (this.sub === sub && sub.status === 'ready') subscribed?.();
      },
      (err: Error) => {
        this.logger.warn({ channels: names, err: err.message }, 'subscribe failed; trying again');
        if (this.sub === sub) setTimeout(() => this.subscribe(names, subscribed), 500).unref();
      },
    );
  }

  private resync(): void {
    for (const h of this.resyncHandlers) {
      try {
        h();
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, 'bus resync handler failed');
      }
    }
  }

  /** Delivered to every node, this one included. */
  publish(name: string, payload: unknown): void {
    void this.deliver(name, payload);
  }

  /**
   * As `publish`, settled once Redis has handed the message to the other nodes' subscriptions (or
   * it failed and was delivered here only): a caller that answers afterwards answers after them.
   */
  async deliver(name: string, payload: unknown): Promise<void> {
    if (!this.redis.client) {
      this.dispatch(name, payload);
      return;
    }
    try {
      await this.redis.client.publish(busChannel(name), JSON.stringify(payload));
    } catch (err) {
      this.logger.warn({ channel: name, err: (err as Error).message }, 'bus publish failed; delivering locally');
      this.dispatch(name, payload);
    }
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
    this.listening = !this.redis.enabled;
    sub?.disconnect();
  }
}
