import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry of this process (one per app instance: tests run several in one
 * process). Labels are bounded and public: a command name, an outcome, a post kind, a center's slug
 * (public). Never content, never an id of a person, never an address.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly socketsConnected = new Gauge({
    name: 'lotse_sockets_connected',
    help: 'Authenticated Socket.IO connections on this node.',
    registers: [this.registry],
  });

  readonly messages = new Counter({
    name: 'lotse_messages_total',
    help: 'Chat messages acknowledged (message.send answered ok; a resend with the same id counts again).',
    registers: [this.registry],
  });

  readonly posts = new Counter({
    name: 'lotse_thread_posts_total',
    help: 'Posts committed to threads, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly ackLatency = new Histogram({
    name: 'lotse_ack_latency_seconds',
    help: 'Time from a socket command to its ack, by command and outcome (ok or error).',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly databaseErrors = new Counter({
    name: 'lotse_database_errors_total',
    help: 'Database queries that failed (unique-index refusals, which the code expects, not counted).',
    registers: [this.registry],
  });

  readonly redisErrors = new Counter({
    name: 'lotse_redis_errors_total',
    help: 'Errors reported by the Redis connections (connection lost, refused, timeouts).',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });

  readonly waitingVisitors = new Gauge({
    name: 'lotse_live_waiting_visitors',
    help: 'Visitors waiting in the live chat queue, per center (read from the shared store at each scrape).',
    labelNames: ['center'] as const,
    registers: [this.registry],
  });

  readonly counselorsOnShift = new Gauge({
    name: 'lotse_counselors_on_shift',
    help: 'Counselors on a live chat shift, per center.',
    labelNames: ['center'] as const,
    registers: [this.registry],
  });

  readonly freeSeats = new Gauge({
    name: 'lotse_live_free_seats',
    help: 'Free live chat seats of the counselors on shift, per center.',
    labelNames: ['center'] as const,
    registers: [this.registry],
  });

  /** Run before each scrape (the live queue figures are read then); set by the metrics module. */
  private readonly beforeScrape: (() => Promise<void>)[] = [];

  constructor() {
    // process CPU, memory, handles, GC and the event-loop lag (nodejs_eventloop_lag_*)
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  onScrape(fn: () => Promise<void>): void {
    this.beforeScrape.push(fn);
  }

  /** The Prometheus text format. */
  async scrape(): Promise<string> {
    await Promise.all(this.beforeScrape.map((fn) => fn().catch(() => undefined)));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
