/** Calendar days in a center's time zone (the daily upload quota, the statistics' days). */

/** One formatter per time zone (making one costs far more than using it: statistics count on the hot path). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    // only zones Intl accepted get here (an unknown one throws above), so the map stays small
    formatters.set(timeZone, fmt);
  }
  return fmt;
}

function parts(timeZone: string, at: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  const fmt = formatter(timeZone);
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of fmt.formatToParts(at)) if (p.type in out) out[p.type as keyof typeof out] = Number(p.value);
  return out;
}

/** `YYYY-MM-DD` of `at` in the time zone. */
export function dayIn(timeZone: string, at: Date): string {
  const p = parts(timeZone, at);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * Milliseconds until the next midnight in the time zone: the wall clock's distance, corrected on a
 * day of 23 or 25 hours (daylight saving) to the first minute whose calendar day differs.
 */
export function msUntilNextDay(timeZone: string, at: Date): number {
  const today = dayIn(timeZone, at);
  const p = parts(timeZone, at);
  let ms = ((24 - p.hour) * 3600 - p.minute * 60 - p.second) * 1000 - at.getUTCMilliseconds();
  const dayAfter = (delta: number) => dayIn(timeZone, new Date(at.getTime() + delta)) !== today;
  while (!dayAfter(ms)) ms += 3600_000;
  while (ms > 60_000 && dayAfter(ms - 60_000)) ms -= 60_000;
  return Math.max(1000, ms);
}
