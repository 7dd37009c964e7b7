import { share } from '../../load/bench/generators';
import type { LoadResult } from '../../load/bench/generator';
import { IdleFigures, outcomeOf, QueueFigures, StepRow } from '../../load/bench/measure';
import { BenchJson, figureRows, figuresOf, renderReport, renderTable, TargetResult } from '../../load/bench/report';
import { CLK_TCK, cpuTicks, groupCpuSeconds, groupRssMb, pidsByName, rssMb, startSampler, statTicks, statusRssMb } from '../../load/bench/sampler';
import { readSettings, SettingsError } from '../../load/bench/settings';
import type { UploadFigures } from '../../load/bench/uploads';
import {
  busiestPassing,
  compare,
  cpuMicrosPerOp,
  highestRateWithin,
  judgeStep,
  mergeSorted,
  num,
  parseSteps,
  percentile,
  ratio,
  stepAt,
} from '../../load/bench/stats';

const load = (over: Partial<LoadResult>): LoadResult => ({
  sent: 0,
  acked: 0,
  errors: 0,
  errorKinds: {},
  latencies: [],
  pushes: 0,
  cpuSeconds: 0,
  wallSeconds: 1,
  ...over,
});

/** A judged step as measure.ts makes it. */
function row(rate: number, acked: number, latencies: number[], serverCpu: Record<string, number | null>): StepRow {
  const o = outcomeOf(rate, 1, [load({ sent: rate, acked, latencies: [...latencies].sort((a, b) => a - b), cpuSeconds: 0.1, wallSeconds: 2 })], serverCpu);
  return { ...o, ...judgeStep(o), errorKinds: {} };
}

