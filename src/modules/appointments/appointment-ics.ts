import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import type { AppointmentForm, AppointmentStatus } from '../../realtime/contract';

export interface IcsInput {
  id: string;
  /** The host part of the UID (the installation's public host). */
  uidHost: string;
  centerName: string;
  timeZone: string;
  form: AppointmentForm;
  status: AppointmentStatus;
  startsAt: Date;
  endsAt: Date;
  stamp: Date;
  /** The portal's appointments page. */
  url: string;
}

/**
 * One appointment as an iCalendar file (RFC 5545): a VTIMEZONE of the center's zone (from
 * timezones-ical-library), DTSTART/DTEND with `TZID=<zone>` in local time, DTSTAMP in UTC, the
 * summary "<center>: appointment (<form>)" — no client name, nothing anybody typed. A cancelled one
 * carries `STATUS:CANCELLED` and a higher SEQUENCE, so calendars that imported it update it.
 * CRLF line ends, lines folded at 75 octets (ical-generator), and a CRLF after the last line.
 */
export function appointmentIcs(a: IcsInput): string {
  const cal = ical({ prodId: { company: 'Lotse', product: 'Lotse', language: 'DE' } });
  // No calendar-level zone name: with one, ical-generator writes DTSTAMP in local time without
  // "Z" (RFC 5545 wants UTC) and adds non-standard TIMEZONE-ID lines. The generator alone still
  // writes the VTIMEZONE for the event's zone.
  cal.timezone({ name: null, generator: (tz) => tzlib_get_ical_block(tz)[0] ?? null });
  cal.createEvent({
    id: `${a.id}@${a.uidHost}`,
    sequence: a.status === 'cancelled' ? 1 : 0,
    // luxon times in the zone: with a plain Date ical-generator would write the host's local time
    start: DateTime.fromJSDate(a.startsAt, { zone: a.timeZone }),
    end: DateTime.fromJSDate(a.endsAt, { zone: a.timeZone }),
    timezone: a.timeZone,
    stamp: a.stamp,
    summary: `${a.centerName}: appointment (${a.form})`,
    url: a.url,
    status: a.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return `${cal.toString()}\r\n`;
}
