import { chartModel, defaultRange, rangeProblem, statsQuery, todayIn } from '../../client/src/portal/stats/stats-model';
import type { StatsPeriod } from '../../src/realtime/contract';

const period = (date: string, p: Partial<StatsPeriod> = {}): StatsPeriod => ({
  date,
  liveStarted: 0,
  liveRefusedFull: 0,
  liveRefusedClosed: 0,
  waitMedianSeconds: null,
  waitP90Seconds: null,
  durationMedianSeconds: null,
  topicChats: 0,
  topicParticipants: 0,
  enquiries: 0,
  posts: 0,
  appointments: { video: 0, chat: 0, mail: 0, phone: 0 },
  videoSessions: 0,
  ...p,
});

describe('statistics page model', () => {
  it('should take today in the center’s zone and twelve whole weeks back when the page opens', () => {
    expect(todayIn('Europe/Berlin', new Date('2026-11-30T23:30:00Z'))).toBe('2026-12-01');
    expect(todayIn('America/New_York', new Date('2026-11-30T23:30:00Z'))).toBe('2026-11-30');
    // Tuesday 1 December: from Monday 14 September (eleven weeks before Monday 30 November)
    expect(defaultRange('2026-12-01')).toEqual({ from: '2026-09-14', to: '2026-12-01' });
    expect(defaultRange('2026-11-30')).toEqual({ from: '2026-09-14', to: '2026-11-30' });
  });

  it('should name what is wrong with a period before it is asked for', () => {
    expect(rangeProblem({ from: '', to: '2026-12-01' })).toBe('from');
    expect(rangeProblem({ from: '2026-02-30', to: '2026-12-01' })).toBe('from');
    expect(rangeProblem({ from: '2026-01-01', to: 'x' })).toBe('to');
    expect(rangeProblem({ from: '2026-03-10', to: '2026-03-01' })).toBe('order');
    expect(rangeProblem({ from: '2025-01-01', to: '2026-02-05' })).toBe('long');
    expect(rangeProblem({ from: '2025-01-02', to: '2026-02-05' })).toBeNull();
    expect(statsQuery({ from: '2026-01-01', to: '2026-01-31' }, 'week')).toBe('from=2026-01-01&to=2026-01-31&by=week');
  });

  it('should scale the bars to a round top and draw "< 3" as a bar of 2 when the chart is built', () => {
    const m = chartModel({
      days: [period('2026-11-23', { liveStarted: 13, liveRefusedFull: '< 3' }), period('2026-11-30', { liveStarted: 7, liveRefusedClosed: 4 })],
    });
    expect(m.max).toBe(20);
    expect(m.ticks).toEqual([0, 10, 20]);
    expect(m.weeks[0]!.bars).toEqual([
      { series: 'liveStarted', value: 13, height: 13 },
      { series: 'liveRefusedFull', value: null, height: 2 },
      { series: 'liveRefusedClosed', value: 0, height: 0 },
    ]);
    expect(chartModel({ days: [period('2026-11-30')] }).max).toBe(4);
  });
});
