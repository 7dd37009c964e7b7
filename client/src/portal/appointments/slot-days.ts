/** Slots (or appointments) grouped by their day in the center's time zone, for headed lists. */
export interface DayGroup<T> {
  /** "YYYY-MM-DD" in the time zone (a stable key and `data-day`). */
  day: string;
  items: T[];
}

/** The calendar day of an instant in `timeZone` as "YYYY-MM-DD". */
export function dayOf(iso: string, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** Groups by the day of `startsAt` in `timeZone`, days and items soonest first. */
export function groupByDay<T extends { startsAt: string }>(items: readonly T[], timeZone: string): DayGroup<T>[] {
  const sorted = [...items].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const groups: DayGroup<T>[] = [];
  for (const item of sorted) {
    const day = dayOf(item.startsAt, timeZone);
    const last = groups[groups.length - 1];
    if (last?.day === day) last.items.push(item);
    else groups.push({ day, items: [item] });
  }
  return groups;
}
