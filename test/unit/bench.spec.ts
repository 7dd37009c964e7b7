import type { Row } from '../../load/bench/driver';
import { renderMarkdown, renderText, table } from '../../load/bench/report';
import { CLK_TCK, cpuTicks, groupRssMb, rssMb, startSampler, statTicks, statusRssMb } from '../../load/bench/sampler';
import { scenarios } from '../../load/bench/scenarios';
import { readSettings, SettingsError } from '../../load/bench/settings';

const seed = { counselors: [], rooms: [], visitorTokens: [] };
const payloads = { lotse: { messages: 'm.csv', queue: 'q.csv' }, baseline: { messages: 'mb.csv', queue: 'qb.csv' } };
const figures = (cpuSeconds: number, peakRssMb: number) => ({ cpuSeconds, peakRssMb, activeCpuPercent: 50 });

describe('the bench (load/bench)', () => {
  describe('sampler', () => {
    it('should read utime + stime after a command name with spaces and parentheses', () => {
      const stat = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 731 269 0 0 20 0 11 0 123 456 789';
      expect(statTicks(stat)).toBe(1000);
      expect(statTicks('garbage')).toBeNull();
    });

    it('should read VmRSS in MB, and nothing from a status without it', () => {
      expect(statusRssMb('Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t  204800 kB\nRssAnon:\t 1 kB\n')).toBe(200);
      expect(statusRssMb('Name:\tnode\nState:\tZ (zombie)\n')).toBeNull();
    });

    it('should read this process from /proc like process.memoryUsage and process.cpuUsage do', () => {
      const rss = rssMb(process.pid);
      expect(rss).not.toBeNull();
      expect(Math.abs((rss as number) - process.memoryUsage().rss / 1024 / 1024)).toBeLessThan(50);
      const { user, system } = process.cpuUsage();
      expect(Math.abs((cpuTicks(process.pid) as number) / CLK_TCK - (user + system) / 1e6)).toBeLessThan(0.5);
    });

    it('should give null for a process that does not exist', () => {
      expect(cpuTicks(2 ** 30)).toBeNull();
      expect(rssMb(2 ** 30)).toBeNull();
    });

    it('should report the CPU used between the first and the last sample and the peak RSS per key', () => {
      const sampler = startSampler({ self: [process.pid], twice: [process.pid, process.pid], gone: [process.pid, 2 ** 30] }, 60_000);
      // burn 0.3 s of this process's own CPU (not of wall time: on a busy machine the share can be small)
      const from = process.cpuUsage();
      while (process.cpuUsage(from).user < 300_000);
      const { figures: f, samples } = sampler.stop({ start: 0, end: 60_000 });
      expect(samples).toHaveLength(2);
      expect(f.self?.cpuSeconds).toBeGreaterThan(0.1);
      expect(f.self?.activeCpuPercent).toBeGreaterThan(30);
      expect(f.self?.peakRssMb).toBeGreaterThan(10);
      // A group is summed: the same process twice counts twice; a group with a process gone counts as gone.
      // Each of the four reads of /proc can be a tick (10 ms) apart from the self group's reads.
      expect(f.twice?.cpuSeconds).toBeGreaterThanOrEqual(2 * (f.self?.cpuSeconds as number) - 0.04);
      expect(f.twice?.peakRssMb).toBeGreaterThan(1.9 * (f.self?.peakRssMb as number));
      expect(f.gone).toEqual({ peakRssMb: null, cpuSeconds: null, activeCpuPercent: null });
      expect(groupRssMb([process.pid, 2 ** 30])).toBeNull();
      expect(groupRssMb([])).toBeNull();
    });
  });

  describe('settings', () => {
    it('should default to a full SQLite run and to smaller figures when quick', () => {
      expect(readSettings({})).toEqual({ quick: false, db: 'sqlite', seconds: 20, pairs: 10, sendIntervalMs: 100, liveRate: 50, queueRate: 5 });
      expect(readSettings({ BENCH_QUICK: '1', BENCH_DB: 'mariadb' })).toMatchObject({
        quick: true,
        db: 'mariadb',
        seconds: 5,
        pairs: 3,
        liveRate: 20,
        queueRate: 3,
      });
    });

    it('should refuse an unknown database and figures out of range', () => {
      expect(() => readSettings({ BENCH_DB: 'postgres' })).toThrow(new SettingsError('BENCH_DB must be sqlite or mariadb, not "postgres"'));
      expect(() => readSettings({ BENCH_SECONDS: '31' })).toThrow('BENCH_SECONDS must be a whole number from 1 to 30');
      expect(() => readSettings({ BENCH_PAIRS: '2.5' })).toThrow(SettingsError);
    });
  });

  describe('scenarios and the table', () => {
    const s = readSettings({ BENCH_QUICK: '1' });
    const [messages] = scenarios(s, seed, payloads);

    it('should offer what the settings ask for and read acked messages from the artillery report', () => {
      expect(scenarios(s, seed, payloads).map((sc) => [sc.name, sc.offered])).toEqual([
        ['messages', 60],
        ['live-status', 200],
        ['queue', 6],
      ]);
      const summary = messages!.summarize({
        counters: { 'lotse.messages_acked': 297, 'lotse.message_error.TIMEOUT': 3, 'errors.ECONNREFUSED': 1 },
        summaries: { 'lotse.message_ack_ms': { p50: 4, p95: 9, p99: 12 } },
        firstCounterAt: 1000,
        lastCounterAt: 8000,
      });
      expect(summary).toMatchObject({ unit: 'msg/s', ok: 297, errors: 4, rate: 297 / 5, p50: 4, p99: 12, seconds: 7 });
      expect(summary.errorKinds).toEqual({ 'lotse.message_error.TIMEOUT': 3, 'errors.ECONNREFUSED': 1 });
    });

    it('should put Lotse beside its baseline with the ratio row, and leave out the ratio when one side is missing', () => {
      const row = (target: 'lotse' | 'baseline', cpuSeconds: number, p50: number): Row => ({
        scenario: 'messages',
        target,
        unit: 'msg/s',
        ok: 100,
        errors: 0,
        errorRate: 0,
        rate: 20,
        p50,
        p95: p50 * 2,
        p99: p50 * 3,
        server: figures(cpuSeconds, target === 'lotse' ? 150 : 50),
        artillery: figures(1, 40),
      });
      const t = table([row('lotse', 0.4, 8), row('baseline', 0.1, 1)], { messages: 20 });
      expect(t.head).toHaveLength(12);
      expect(t.rows.map((r) => r.slice(0, 4))).toEqual([
        ['messages', 'lotse', '20/s', '20.0 msg/s'],
        ['messages', 'baseline', '20/s', '20.0 msg/s'],
        ['messages', 'lotse ÷ baseline', '', '1.00×'],
      ]);
      expect(t.rows[0]?.[9]).toBe('4.00'); // server CPU ms per message
      expect(t.rows[2]?.[4]).toBe('8.00×'); // p50
      expect(t.rows[2]?.[9]).toBe('4.00×'); // CPU per message
      expect(table([row('lotse', 0.4, 8)], { messages: 20 }).rows).toHaveLength(1);
      expect(renderText(t).split('\n')).toHaveLength(5);
      expect(renderMarkdown(t).split('\n')[1]).toBe(`|${Array(12).fill('---').join('|')}|`);
    });
  });
});
