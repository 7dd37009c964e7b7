import { DateTime } from 'luxon';

export interface SlotTimes {
  startsAt: Date;
  endsAt: Date;
}

/**
 * A weekly series of `weeks` slots on the same local wall time in `timeZone`: the first one is
 * `startsAt`–`endsAt`, each next one 7 calendar days later in that zone (luxon's calendar math), so
 * a 10:00 slot stays at 10:00 across the change to or from daylight saving time, and its length in
 * wall time stays the same. A wall time that does not exist on a day (the spring gap) moves forward
 * by the gap, as luxon does.
 */
export function weeklySeries(startsAt: Date, endsAt: Date, weeks: number, timeZone: string): SlotTimes[] {
  const start = DateTime.fromJSDate(startsAt, { zone: timeZone });
  const end = DateTime.fromJSDate(endsAt, { zone: timeZone });
  const out: SlotTimes[] = [];
  for (let i = 0; i < weeks; i++) out.push({ startsAt: start.plus({ weeks: i }).toJSDate(), endsAt: end.plus({ weeks: i }).toJSDate() });
  return out;
}

/** "Thu, 03.12.2026, 10:00–11:00" in the zone (messages that name a clash). */
export function describeSpan(startsAt: Date, endsAt: Date, timeZone: string): string {
  const s = DateTime.fromJSDate(startsAt, { zone: timeZone });
  const e = DateTime.fromJSDate(endsAt, { zone: timeZone });
  const sameDay = s.toISODate() === e.toISODate();
  return `${s.toFormat('ccc, dd.LL.yyyy, HH:mm')}–${e.toFormat(sameDay ? 'HH:mm' : 'dd.LL.yyyy, HH:mm')} (${timeZone})`;
}
