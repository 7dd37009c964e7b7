import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock } from '../../common/clock';
import { errors } from '../../common/errors';
import { STAT_COUNTED, STAT_METRICS, StatCountedEvent, THREAD_POST_CREATED, ThreadPostCreatedEvent } from '../../common/events';
import { dayIn } from '../../common/zoned-day';
import { Transactions } from '../../infra/database/transactions';
import type { StatsReport } from '../../realtime/contract';
import { CentersService } from '../centers/centers.service';
import { StatsQueryDto } from './dto/stats-query.dto';
import { bucketOf } from './histogram';
import { StatsRepository } from './stats.repository';
import { buildPeriods, dayNumber, dayText, HISTOGRAM_EDGES, PLAIN_BUCKET, toCsv } from './stats-report';

/** The longest range one report covers (days, both ends included). */
export const MAX_RANGE_DAYS = 400;
/** Without `from`: this many days up to `to` (12 weeks). */
const DEFAULT_RANGE_DAYS = 84;
/** Counts are added up in memory and written once per this interval (one transaction for all of them). */
export const STATS_FLUSH_MS = 1000;

/** One counted event waiting for the next flush: no id, no name, only what the aggregate keeps. */
interface PendingCount {
  centerId: string;
  at: Date;
  metric: string;
  bucket: number;
}

/**
 * Statistics for funders (issue 13): counts what happened as it happens (STAT_COUNTED from the
 * features, THREAD_POST_CREATED for posts) into per-day aggregates in the center's local days, and
 * reports them to the center's admins with small counts suppressed. Never an id, a name or a text.
 */
@Injectable()
export class StatsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Stats');
  /** Counted since the last flush (committed already: an emit inside a transaction lands here after its commit). */
  private pending: PendingCount[] = [];
  private flushTail: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repo: StatsRepository,
    private readonly centers: CentersService,
    private readonly tx: Transactions,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), STATS_FLUSH_MS);
    this.timer.unref();
  }

  /** A graceful stop writes what is pending (before the database closes in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /**
   * Counts one event: in memory, written by the next flush (at most STATS_FLUSH_MS later). Never
   * throws into the emitter: a lost count is logged, the feature goes on.
   */
  @OnEvent(STAT_COUNTED, { async: true, promisify: true })
  async onCounted(event: StatCountedEvent): Promise<void> {
    try {
      if (!(STAT_METRICS as readonly string[]).includes(event.metric)) throw new Error(`unknown metric ${String(event.metric)}`);
      const edges = HISTOGRAM_EDGES[event.metric];
      const bucket = edges ? bucketOf(edges, event.value ?? 0) : PLAIN_BUCKET;
      const count: PendingCount = { centerId: event.centerId, at: event.at, metric: event.metric, bucket };
      // an emit inside an open transaction counts once that commits (and not at all on a rollback)
      await this.tx.afterCommit(() => {
        this.pending.push(count);
      });
    } catch (err) {
      this.logger.warn({ metric: event.metric, err: (err as Error).message }, 'a statistics count was lost');
    }
  }

  /**
   * Writes the pending counts: per center one center read (its time zone decides the day), the
   * counts added up per (day, metric, bucket), one upsert each (`count = count + n`, so nodes
   * flushing at once never lose a count), all in one transaction. Flushes run one after another. A
   * failed flush loses its counts (logged), as a failed single count did; a crash loses what was
   * pending, at most STATS_FLUSH_MS of counts.
   */
  flush(): Promise<void> {
    const next = this.flushTail.then(() => this.write());
    this.flushTail = next;
    return next;
  }

  private async write(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const byCenter = new Map<string, PendingCount[]>();
    for (const c of batch) {
      const list = byCenter.get(c.centerId);
      if (list) list.push(c);
      else byCenter.set(c.centerId, [c]);
    }
    for (const [centerId, counts] of byCenter) {
      try {
        const center = await this.centers.byId(centerId);
        const sums = new Map<string, { day: string; metric: string; bucket: number; n: number }>();
        for (const c of counts) {
          const day = dayIn(center.timeZone, c.at);
          const key = `${day}|${c.metric}|${c.bucket}`;
          const hit = sums.get(key);
          if (hit) hit.n++;
          else sums.set(key, { day, metric: c.metric, bucket: c.bucket, n: 1 });
        }
        await this.tx.run(async () => {
          for (const s of sums.values()) await this.repo.increment(centerId, s.day, s.metric, s.bucket, s.n);
        });
      } catch (err) {
        this.logger.warn({ counts: counts.length, err: (err as Error).message }, 'statistics counts were lost');
      }
    }
  }

  /** Every post people write in a thread (not notices, not deletions). */
  @OnEvent(THREAD_POST_CREATED, { async: true, promisify: true })
  async onThreadPost(event: ThreadPostCreatedEvent): Promise<void> {
    if (event.kind !== 'post') return;
    await this.onCounted({ centerId: event.centerId, metric: 'thread.posts', at: this.clock.now() });
  }

  /** `GET /api/centers/:center/stats` (admin). */
  async report(auth: AuthContext, q: StatsQueryDto): Promise<StatsReport> {
    requireRole(auth, 'admin', { message: 'Only admins see the statistics.' });
    const center = await this.centers.byId(auth.centerId);
    const to = q.to === undefined ? dayNumber(dayIn(center.timeZone, this.clock.now()))! : dayNumber(q.to);
    if (to === null) throw errors.validation('`to` is not a calendar day (YYYY-MM-DD).', ['to']);
    const from = q.from === undefined ? to - (DEFAULT_RANGE_DAYS - 1) : dayNumber(q.from);
    if (from === null) throw errors.validation('`from` is not a calendar day (YYYY-MM-DD).', ['from']);
    if (from > to) throw errors.validation('`from` must not come after `to`.', ['from', 'to']);
    if (to - from + 1 > MAX_RANGE_DAYS) throw errors.validation(`A report covers at most ${MAX_RANGE_DAYS} days.`, ['from', 'to']);
    const by = q.by ?? 'day';
    // this node's pending counts first (another node's show up within its flush interval)
    await this.flush();
    const rows = await this.repo.range(auth.centerId, dayText(from), dayText(to));
    return { timeZone: center.timeZone, by, from: dayText(from), to: dayText(to), days: buildPeriods(rows, from, to, by) };
  }

  /** `GET /api/centers/:center/stats.csv` (admin): the same periods as CSV, with a file name for the download. */
  async csv(auth: AuthContext, q: StatsQueryDto): Promise<{ text: string; filename: string }> {
    const r = await this.report(auth, q);
    return { text: toCsv(r.days), filename: `lotse-stats-${r.from}-${r.to}${r.by === 'week' ? '-weeks' : ''}.csv` };
  }
}
