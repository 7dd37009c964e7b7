/**
 * `<input type="datetime-local">` values ("2026-12-01T18:30") read and written in the center's
 * time zone, whatever zone the browser is in.
 */
function offsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** A local date and time in `timeZone` as an ISO instant; null when the value is not a date. */
export function zonedToIso(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // twice: the first offset may be the one on the other side of a DST change
  let at = guess - offsetMs(guess, timeZone);
  at = guess - offsetMs(at, timeZone);
  return new Date(at).toISOString();
}

/** An ISO instant as the datetime-local value in `timeZone`. */
export function isoToZoned(iso: string, timeZone: string): string {
  const ms = new Date(iso).getTime();
  const d = new Date(ms + offsetMs(ms, timeZone));
  return d.toISOString().slice(0, 16);
}
