/**
 * `<input type="datetime-local">` speaks wall-clock time without a zone; the rooms form means the
 * center's time zone (not the browser's: a counselor may work from elsewhere). These convert
 * between that wall-clock text ("2027-06-01T10:00") and an instant (ISO 8601, UTC) with Intl only.
 */

/** The wall-clock fields of an instant in a time zone. */
function wallClock(ms: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), mo: get('month'), d: get('day'), h: get('hour') % 24, mi: get('minute') };
}

/** How far the zone's wall clock is ahead of UTC at that instant (ms, whole minutes). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
  return asUtc - Math.floor(ms / 60_000) * 60_000;
}

/** "YYYY-MM-DDTHH:MM" in `timeZone` → ISO 8601 (UTC); null when the text is not such a time. */
export function zonedToIso(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  // the offset at the guess, then once more at the corrected instant (a daylight-saving change between them)
  let ms = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(ms, timeZone);
  if (second !== ms) ms = second;
  return new Date(ms).toISOString();
}

/** An instant → "YYYY-MM-DDTHH:MM" as the zone's wall clock shows it (the input's value). */
export function isoToZoned(iso: string, timeZone: string): string {
  const w = wallClock(new Date(iso).getTime(), timeZone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.y}-${p(w.mo)}-${p(w.d)}T${p(w.h)}:${p(w.mi)}`;
}
