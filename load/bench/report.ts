// From the measurements of a target to its figures (each Lotse figure beside the baseline's, with
// the ratio), the text table, the one JSON object of `--json`, and test-artifacts/bench/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UploadFigures } from './uploads';
import type { IdleFigures, QueueFigures, Sides, StepRow } from './measure';
import { OUT, Settings, TargetName } from './settings';
import { busiestPassing, compare, Compared, cpuMicrosPerOp, highestRateWithin, num, stepAt } from './stats';

export interface TargetResult {
  name: TargetName;
  description: string;
  messages: Sides<StepRow[]> | null;
  live: Sides<StepRow[]> | null;
  posts: Sides<StepRow> | null;
  uploads: Sides<UploadFigures> | null;
  queue: Sides<QueueFigures> | null;
  idle: Sides<IdleFigures> | null;
  problems: string[];
}

export interface CompactStep {
  rate: number;
  sent: number;
  acked: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  passed: boolean;
  reason: string | null;
  /** Server CPU µs per acked message/request, per process group. */
  cpuUsPerOp: Record<string, number | null>;
  /** The busiest generator process's CPU during the step, % of one core. */
  generatorMaxCorePercent: number | null;
  generatorCpuSeconds: number | null;
}

export const compactStep = (s: StepRow): CompactStep => ({
  rate: s.rate,
  sent: s.sent,
  acked: s.acked,
  errors: s.errors,
  p50Ms: num(s.p50),
  p99Ms: num(s.p99),
  passed: s.passed,
  reason: s.reason,
  cpuUsPerOp: Object.fromEntries(Object.keys(s.serverCpu).map((k) => [k, num(cpuMicrosPerOp(s, k), 0)])),
  generatorMaxCorePercent: num(s.generatorMaxCorePercent, 0),
  generatorCpuSeconds: num(s.generatorCpu),
});

export interface TargetFigures {
  description: string;
  messages: {
    busiestPassingRate: Compared;
    /** Server CPU µs per acked message at each side's busiest passing step (the Lotse nodes; the baseline's relays). */
    cpuUsPerMessage: Compared;
    /** The same at the highest rate both passed: the like-for-like ratio. */
    cpuUsPerMessageAtCommonRate: Compared & { rate: number | null };
    /** The same at the first step (the same rate for both, measured even when the step fails: a loaded machine can fail every step). */
    cpuUsPerMessageAtFirstStep: Compared & { rate: number | null };
    /** Beside Lotse's own: mariadbd's and redis-server's CPU per message at Lotse's busiest passing step (shared services: they include other users of this machine). */
    mariadbdUsPerMessage: number | null;
    redisUsPerMessage: number | null;
    baselineRedisUsPerMessage: number | null;
    maxRateP99Within50ms: Compared;
    p50At2000Ms: Compared;
    p99At2000Ms: Compared;
    generatorMaxCorePercent: Compared;
    steps: { lotse: CompactStep[]; baseline: CompactStep[] };
  } | null;
  idle: {
    sockets: number;
    connected: Compared;
    rssKbPerConnection: Compared;
    connectSeconds: Compared;
    cpuUsPerConnection: Compared;
  } | null;
  queue: {
    joins: number;
    joined: Compared;
    assigned: number | null;
    cpuUsPerJoin: Compared;
    lastAckMs: Compared;
    lastAssignedMs: number | null;
    allAnsweredWithin1s: { lotse: boolean; baseline: boolean };
  } | null;
  live: {
    maxRateP99Within20ms: Compared;
    cpuUsPerRequest: Compared;
    steps: { lotse: CompactStep[]; baseline: CompactStep[] };
  } | null;
  threadPosts: {
    rate: number;
    acked: Compared;
    cpuUsPerPost: Compared;
    p50Ms: Compared;
    p99Ms: Compared;
  } | null;
  uploads: {
    inFlight: number;
    pdfBytes: number;
    stored: Compared;
    /** Peak growth of the receiving node's main-thread V8 heap + external memory per upload in flight, MB. */
    heapMbPerUpload: Compared;
    /** Peak RSS growth of the receiving node (with its PDF worker) per upload in flight, MB. */
    rssMbPerUpload: Compared;
    seconds: Compared;
    errors: Record<string, number>;
  } | null;
  problems: string[];
}

