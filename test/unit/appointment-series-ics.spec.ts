import { appointmentIcs, type IcsInput } from '../../src/modules/appointments/appointment-ics';
import { describeSpan, weeklySeries } from '../../src/modules/appointments/slot-series';

const TZ = 'Europe/Berlin';
const berlinWallTime = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: TZ, weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);

/** Unfolds RFC 5545 content lines (CRLF + one space or tab continues the previous line). */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '').split('\r\n');

describe('weekly slot series', () => {
  it('should keep 10:00 local time across the change from summer to winter time in Europe/Berlin', () => {
    // Thu 2026-10-22 10:00 CEST (08:00Z); DST ends Sun 2026-10-25
    const series = weeklySeries(new Date('2026-10-22T08:00:00Z'), new Date('2026-10-22T09:00:00Z'), 3, TZ);
    expect(series.map((s) => s.startsAt.toISOString())).toEqual(['2026-10-22T08:00:00.000Z', '2026-10-29T09:00:00.000Z', '2026-11-05T09:00:00.000Z']);
    expect(series.map((s) => berlinWallTime(s.startsAt))).toEqual(['Thu 10:00', 'Thu 10:00', 'Thu 10:00']);
    expect(series.map((s) => berlinWallTime(s.endsAt))).toEqual(['Thu 11:00', 'Thu 11:00', 'Thu 11:00']);
    for (const s of series) expect(s.endsAt.getTime() - s.startsAt.getTime()).toBe(60 * 60 * 1000);
  });

  it('should keep 10:00 local time across the change from winter to summer time', () => {
    // Thu 2027-03-25 10:00 CET (09:00Z); DST begins Sun 2027-03-28
    const series = weeklySeries(new Date('2027-03-25T09:00:00Z'), new Date('2027-03-25T09:30:00Z'), 2, TZ);
    expect(series.map((s) => s.startsAt.toISOString())).toEqual(['2027-03-25T09:00:00.000Z', '2027-04-01T08:00:00.000Z']);
    expect(series.map((s) => berlinWallTime(s.startsAt))).toEqual(['Thu 10:00', 'Thu 10:00']);
  });

  it('should give one slot for one week and 26 weekly slots for 26 weeks', () => {
    const start = new Date('2026-12-03T09:00:00Z');
    expect(weeklySeries(start, new Date('2026-12-03T10:00:00Z'), 1, TZ)).toEqual([{ startsAt: start, endsAt: new Date('2026-12-03T10:00:00Z') }]);
    const long = weeklySeries(start, new Date('2026-12-03T10:00:00Z'), 26, TZ);
    expect(long).toHaveLength(26);
    expect(new Set(long.map((s) => berlinWallTime(s.startsAt)))).toEqual(new Set(['Thu 10:00']));
  });

  it('should describe a span in the center’s local time', () => {
    expect(describeSpan(new Date('2026-12-03T09:00:00Z'), new Date('2026-12-03T10:30:00Z'), TZ)).toBe('Thu, 03.12.2026, 10:00–11:30 (Europe/Berlin)');
  });
});

describe('appointment .ics', () => {
  const base: IcsInput = {
    id: '0b6c3f0e-8d1a-4c5e-9a43-7c1f2b9e5d10',
    uidHost: 'lotse.example',
    centerName: 'Beratungsstelle für Ärger, Überdruss und Ödnis in den Großstädten des Südens',
    timeZone: TZ,
    form: 'video',
    status: 'booked',
    startsAt: new Date('2026-12-03T09:00:00Z'),
    endsAt: new Date('2026-12-03T10:00:00Z'),
    stamp: new Date('2026-12-01T12:34:56Z'),
    url: 'https://lotse.example/c/sued/app/appointments',
  };

  it('should write CRLF line ends and fold every line at 75 octets', () => {
    const text = appointmentIcs(base);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const physical = text.split('\r\n').slice(0, -1);
    for (const line of physical) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    // the long UTF-8 summary was folded, and unfolds to the original
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    expect(unfold(text)).toContain(`SUMMARY:${base.centerName.replace(/,/g, '\\,')}: appointment (video)`);
  });

  it('should carry the center’s VTIMEZONE and DTSTART/DTEND in local time with its TZID', () => {
    const lines = unfold(appointmentIcs(base));
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines.some((l) => l.startsWith('PRODID:'))).toBe(true);
    const tzBegin = lines.indexOf('BEGIN:VTIMEZONE');
    const tzEnd = lines.indexOf('END:VTIMEZONE');
    expect(tzBegin).toBeGreaterThan(0);
    const vtz = lines.slice(tzBegin, tzEnd + 1);
    expect(vtz).toContain(`TZID:${TZ}`);
    expect(vtz).toContain('BEGIN:STANDARD');
    expect(vtz).toContain('BEGIN:DAYLIGHT');
    expect(vtz).toContain('TZOFFSETTO:+0100');
    expect(vtz).toContain('TZOFFSETTO:+0200');
    const ev = lines.slice(lines.indexOf('BEGIN:VEVENT'), lines.indexOf('END:VEVENT') + 1);
    expect(ev).toContain('DTSTART;TZID=Europe/Berlin:20261203T100000');
    expect(ev).toContain('DTEND;TZID=Europe/Berlin:20261203T110000');
    // DTSTAMP in UTC (RFC 5545 3.8.7.2), a UID, the link, no cancellation
    expect(ev).toContain('DTSTAMP:20261201T123456Z');
    expect(ev).toContain(`UID:${base.id}@lotse.example`);
    expect(ev).toContain('STATUS:CONFIRMED');
    expect(ev).toContain('SEQUENCE:0');
    // every component closed, in order; every line NAME[;params]:value
    expect(lines.filter((l) => l.startsWith('BEGIN:')).length).toBe(lines.filter((l) => l.startsWith('END:')).length);
    for (const l of lines.filter((x) => x.length > 0)) expect(l).toMatch(/^[A-Z][A-Z0-9-]*(;[^:]+)?:/);
    expect(lines[lines.length - 2]).toBe('END:VCALENDAR');
  });

  it('should mark a cancelled appointment STATUS:CANCELLED with a higher SEQUENCE', () => {
    const lines = unfold(appointmentIcs({ ...base, status: 'cancelled' }));
    expect(lines).toContain('STATUS:CANCELLED');
    expect(lines).toContain('SEQUENCE:1');
    expect(lines).not.toContain('STATUS:CONFIRMED');
  });

  it('should write the summer-time offset for a summer appointment and no client data', () => {
    const text = appointmentIcs({ ...base, centerName: 'Zentrum', startsAt: new Date('2027-06-10T08:00:00Z'), endsAt: new Date('2027-06-10T08:45:00Z') });
    const lines = unfold(text);
    expect(lines).toContain('DTSTART;TZID=Europe/Berlin:20270610T100000');
    expect(lines).toContain('DTEND;TZID=Europe/Berlin:20270610T104500');
    expect(lines).toContain('SUMMARY:Zentrum: appointment (video)');
    expect(lines.some((l) => /^(ATTENDEE|ORGANIZER|DESCRIPTION)/.test(l))).toBe(false);
  });
});
