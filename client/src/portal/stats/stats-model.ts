import type { StatsCount, StatsGrouping, StatsPeriod, StatsReport } from '../../../../src/realtime/contract';

/**
 * The statistics page without the page: the default range, the checks of a range before it is
 * asked for, the query, and the bar chart's geometry. Framework-free (unit-tested).
 */

/** The server's limit (StatsService.MAX_RANGE_DAYS). */
export const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;

export interface StatsRange {
  from: string;
  to: string;
}

/** `YYYY-MM-DD` of `now` in the center's time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Days since 1970 of a real calendar day, or null. */
export function dayNumber(day: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === day ? ms / DAY_MS : null;
}

const dayText = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Twelve whole weeks: from the Monday eleven weeks back to today. */
export function defaultRange(today: string): StatsRange {
  const n = dayNumber(today)!;
  const weekday = (new Date(n * DAY_MS).getUTCDay() + 6) % 7;
  return { from: dayText(n - weekday - 77), to: today };
}

export type RangeProblem = 'from' | 'to' | 'order' | 'long';

/** What is wrong with a range (the same rules as the server), or null. */
export function rangeProblem(r: StatsRange): RangeProblem | null {
  const from = dayNumber(r.from);
  const to = dayNumber(r.to);
  if (from === null) return 'from';
  if (to === null) return 'to';
  if (from > to) return 'order';
  if (to - from + 1 > MAX_RANGE_DAYS) return 'long';
  return null;
}

export function statsQuery(r: StatsRange, by: StatsGrouping): string {
  return new URLSearchParams({ from: r.from, to: r.to, by }).toString();
}

/** The figures the chart shows per week, in this order (one bar each). */
export const CHART_SERIES = ['liveStarted', 'liveRefusedFull', 'liveRefusedClosed'] as const;
export type ChartSeries = (typeof CHART_SERIES)[number];

export interface ChartBar {
  series: ChartSeries;
  /** The count; null for "< 3" (drawn as an outline up to 2). */
  value: number | null;
  /** Height in chart units (0 … max). */
  height: number;
}

export interface ChartModel {
  max: number;
  ticks: number[];
  weeks: { date: string; bars: ChartBar[] }[];
}

/** A count as a number for the chart: "< 3" is null. */
export const countNumber = (c: StatsCount): number | null => (c === '< 3' ? null : c);

/** A round top for the axis: 1, 2 or 4 × 10ⁿ, at least 4 (so "< 3" has room; half of it is a whole number). */
function niceMax(n: number): number {
  const base = Math.max(4, n);
  const exp = 10 ** Math.floor(Math.log10(base));
  for (const step of [1, 2, 4, 10]) if (step * exp >= base) return step * exp;
  return 10 * exp;
}

export function chartModel(report: Pick<StatsReport, 'days'>): ChartModel {
  const values = report.days.flatMap((p) => CHART_SERIES.map((s) => countNumber(p[s]) ?? 0));
  const max = niceMax(Math.max(0, ...values));
  return {
    max,
    ticks: [0, max / 2, max],
    weeks: report.days.map((p: StatsPeriod) => ({
      date: p.date,
      bars: CHART_SERIES.map((series) => {
        const value = countNumber(p[series]);
        return { series, value, height: value ?? 2 };
      }),
    })),
  };
}