const cpuAt = (steps: StepRow[], group = 'server') => cpuMicrosPerOp(busiestPassing(steps), group);

/** The figures of one target, every Lotse figure with the baseline's and the ratio. */
export function figuresOf(t: TargetResult): TargetFigures {
  let messages: TargetFigures['messages'] = null;
  if (t.messages) {
    const { lotse: l, baseline: b } = t.messages;
    const common = highestRateWithin(
      l.filter((s) => b.some((x) => x.rate === s.rate && x.passed)),
      Infinity,
    );
    const at = (steps: StepRow[], rate: number | null) => (rate === null ? null : stepAt(steps, rate));
    const maxGen = (steps: StepRow[]) => (steps.length ? Math.max(...steps.map((s) => s.generatorMaxCorePercent)) : null);
    messages = {
      busiestPassingRate: compare(busiestPassing(l)?.rate, busiestPassing(b)?.rate, 0),
      cpuUsPerMessage: compare(cpuAt(l), cpuAt(b), 0),
      cpuUsPerMessageAtCommonRate: { ...compare(cpuMicrosPerOp(at(l, common), 'server'), cpuMicrosPerOp(at(b, common), 'server'), 0), rate: common },
      cpuUsPerMessageAtFirstStep: {
        ...compare(cpuMicrosPerOp(l[0] ?? null, 'server'), cpuMicrosPerOp(at(b, l[0]?.rate ?? null), 'server'), 0),
        rate: l[0]?.rate ?? null,
      },
      mariadbdUsPerMessage: num(cpuAt(l, 'mariadbd'), 0),
      redisUsPerMessage: num(cpuAt(l, 'redis'), 0),
      baselineRedisUsPerMessage: num(cpuAt(b, 'redis'), 0),
      maxRateP99Within50ms: compare(highestRateWithin(l, 50), highestRateWithin(b, 50), 0),
      p50At2000Ms: compare(stepAt(l, 2000)?.p50, stepAt(b, 2000)?.p50),
      p99At2000Ms: compare(stepAt(l, 2000)?.p99, stepAt(b, 2000)?.p99),
      generatorMaxCorePercent: compare(maxGen(l), maxGen(b), 0),
      steps: { lotse: l.map(compactStep), baseline: b.map(compactStep) },
    };
  }
  let idle: TargetFigures['idle'] = null;
  if (t.idle) {
    const { lotse: l, baseline: b } = t.idle;
    const perConn = (f: IdleFigures) =>
      f.rssBeforeMb !== null && f.rssAfterMb !== null && f.connected > 0 ? ((f.rssAfterMb - f.rssBeforeMb) * 1024) / f.connected : null;
    const cpuPerConn = (f: IdleFigures) => (typeof f.serverCpu.server === 'number' && f.connected > 0 ? (f.serverCpu.server * 1e6) / f.connected : null);
    idle = {
      sockets: l.sockets,
      connected: compare(l.connected, b.connected, 0),
      rssKbPerConnection: compare(perConn(l), perConn(b), 1),
      connectSeconds: compare(l.connectSeconds, b.connectSeconds),
      cpuUsPerConnection: compare(cpuPerConn(l), cpuPerConn(b), 0),
    };
  }
  let queue: TargetFigures['queue'] = null;
  if (t.queue) {
    const { lotse: l, baseline: b } = t.queue;
    const perJoin = (f: QueueFigures) => (typeof f.serverCpu.server === 'number' && f.joined > 0 ? (f.serverCpu.server * 1e6) / f.joined : null);
    const within = (f: QueueFigures, assigned: boolean) =>
      f.joined === f.joins && f.lastAckMs !== null && f.lastAckMs <= 1000 && (!assigned || (f.assigned === f.joins && (f.lastAssignedMs ?? Infinity) <= 1000));
    queue = {
      joins: l.joins,
      joined: compare(l.joined, b.joined, 0),
      assigned: l.assigned,
      cpuUsPerJoin: compare(perJoin(l), perJoin(b), 0),
      lastAckMs: compare(l.lastAckMs, b.lastAckMs, 1),
      lastAssignedMs: num(l.lastAssignedMs, 1),
      // Lotse: every join acked and every visitor assigned within 1 s; the baseline assigns nobody.
      allAnsweredWithin1s: { lotse: within(l, true), baseline: within(b, false) },
    };
  }
  let live: TargetFigures['live'] = null;
  if (t.live) {
    const { lotse: l, baseline: b } = t.live;
    live = {
      maxRateP99Within20ms: compare(highestRateWithin(l, 20), highestRateWithin(b, 20), 0),
      cpuUsPerRequest: compare(cpuAt(l), cpuAt(b), 0),
      steps: { lotse: l.map(compactStep), baseline: b.map(compactStep) },
    };
  }
  let threadPosts: TargetFigures['threadPosts'] = null;
  if (t.posts) {
    const { lotse: l, baseline: b } = t.posts;
    threadPosts = {
      rate: l.rate,
      acked: compare(l.acked, b.acked, 0),
      cpuUsPerPost: compare(cpuMicrosPerOp(l, 'server'), cpuMicrosPerOp(b, 'server'), 0),
      p50Ms: compare(l.p50, b.p50),
      p99Ms: compare(l.p99, b.p99),
    };
  }
  let uploads: TargetFigures['uploads'] = null;
  if (t.uploads) {
    const { lotse: l, baseline: b } = t.uploads;
    uploads = {
      inFlight: l.concurrent,
      pdfBytes: l.pdfBytes,
      stored: compare(l.stored, b.stored, 0),
      heapMbPerUpload: compare(l.heapMbPerUpload, b.heapMbPerUpload, 1),
      rssMbPerUpload: compare(l.rssMbPerUpload, b.rssMbPerUpload, 1),
      seconds: compare(l.seconds, b.seconds, 1),
      errors: l.errors,
    };
  }
  return { description: t.description, messages, idle, queue, live, threadPosts, uploads, problems: t.problems };
}

