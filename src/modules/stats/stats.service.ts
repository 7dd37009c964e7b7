import { Injectable, Logger } from '@nestjs/common';
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

/**
 * Statistics for funders (issue 13): counts what happened as it happens (STAT_COUNTED from the
 * features, THREAD_POST_CREATED for posts) into per-day aggregates in the center's local days, and
 * reports them to the center's admins with small counts suppressed. Never an id, a name or a text.
 */
@Injectable()
export class StatsService {
  private readonly logger = new Logger('Stats');

  constructor(
    private readonly repo: StatsRepository,
    private readonly centers: CentersService,
    private readonly tx: Transactions,
    private readonly clock: Clock,
  ) {}

  /** Counts one event. Never throws into the emitter: a lost count is logged, the feature goes on. */
  @OnEvent(STAT_COUNTED, { async: true, promisify: true })
  async onCounted(event: StatCountedEvent): Promise<void> {
    try {
      if (!(STAT_METRICS as readonly string[]).includes(event.metric)) throw new Error(`unknown metric ${String(event.metric)}`);
      const edges = HISTOGRAM_EDGES[event.metric];
      const bucket = edges ? bucketOf(edges, event.value ?? 0) : PLAIN_BUCKET;
      const day = dayIn(await this.centers.timeZone(event.centerId), event.at);
      // an emit inside an open transaction counts once that commits (and not at all on a rollback);
      // its own transaction keeps it out of another one running on SQLite's single connection
      await this.tx.afterCommit(() => this.tx.run(() => this.repo.increment(event.centerId, day, event.metric, bucket)));
    } catch (err) {
      this.logger.warn({ metric: event.metric, err: (err as Error).message }, 'a statistics count was lost');
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
    const rows = await this.repo.range(auth.centerId, dayText(from), dayText(to));
    return { timeZone: center.timeZone, by, from: dayText(from), to: dayText(to), days: buildPeriods(rows, from, to, by) };
  }

  /** `GET /api/centers/:center/stats.csv` (admin): the same periods as CSV, with a file name for the download. */
  async csv(auth: AuthContext, q: StatsQueryDto): Promise<{ text: string; filename: string }> {
    const r = await this.report(auth, q);
    return { text: toCsv(r.days), filename: `lotse-stats-${r.from}-${r.to}${r.by === 'week' ? '-weeks' : ''}.csv` };
  }
}
