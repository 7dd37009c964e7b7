import { isoToZoned, zonedToIso } from '../../client/src/portal/zoned-time';

describe('datetime-local in the center’s time zone', () => {
  it('should read a Berlin winter and summer time as the right instant', () => {
    expect(zonedToIso('2026-12-01T18:30', 'Europe/Berlin')).toBe('2026-12-01T17:30:00.000Z');
    expect(zonedToIso('2026-07-01T18:30', 'Europe/Berlin')).toBe('2026-07-01T16:30:00.000Z');
    expect(zonedToIso('2026-07-01T18:30', 'UTC')).toBe('2026-07-01T18:30:00.000Z');
  });

  it('should write an instant back as the same local value', () => {
    expect(isoToZoned('2026-12-01T17:30:00.000Z', 'Europe/Berlin')).toBe('2026-12-01T18:30');
    expect(isoToZoned('2026-03-29T01:30:00.000Z', 'Europe/Berlin')).toBe('2026-03-29T03:30');
    expect(isoToZoned(zonedToIso('2026-10-25T12:00', 'America/New_York')!, 'America/New_York')).toBe('2026-10-25T12:00');
  });

  it('should answer null when the value is not a date and time', () => {
    expect(zonedToIso('', 'Europe/Berlin')).toBeNull();
    expect(zonedToIso('2026-12-01', 'Europe/Berlin')).toBeNull();
  });
});