export interface Meta {
  date: string;
  node: string;
  cores: number;
  cpu: string | undefined;
  loadAverage: number[];
  quick: boolean;
  command: string;
  settings: Omit<Settings, 'json'>;
  totalSeconds: number;
}

export interface BenchJson {
  meta: Meta;
  targets: Partial<Record<TargetName, TargetFigures>>;
  ok: boolean;
}

export const fmt = (v: number | null | undefined, digits = 1): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');
const fx = (r: number | null) => (r === null ? '–' : `${r.toFixed(2)}×`);

/** The rows "figure | Lotse | baseline | Lotse ÷ baseline" of one target. */
export function figureRows(f: TargetFigures): string[][] {
  const rows: string[][] = [];
  const add = (name: string, c: Compared, digits = 1, unit = '') =>
    rows.push([name, `${fmt(c.lotse, digits)}${unit}`, `${fmt(c.baseline, digits)}${unit}`, fx(c.ratio)]);
  if (f.messages) {
    const m = f.messages;
    add('busiest passing step, msg/s', m.busiestPassingRate, 0);
    add('server CPU µs/msg at that step', m.cpuUsPerMessage, 0);
    add(`server CPU µs/msg at ${m.cpuUsPerMessageAtCommonRate.rate ?? '–'} msg/s (both)`, m.cpuUsPerMessageAtCommonRate, 0);
    add(`server CPU µs/msg at the first step, ${m.cpuUsPerMessageAtFirstStep.rate ?? '–'} msg/s`, m.cpuUsPerMessageAtFirstStep, 0);
    if (m.mariadbdUsPerMessage !== null || m.redisUsPerMessage !== null) {
      rows.push(['  + mariadbd µs/msg (Lotse)', fmt(m.mariadbdUsPerMessage, 0), '', '']);
      rows.push(['  + redis-server µs/msg', fmt(m.redisUsPerMessage, 0), fmt(m.baselineRedisUsPerMessage, 0), '']);
    }
    add('highest rate with p99 ≤ 50 ms, msg/s', m.maxRateP99Within50ms, 0);
    add('p50 at 2,000 msg/s, ms', m.p50At2000Ms, 1);
    add('p99 at 2,000 msg/s, ms', m.p99At2000Ms, 1);
    add('busiest generator, % of a core', m.generatorMaxCorePercent, 0);
  }
  if (f.idle) {
    add(`RSS per idle socket at ${f.idle.sockets}, KB`, f.idle.rssKbPerConnection, 1);
    add(`time to connect ${f.idle.sockets}, s`, f.idle.connectSeconds, 1);
    add('server CPU µs per connection', f.idle.cpuUsPerConnection, 0);
  }
  if (f.queue) {
    add(`queue.join + assignment CPU µs/join (${f.queue.joins})`, f.queue.cpuUsPerJoin, 0);
    add('last join acked after, ms', f.queue.lastAckMs, 0);
    rows.push([
      `${f.queue.joins} joins answered within 1 s`,
      f.queue.allAnsweredWithin1s.lotse ? 'yes' : 'NO',
      f.queue.allAnsweredWithin1s.baseline ? 'yes' : 'NO',
      '',
    ]);
    rows.push(['last assignment after, ms', fmt(f.queue.lastAssignedMs, 0), '', '']);
  }
  if (f.live) {
    add('status GET req/s with p99 ≤ 20 ms', f.live.maxRateP99Within20ms, 0);
    add('status GET server CPU µs/request', f.live.cpuUsPerRequest, 0);
  }
  if (f.threadPosts) {
    add(`thread post CPU µs/post at ${f.threadPosts.rate}/s`, f.threadPosts.cpuUsPerPost, 0);
    add('thread post p99, ms', f.threadPosts.p99Ms, 1);
  }
  if (f.uploads) {
    add(`heap + external growth per 10 MB upload in flight (${f.uploads.inFlight} at once), MB`, f.uploads.heapMbPerUpload, 1);
    add(`RSS growth per 10 MB upload in flight (${f.uploads.inFlight} at once), MB`, f.uploads.rssMbPerUpload, 1);
    add('uploads stored', f.uploads.stored, 0);
  }
  return rows;
}

