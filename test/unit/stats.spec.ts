import { dayIn } from '../../src/common/zoned-day';
import { bucketOf, DURATION_EDGES, quantile, reportedEdge, WAIT_EDGES } from '../../src/modules/stats/histogram';
import { buildPeriods, CSV_COLUMNS, dayNumber, dayText, PLAIN_BUCKET, StatRow, suppress, toCsv, weekStart } from '../../src/modules/stats/stats-report';

function hist(values: number[], edges: readonly number[] = WAIT_EDGES): Map<number, number> {
  const m = new Map<number, number>();
  for (const v of values) m.set(bucketOf(edges, v), (m.get(bucketOf(edges, v)) ?? 0) + 1);
  return m;
}
const day = (d: string) => dayNumber(d)!;

describe('statistics buckets and percentiles', () => {
  it('should put a value into the first bucket whose upper edge is above it when it is counted', () => {
    expect(bucketOf(WAIT_EDGES, 0)).toBe(0);
    expect(bucketOf(WAIT_EDGES, 29.9)).toBe(0);
    expect(bucketOf(WAIT_EDGES, 30)).toBe(1);
    expect(bucketOf(WAIT_EDGES, 100)).toBe(2);
    expect(bucketOf(WAIT_EDGES, 3599)).toBe(10);
    expect(bucketOf(WAIT_EDGES, 3600)).toBe(11);
    expect(bucketOf(WAIT_EDGES, 86_400)).toBe(11);
    // nonsense never breaks the count: it lands in the first bucket
    expect(bucketOf(WAIT_EDGES, -5)).toBe(0);
    expect(bucketOf(WAIT_EDGES, Number.NaN)).toBe(0);
    expect(bucketOf(DURATION_EDGES, 50)).toBe(0);
    expect(bucketOf(DURATION_EDGES, 7200)).toBe(DURATION_EDGES.length);
  });

  it('should report a bucket by its upper edge and the open last bucket by the last edge', () => {
    expect(reportedEdge(WAIT_EDGES, 0)).toBe(30);
    expect(reportedEdge(WAIT_EDGES, 2)).toBe(120);
    expect(reportedEdge(WAIT_EDGES, 11)).toBe(3600);
  });

  it('should give null when fewer than three values were counted', () => {
    expect(quantile(WAIT_EDGES, new Map(), 0.5)).toBeNull();
    expect(quantile(WAIT_EDGES, hist([10, 500]), 0.5)).toBeNull();
    expect(quantile(WAIT_EDGES, hist([10, 500, 20]), 0.5)).toBe(30);
  });

  it('should take the nearest rank from the merged buckets when the median and the 90th percentile are read', () => {
    // 0, 100, 200 s → buckets edged 30, 120, 300
    expect(quantile(WAIT_EDGES, hist([0, 100, 200]), 0.5)).toBe(120);
    expect(quantile(WAIT_EDGES, hist([0, 100, 200]), 0.9)).toBe(300);
    // ten values: rank 5 for the median, rank 9 for the 90th percentile
    const ten = [5, 5, 5, 5, 45, 45, 45, 45, 1000, 5000];
    expect(quantile(WAIT_EDGES, hist(ten), 0.5)).toBe(60); // the 5th value is 45 s: bucket [30, 60)
    expect(quantile(WAIT_EDGES, hist(ten), 0.9)).toBe(1200);
    expect(quantile(WAIT_EDGES, hist(ten), 1)).toBe(3600);
    // merging two days' buckets equals counting the values together
    const a = hist([5, 45, 45]);
    const b = hist([1000, 5000, 5, 5, 5, 45, 45]);
    const merged = new Map(a);
    for (const [k, n] of b) merged.set(k, (merged.get(k) ?? 0) + n);
    expect(quantile(WAIT_EDGES, merged, 0.9)).toBe(quantile(WAIT_EDGES, hist(ten), 0.9));
  });

  it('should show 1 and 2 as "< 3" and keep 0 and 3 when counts are reported', () => {
    expect([0, 1, 2, 3, 17].map(suppress)).toEqual([0, '< 3', '< 3', 3, 17]);
  });
});