describe('the bench (load/bench)', () => {
  describe('percentiles and ratios', () => {
    it('should take the nearest-rank percentile and count a lost send (Infinity) as the slowest', () => {
      const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
      expect(percentile(hundred, 50)).toBe(50);
      expect(percentile(hundred, 99)).toBe(99);
      expect(percentile(hundred, 100)).toBe(100);
      expect(percentile([7], 99)).toBe(7);
      expect(percentile([], 50)).toBeNull();
      // two of a hundred lost: the p99 is a lost one
      expect(percentile([...hundred.slice(0, 98), Infinity, Infinity], 99)).toBe(Infinity);
      expect(percentile([...hundred.slice(0, 99), Infinity], 99)).toBe(99);
    });

    it('should merge the generators’ sorted latencies into one sorted array', () => {
      expect(mergeSorted([[1, 5, 9], [2, 3], [], [4, Infinity]])).toEqual([1, 2, 3, 4, 5, 9, Infinity]);
    });

    it('should give a ratio only for two finite figures and a positive divisor', () => {
      expect(ratio(10, 4)).toBe(2.5);
      expect(ratio(10, 0)).toBeNull();
      expect(ratio(null, 4)).toBeNull();
      expect(ratio(10, undefined)).toBeNull();
      expect(ratio(Infinity, 4)).toBeNull();
      expect(compare(2500, 400, 0)).toEqual({ lotse: 2500, baseline: 400, ratio: 6.25 });
      expect(compare(1.23456, null)).toEqual({ lotse: 1.23, baseline: null, ratio: null });
      expect(num(Infinity)).toBeNull();
      expect(num(12.3456, 1)).toBe(12.3);
    });
  });

  describe('judging a step', () => {
    it('should pass with ≥ 99 % acked and p99 ≤ 500 ms, and say why it fails otherwise', () => {
      expect(judgeStep({ sent: 1000, acked: 990, p99: 500 })).toEqual({ passed: true, reason: null });
      expect(judgeStep({ sent: 1000, acked: 989, p99: 10 })).toEqual({ passed: false, reason: '98.9 % acked (< 99 %)' });
      expect(judgeStep({ sent: 1000, acked: 1000, p99: 500.5 })).toEqual({ passed: false, reason: 'p99 501 ms > 500 ms' });
      expect(judgeStep({ sent: 1000, acked: 1000, p99: null }).passed).toBe(false);
      expect(judgeStep({ sent: 0, acked: 0, p99: null })).toEqual({ passed: false, reason: 'nothing was sent' });
      expect(judgeStep({ sent: 100, acked: 100, p99: 30 }, 20).passed).toBe(false);
    });

    it('should sum the generators of a step and count the unanswered sends as lost in the p99', () => {
      const o = outcomeOf(
        200,
        1,
        [
          load({ sent: 100, acked: 100, latencies: Array.from({ length: 100 }, () => 2), cpuSeconds: 0.2, wallSeconds: 2 }),
          load({ sent: 100, acked: 97, errors: 1, latencies: Array.from({ length: 97 }, () => 4), cpuSeconds: 0.5, wallSeconds: 2 }),
        ],
        { server: 0.2 },
      );
      expect(o).toMatchObject({ rate: 200, sent: 200, acked: 197, errors: 1, p50: 2, p99: Infinity, generatorMaxCorePercent: 25 });
      expect(o.generatorCpu).toBeCloseTo(0.7);
      expect(judgeStep(o).passed).toBe(false); // 98.5 % acked
      expect(cpuMicrosPerOp(o, 'server')).toBeCloseTo((0.2 * 1e6) / 197);
      expect(cpuMicrosPerOp(o, 'mariadbd')).toBeNull();
      expect(cpuMicrosPerOp(null, 'server')).toBeNull();
    });

    it('should read the busiest passing step, the highest rate within a p99 and the step at a rate', () => {
      const steps = [
        { rate: 250, passed: true, p99: 3 },
        { rate: 500, passed: true, p99: 40 },
        { rate: 1000, passed: true, p99: 120 },
        { rate: 2000, passed: false, p99: 900 },
      ];
      expect(busiestPassing(steps)?.rate).toBe(1000);
      expect(busiestPassing(steps.slice(3))).toBeNull();
      expect(highestRateWithin(steps, 50)).toBe(500);
      expect(highestRateWithin(steps, 2)).toBeNull();
      expect(highestRateWithin(steps, 1000)).toBe(1000); // a failed step never counts
      expect(stepAt(steps, 2000)?.p99).toBe(900);
      expect(stepAt(steps, 4000)).toBeNull();
    });

    it('should split the rooms over the generators so that every room has one owner', () => {
      const rooms = Array.from({ length: 50 }, (_, i) => i);
      const parts = [0, 1, 2].map((i) => share(rooms, i, 3));
      expect(parts.map((p) => p.length)).toEqual([17, 17, 16]);
      expect(parts.flat().sort((a, b) => a - b)).toEqual(rooms);
    });
  });

  describe('settings', () => {
    it('should default to the full run on every target, and to a short one when quick', () => {
      const s = readSettings({});
      expect(s).toMatchObject({
        quick: false,
        json: false,
        targets: ['sqlite', 'mariadb', 'two-nodes'],
        steps: [250, 500, 1000, 2000, 4000, 8000],
        stepSeconds: 8,
        rooms: 50,
        idleSockets: 10_000,
        queueJoins: 500,
      });
      const q = readSettings({ BENCH_QUICK: '1', BENCH_TARGETS: 'mariadb,sqlite' }, ['--json']);
      expect(q).toMatchObject({ quick: true, json: true, targets: ['mariadb', 'sqlite'] });
      expect(q.stepSeconds).toBeLessThan(s.stepSeconds);
      expect(q.steps.length).toBeLessThan(s.steps.length);
      expect(readSettings({ BENCH_STEPS: '1000, 250', BENCH_STEP_SECONDS: '5' })).toMatchObject({ steps: [250, 1000], stepSeconds: 5 });
      expect(parseSteps(undefined, [1, 2])).toEqual([1, 2]);
    });

    it('should refuse an unknown target, bad steps and figures out of range', () => {
      expect(() => readSettings({ BENCH_TARGETS: 'sqlite,postgres' })).toThrow(
        new SettingsError('BENCH_TARGETS: unknown target "postgres" (known: sqlite, mariadb, two-nodes)'),
      );
      expect(() => readSettings({ BENCH_STEPS: '250,abc' })).toThrow(SettingsError);
      expect(() => readSettings({ BENCH_STEPS: '0' })).toThrow(SettingsError);
      expect(() => readSettings({ BENCH_STEP_SECONDS: '61' })).toThrow('BENCH_STEP_SECONDS must be a whole number from 1 to 60');
    });
  });

  describe('figures, the table and the JSON', () => {
    const fast = (ms: number) => Array.from({ length: 100 }, () => ms);
    const idle = (before: number, after: number, seconds: number): IdleFigures => ({
      sockets: 1000,
      connected: 1000,
      failed: 0,
      firstError: null,
      errorKinds: {},
      rssBeforeMb: before,
      rssAfterMb: after,
      connectSeconds: seconds,
      serverCpu: { server: 1 },
    });
    const queue = (lastAckMs: number, assigned: number, cpu: number): QueueFigures => ({
      joins: 500,
      joined: 500,
      assigned,
      errors: 0,
      errorKinds: {},
      lastAckMs,
      lastAssignedMs: assigned ? lastAckMs : null,
      p99AckMs: lastAckMs,
      serverCpu: { server: cpu },
      generatorCpu: 0.1,
    });
    const upload = (idle: number, peak: number, concurrent: number): UploadFigures => ({
      concurrent,
      rounds: 2,
      pdfBytes: 10_000_000,
      stored: concurrent * 2,
      errors: {},
      heapMbPerUpload: 1,
      idleRssMb: idle,
      peakRssMb: peak,
      rssMbPerUpload: (peak - idle) / concurrent,
      seconds: 3,
    });
    const result: TargetResult = {
      name: 'mariadb',
      description: 'one node, MariaDB + Redis',
      messages: {
        // Lotse passes 250 (p99 20) and 2000 (p99 80), fails 4000; the baseline passes all three
        lotse: [
          row(250, 250, fast(20), { server: 0.5, mariadbd: 0.25, redis: 0.05 }),
          row(2000, 2000, fast(80), { server: 4, mariadbd: 1, redis: 0.2 }),
          row(4000, 4000, fast(600), { server: 5, mariadbd: 1, redis: 0.2 }),
        ],
        baseline: [row(250, 250, fast(1), { server: 0.05 }), row(2000, 2000, fast(2), { server: 0.4 }), row(4000, 4000, fast(3), { server: 0.4 })],
      },
      live: null,
      posts: null,
      queue: { lotse: queue(800, 500, 0.5), baseline: queue(20, 0, 0.01) },
      idle: { lotse: idle(100, 160, 4), baseline: idle(50, 65, 2) },
      uploads: { lotse: upload(300, 340, 8), baseline: upload(80, 84, 8) },
      problems: [],
    };

    it('should read each figure at the right step and put it beside the baseline’s with the ratio', () => {
      const f = figuresOf(result);
      expect(f.messages?.busiestPassingRate).toEqual({ lotse: 2000, baseline: 4000, ratio: 0.5 });
      expect(f.messages?.cpuUsPerMessage).toEqual({ lotse: 2000, baseline: 100, ratio: 20 });
      expect(f.messages?.cpuUsPerMessageAtCommonRate).toEqual({ lotse: 2000, baseline: 200, ratio: 10, rate: 2000 });
      expect(f.messages?.mariadbdUsPerMessage).toBe(500);
      expect(f.messages?.redisUsPerMessage).toBe(100);
      expect(f.messages?.maxRateP99Within50ms).toEqual({ lotse: 250, baseline: 4000, ratio: 0.06 });
      expect(f.messages?.p99At2000Ms).toEqual({ lotse: 80, baseline: 2, ratio: 40 });
      expect(f.messages?.steps.lotse.map((s) => s.passed)).toEqual([true, true, false]);
      expect(f.messages?.steps.lotse[2]?.p99Ms).toBe(600);
      expect(f.messages?.generatorMaxCorePercent.lotse).toBe(5);
      expect(f.idle?.rssKbPerConnection).toEqual({ lotse: 61.4, baseline: 15.4, ratio: 4 });
      expect(f.idle?.connectSeconds.ratio).toBe(2);
      expect(f.queue?.cpuUsPerJoin).toEqual({ lotse: 1000, baseline: 20, ratio: 50 });
      expect(f.queue?.allAnsweredWithin1s).toEqual({ lotse: true, baseline: true });
      expect(f.uploads?.rssMbPerUpload).toEqual({ lotse: 5, baseline: 0.5, ratio: 10 });
      expect(f.uploads?.stored).toEqual({ lotse: 16, baseline: 16, ratio: 1 });
      expect(figuresOf({ ...result, queue: { lotse: queue(1200, 500, 0.5), baseline: queue(20, 0, 0.01) } }).queue?.allAnsweredWithin1s.lotse).toBe(false);
      expect(figuresOf({ ...result, queue: { lotse: queue(800, 499, 0.5), baseline: queue(20, 0, 0.01) } }).queue?.allAnsweredWithin1s.lotse).toBe(false);
    });

    it('should make one JSON object that survives a round trip, and a table with a row per figure', () => {
      const f = figuresOf(result);
      const json: BenchJson = {
        meta: {
          date: '2026-12-02T00:00:00.000Z',
          node: 'v20',
          cores: 2,
          cpu: 'x',
          loadAverage: [1, 1, 1],
          quick: true,
          command: 'npm run bench -- --json',
          settings: readSettings({}),
          totalSeconds: 1,
        },
        targets: { mariadb: f },
        ok: true,
      };
      const parsed = JSON.parse(JSON.stringify(json)) as BenchJson;
      expect(parsed).toEqual(json); // no Infinity or undefined is lost on the way
      expect(Object.keys(parsed.targets.mariadb ?? {})).toEqual(['description', 'messages', 'idle', 'queue', 'live', 'threadPosts', 'uploads', 'problems']);
      const rows = figureRows(f);
      expect(rows.find((r) => r[0] === 'server CPU µs/msg at that step')).toEqual(['server CPU µs/msg at that step', '2000', '100', '20.00×']);
      expect(rows.find((r) => r[0]?.startsWith('RSS growth per 10 MB upload'))).toEqual([
        'RSS growth per 10 MB upload in flight (8 at once), MB',
        '5.0',
        '0.5',
        '10.00×',
      ]);
      expect(rows.every((r) => r.length === 4)).toBe(true);
      const text = renderReport(json);
      expect(text).toContain('== mariadb: one node, MariaDB + Redis');
      expect(text).toContain('FAIL (p99 600 ms > 500 ms)');
      expect(renderTable(['a', 'bb'], [['xyz', '1']]).split('\n')).toEqual(['a    bb', '---  --', 'xyz  1']);
    });
  });

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

    it('should read this process from /proc like process.memoryUsage and process.cpuUsage do, and find it by name', () => {
      const rss = rssMb(process.pid);
      expect(rss).not.toBeNull();
      expect(Math.abs((rss as number) - process.memoryUsage().rss / 1024 / 1024)).toBeLessThan(50);
      const { user, system } = process.cpuUsage();
      expect(Math.abs((cpuTicks(process.pid) as number) / CLK_TCK - (user + system) / 1e6)).toBeLessThan(0.5);
      expect(Math.abs((groupCpuSeconds([process.pid, process.pid]) as number) - (2 * (user + system)) / 1e6)).toBeLessThan(1);
      expect(pidsByName(['node'])).toContain(process.pid);
      expect(pidsByName(['no-such-process-name'])).toEqual([]);
    });

    it('should give null for a process that does not exist', () => {
      expect(cpuTicks(2 ** 30)).toBeNull();
      expect(rssMb(2 ** 30)).toBeNull();
      expect(groupCpuSeconds([process.pid, 2 ** 30])).toBeNull();
      expect(groupRssMb([process.pid, 2 ** 30])).toBeNull();
      expect(groupRssMb([])).toBeNull();
    });

    it('should report the CPU used between the first and the last sample', () => {
      const sampler = startSampler({ self: [process.pid] }, 60_000);
      const from = process.cpuUsage();
      while (process.cpuUsage(from).user < 300_000);
      const { figures: f } = sampler.stop({ start: 0, end: 60_000 });
      expect(f.self?.cpuSeconds).toBeGreaterThan(0.1);
    });
  });
});
