import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { createServer, Server } from 'node:http';
import { SOCKET_CONNECTED, SOCKET_DISCONNECTED, THREAD_POST_CREATED, type ThreadPostCreatedEvent } from '../../common/events';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MetricsService } from '../../infra/metrics/metrics.service';
import { CentersService } from '../centers/centers.service';
import { LIVE_QUEUE_STORE, type LiveQueueStore } from '../live-queue/queue-store';
import { bearerMatches } from './metrics-access';

/**
 * Feeds the registry: sockets and posts from the event bus, the live queue per center from the
 * shared store at each scrape; and serves METRICS_PORT, a listener of its own that answers only
 * `GET /metrics` (bound to METRICS_HOST, 127.0.0.1 by default).
 */
@Injectable()
export class MetricsCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsCollector.name);
  private server: Server | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly centers: CentersService,
    @Inject(LIVE_QUEUE_STORE) private readonly store: LiveQueueStore,
  ) {
    metrics.onScrape(() => this.readQueues());
  }

  @OnEvent(SOCKET_CONNECTED)
  onConnected(): void {
    this.metrics.socketsConnected.inc();
  }

  @OnEvent(SOCKET_DISCONNECTED)
  onDisconnected(): void {
    this.metrics.socketsConnected.dec();
  }

  @OnEvent(THREAD_POST_CREATED)
  onPost(event: ThreadPostCreatedEvent): void {
    this.metrics.posts.inc({ kind: event.kind });
  }

  /** Waiting visitors, counselors on shift and free seats of every center (the slug is public). */
  private async readQueues(): Promise<void> {
    const centers = await Promise.all((await this.centers.list()).map(async (c) => ({ slug: c.slug, id: (await this.centers.bySlug(c.slug)).id })));
    this.metrics.waitingVisitors.reset();
    this.metrics.counselorsOnShift.reset();
    this.metrics.freeSeats.reset();
    await Promise.all(
      centers.map(async ({ slug, id }) => {
        const status = await this.store.status(id);
        this.metrics.waitingVisitors.set({ center: slug }, status.waiting);
        this.metrics.counselorsOnShift.set({ center: slug }, status.shifts);
        this.metrics.freeSeats.set({ center: slug }, status.freeSeats);
      }),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host, token } = this.config.metrics;
    if (port === null) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res
          .writeHead(404, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Only GET /metrics is served here.' } }));
        return;
      }
      if (token !== null && !bearerMatches(req.headers.authorization, token)) {
        res
          .writeHead(401, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'A valid metrics token is required.' } }));
        return;
      }
      this.metrics.scrape().then(
        (text) => res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.logger.log({ host, port }, 'metrics listener');
  }

  /** The metrics listener's port (METRICS_PORT, or the one the system chose for 0). */
  get listenerPort(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