/** The rows of the message steps of one side, with the generators' CPU. */
export function stepRows(side: string, steps: CompactStep[]): string[][] {
  return steps.map((s) => [
    side,
    String(s.rate),
    `${s.acked}/${s.sent}`,
    fmt(s.p50Ms),
    s.p99Ms === null ? '∞' : fmt(s.p99Ms),
    Object.entries(s.cpuUsPerOp)
      .map(([k, v]) => `${k} ${fmt(v, 0)}`)
      .join(', '),
    `${fmt(s.generatorMaxCorePercent, 0)} %`,
    s.passed ? 'pass' : `FAIL (${s.reason})`,
  ]);
}

export function renderTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => String(c ?? '').padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const renderMarkdown = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const FIGURE_HEAD = ['figure', 'Lotse', 'baseline', 'Lotse ÷ baseline'];
const STEP_HEAD = ['side', 'msg/s', 'acked', 'p50 ms', 'p99 ms', 'server CPU µs/msg', 'busiest generator', 'verdict'];

/** The whole report as text (or Markdown for summary.md). */
export function renderReport(json: BenchJson, markdown = false): string {
  const render = markdown ? renderMarkdown : renderTable;
  const parts: string[] = [];
  for (const [name, f] of Object.entries(json.targets)) {
    parts.push(`${markdown ? '## ' : '== '}${name}: ${f.description}`, '', render(FIGURE_HEAD, figureRows(f)), '');
    if (f.messages) parts.push(render(STEP_HEAD, [...stepRows('lotse', f.messages.steps.lotse), ...stepRows('baseline', f.messages.steps.baseline)]), '');
    for (const p of f.problems) parts.push(`problem: ${p}`);
    if (f.problems.length) parts.push('');
  }
  return parts.join('\n');
}

/** Writes test-artifacts/bench/results.json (every figure and step) and summary.md. */
export function writeReport(json: BenchJson): void {
  writeFileSync(join(OUT, 'results.json'), JSON.stringify(json, null, 2));
  const m = json.meta;
  const head =
    `# Lotse bench ${m.date}\n\n\`${m.command}\` — ${m.quick ? 'quick run, ' : ''}${m.cores} cores (${m.cpu}), node ${m.node}, ` +
    `load average at the start ${m.loadAverage.map((l) => l.toFixed(1)).join(' ')}, ${m.totalSeconds} s.\n\n`;
  writeFileSync(join(OUT, 'summary.md'), head + renderReport(json, true));
}