describe('statistics days', () => {
  it('should count an instant on the center’s local day across the daylight-saving changes', () => {
    // spring forward (29 March 2026, Berlin 02:00 → 03:00): the day has 23 hours
    expect(dayIn('Europe/Berlin', new Date('2026-03-28T22:59:59Z'))).toBe('2026-03-28');
    expect(dayIn('Europe/Berlin', new Date('2026-03-28T23:00:00Z'))).toBe('2026-03-29');
    expect(dayIn('Europe/Berlin', new Date('2026-03-29T21:59:59Z'))).toBe('2026-03-29');
    expect(dayIn('Europe/Berlin', new Date('2026-03-29T22:00:00Z'))).toBe('2026-03-30');
    // fall back (25 October 2026, 03:00 → 02:00): 25 hours, midnight is 22:00 UTC the day before, 23:00 UTC after
    expect(dayIn('Europe/Berlin', new Date('2026-10-24T21:59:59Z'))).toBe('2026-10-24');
    expect(dayIn('Europe/Berlin', new Date('2026-10-24T22:00:00Z'))).toBe('2026-10-25');
    expect(dayIn('Europe/Berlin', new Date('2026-10-25T22:59:59Z'))).toBe('2026-10-25');
    expect(dayIn('Europe/Berlin', new Date('2026-10-25T23:00:00Z'))).toBe('2026-10-26');
    // another zone: the same instant is another day
    expect(dayIn('America/New_York', new Date('2026-10-25T23:00:00Z'))).toBe('2026-10-25');
  });

  it('should accept only real calendar days when a day is read', () => {
    expect(dayText(day('2026-02-28'))).toBe('2026-02-28');
    expect(dayNumber('2026-02-29')).toBeNull();
    expect(dayNumber('2028-02-29')).not.toBeNull();
    expect(dayNumber('2026-13-01')).toBeNull();
    expect(dayNumber('2026-1-01')).toBeNull();
    expect(dayNumber('yesterday')).toBeNull();
    expect(day('2026-03-30') - day('2026-03-29')).toBe(1);
  });

  it('should start weeks on Monday when days are grouped', () => {
    expect(dayText(weekStart(day('2026-12-01')))).toBe('2026-11-30'); // a Tuesday
    expect(dayText(weekStart(day('2026-11-30')))).toBe('2026-11-30');
    expect(dayText(weekStart(day('2026-12-06')))).toBe('2026-11-30'); // Sunday
    expect(dayText(weekStart(day('2026-12-07')))).toBe('2026-12-07');
  });
});

describe('statistics report', () => {
  const rows: StatRow[] = [
    { day: '2026-03-28', metric: 'live.started', bucket: PLAIN_BUCKET, count: 2 },
    { day: '2026-03-29', metric: 'live.started', bucket: PLAIN_BUCKET, count: 2 },
    { day: '2026-03-30', metric: 'live.started', bucket: PLAIN_BUCKET, count: 5 },
    { day: '2026-03-28', metric: 'live.wait', bucket: 0, count: 2 },
    { day: '2026-03-29', metric: 'live.wait', bucket: 2, count: 1 },
    { day: '2026-03-29', metric: 'appointment.phone', bucket: PLAIN_BUCKET, count: 4 },
    // outside the range: ignored
    { day: '2026-04-06', metric: 'live.started', bucket: PLAIN_BUCKET, count: 9 },
  ];

  it('should list every day of the range with zeros and suppress small counts per day', () => {
    const days = buildPeriods(rows, day('2026-03-27'), day('2026-03-30'), 'day');
    expect(days.map((d) => d.date)).toEqual(['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30']);
    expect(days.map((d) => d.liveStarted)).toEqual([0, '< 3', '< 3', 5]);
    expect(days.map((d) => d.waitMedianSeconds)).toEqual([null, null, null, null]);
    expect(days[2]!.appointments).toEqual({ video: 0, chat: 0, mail: 0, phone: 4 });
  });

  it('should sum the days of a week before suppressing and merge their buckets when grouped by week', () => {
    const weeks = buildPeriods(rows, day('2026-03-27'), day('2026-04-05'), 'week');
    // Friday 27 March starts the range mid-week; the next week starts on Monday 30 March
    expect(weeks.map((w) => w.date)).toEqual(['2026-03-27', '2026-03-30']);
    expect(weeks[0]!.liveStarted).toBe(4);
    expect(weeks[0]!.waitMedianSeconds).toBe(30);
    expect(weeks[0]!.waitP90Seconds).toBe(120);
    expect(weeks[1]!.liveStarted).toBe(5);
  });

  it('should write the same periods as CSV with a header line and CRLF when exported', () => {
    const csv = toCsv(buildPeriods(rows, day('2026-03-28'), day('2026-03-29'), 'day'));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[1]).toBe('2026-03-28,< 3,0,0,,,,0,0,0,0,0,0,0,0,0');
    expect(lines[2]).toBe('2026-03-29,< 3,0,0,,,,0,0,0,0,0,0,0,4,0');
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
  });
});
