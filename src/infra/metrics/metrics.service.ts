import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One metric of the table: its kind, Prometheus name, help text, labels (and a histogram's buckets). */
interface Declaration<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}
const counter =
  <L extends string = never>(d: Declaration<L>) =>
  (registry: Registry) =>
    new Counter<L>({ ...d, registers: [registry] });
const gauge =
  <L extends string = never>(d: Declaration<L>) =>
  (registry: Registry) =>
    new Gauge<L>({ ...d, registers: [registry] });
const histogram =
  <L extends string = never>(d: Declaration<L> & { buckets: number[] }) =>
  (registry: Registry) =>
    new Histogram<L>({ ...d, registers: [registry] });

/** Lotse's own metrics, by the property name they have on MetricsService. */
const METRICS = {
  socketsConnected: gauge({ name: 'lotse_sockets_connected', help: 'Authenticated Socket.IO connections on this node.' }),
  messages: counter({
    name: 'lotse_messages_total',
    help: 'Chat messages acknowledged (message.send answered ok; a resend with the same id counts again).',
  }),
  posts: counter({ name: 'lotse_thread_posts_total', help: 'Posts committed to threads, by kind.', labelNames: ['kind'] }),
  ackLatency: histogram({
    name: 'lotse_ack_latency_seconds',
    help: 'Time from a socket command to its ack, by command and outcome (ok or error).',
    labelNames: ['command', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  databaseErrors: counter({
    name: 'lotse_database_errors_total',
    help: 'Database queries that failed (unique-index refusals, which the code expects, not counted).',
  }),
  redisErrors: counter({
    name: 'lotse_redis_errors_total',
    help: 'Errors reported by the Redis connections (connection lost, refused, timeouts).',
    labelNames: ['connection'],
  }),
  waitingVisitors: gauge({
    name: 'lotse_live_waiting_visitors',
    help: 'Visitors waiting in the live chat queue, per center (read from the shared store at each scrape).',
    labelNames: ['center'],
  }),
  counselorsOnShift: gauge({ name: 'lotse_counselors_on_shift', help: 'Counselors on a live chat shift, per center.', labelNames: ['center'] }),
  freeSeats: gauge({ name: 'lotse_live_free_seats', help: 'Free live chat seats of the counselors on shift, per center.', labelNames: ['center'] }),
};

type Metrics = { readonly [K in keyof typeof METRICS]: ReturnType<(typeof METRICS)[K]> };

/** Every metric of the table, registered in `registry`, as properties of the instance. */
const RegisteredMetrics = class {
  constructor(registry: Registry) {
    for (const [key, make] of Object.entries(METRICS)) Object.defineProperty(this, key, { value: make(registry), enumerable: true });
  }
} as new (registry: Registry) => Metrics;

/**
 * The Prometheus registry of this process (one per app instance: tests run several in one
 * process). Labels are bounded and public: a command name, an outcome, a post kind, a center's slug
 * (public). Never content, never an id of a person, never an address.
 */
@Injectable()
export class MetricsService extends RegisteredMetrics {
  readonly registry: Registry;

  /** Run before each scrape (the live queue figures are read then); set by the metrics module. */
  private readonly beforeScrape: (() => Promise<void>)[] = [];

  constructor() {
    const registry = new Registry();
    super(registry);
    this.registry = registry;
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
