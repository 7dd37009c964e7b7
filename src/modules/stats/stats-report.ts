import type { StatMetric } from '../../common/events';
import { STATS_COLUMNS, type StatsCount, type StatsGrouping, type StatsPeriod } from '../../realtime/contract';
import { DURATION_EDGES, quantile, WAIT_EDGES } from './histogram';

/** Plain counts are stored with this bucket; histogram metrics with their bucket index. */
export const PLAIN_BUCKET = -1;
/** The histogram metrics (value = seconds); every other metric is a plain count. */
export const HISTOGRAM_EDGES: Partial<Record<StatMetric, readonly number[]>> = { 'live.wait': WAIT_EDGES, 'live.duration': DURATION_EDGES };

/** One stored aggregate. */
export interface StatRow {
  day: string;
  metric: string;
  bucket: number;
  count: number;
}

/** A count as reported: 0 stays 0, 1 and 2 become "< 3" (nobody is singled out). */
export function suppress(n: number): StatsCount {
  return n > 0 && n < 3 ? '< 3' : n;
}

// ---- calendar days (`YYYY-MM-DD`, no time zone: the days are the center's already) ----------

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day's number since 1970-01-01, or null when the text is not a real calendar day. */
export function dayNumber(day: string): number | null {
  const m = DAY_RE.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === day ? ms / DAY_MS : null;
}

export function dayText(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday of the day's week (ISO weeks). */
export function weekStart(n: number): number {
  const weekday = (new Date(n * DAY_MS).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return n - weekday;
}

// ---- the report -------------------------------------------------------------------------------

interface Tally {
  plain: Map<string, number>;
  hist: Map<string, Map<number, number>>;
}

/**
 * The periods from `from` to `to` (day numbers, inclusive), every one present (zeros included):
 * one per day, or one per ISO week, dated with its first day inside the range (the Monday, except
 * for a range that starts mid-week). Counts are summed per period before they are suppressed;
 * medians and the 90th percentile come from the merged buckets.
 */
export function buildPeriods(rows: StatRow[], from: number, to: number, by: StatsGrouping): StatsPeriod[] {
  const keyOf = (n: number) => (by === 'week' ? Math.max(weekStart(n), from) : n);
  const tallies = new Map<number, Tally>();
  for (let n = from; n <= to; n++) {
    const key = keyOf(n);
    if (!tallies.has(key)) tallies.set(key, { plain: new Map(), hist: new Map() });
  }
  for (const row of rows) {
    const n = dayNumber(row.day);
    if (n === null || n < from || n > to) continue;
    const t = tallies.get(keyOf(n))!;
    const count = Number(row.count);
    if (row.bucket === PLAIN_BUCKET) t.plain.set(row.metric, (t.plain.get(row.metric) ?? 0) + count);
    else {
      const h = t.hist.get(row.metric) ?? new Map<number, number>();
      h.set(row.bucket, (h.get(row.bucket) ?? 0) + count);
      t.hist.set(row.metric, h);
    }
  }
  return [...tallies.entries()].sort(([a], [b]) => a - b).map(([key, t]) => period(dayText(key), t));
}

function period(date: string, t: Tally): StatsPeriod {
  const c = (metric: StatMetric) => suppress(t.plain.get(metric) ?? 0);
  const q = (metric: 'live.wait' | 'live.duration', p: number) => quantile(HISTOGRAM_EDGES[metric]!, t.hist.get(metric) ?? new Map(), p);
  return {
    date,
    liveStarted: c('live.started'),
    liveRefusedFull: c('live.refused_full'),
    liveRefusedClosed: c('live.refused_closed'),
    waitMedianSeconds: q('live.wait', 0.5),
    waitP90Seconds: q('live.wait', 0.9),
    durationMedianSeconds: q('live.duration', 0.5),
    topicChats: c('topic.held'),
    topicParticipants: c('topic.participants'),
    enquiries: c('enquiry.created'),
    posts: c('thread.posts'),
    appointments: { video: c('appointment.video'), chat: c('appointment.chat'), mail: c('appointment.mail'), phone: c('appointment.phone') },
    videoSessions: c('video.sessions'),
  };
}

/** The CSV columns, in order: the table's columns (src/realtime/contract.ts). */
export const CSV_COLUMNS = STATS_COLUMNS;

/** RFC 4180 text (CRLF): a header line, then one line per period; null (no median) is empty. */
export function toCsv(periods: StatsPeriod[]): string {
  const cell = (v: number | string | null) => (v === null ? '' : String(v));
  const lines = periods.map((p) =>
    [
      p.date,
      p.liveStarted,
      p.liveRefusedFull,
      p.liveRefusedClosed,
      p.waitMedianSeconds,
      p.waitP90Seconds,
      p.durationMedianSeconds,
      p.topicChats,
      p.topicParticipants,
      p.enquiries,
      p.posts,
      p.appointments.video,
      p.appointments.chat,
      p.appointments.mail,
      p.appointments.phone,
      p.videoSessions,
    ]
      .map(cell)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...lines].join('\r\n') + '\r\n';
}
