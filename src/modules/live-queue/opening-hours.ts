import type { OpeningHoursEntry } from '../centers/center.entity';

/** One formatter per (valid) time zone: making one costs far more than using it (every queue.join asks). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, fmt);
  }
  return fmt;
}

/** Whether `now` falls into one of the center's opening-hours entries (no entries: always open). */
export function withinOpeningHours(hours: OpeningHoursEntry[] | null, timeZone: string, now: Date): boolean {
  if (!hours || hours.length === 0) return true;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatter(timeZone).formatToParts(now);
  } catch {
    return true; // an unknown time zone must not lock visitors out
  }
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  const hhmm = `${get('hour').padStart(2, '0')}:${get('minute').padStart(2, '0')}`;
  return hours.some((h) => h.day === day && h.from <= hhmm && hhmm < h.to);
}
