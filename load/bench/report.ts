// The comparison table (Lotse beside its baseline, and the ratio) on stdout, in
// test-artifacts/bench/summary.md, and every row with its samples in results.json.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Row } from './driver';
import type { ScenarioName } from './scenarios';
import { OUT, Settings } from './settings';

export interface Meta {
  date: string;
  node: string;
  cores: number;
  cpu: string | undefined;
  db: Settings['db'];
  /** The target's description: "SQLite (embedded, single node)". */
  database: string;
  quick: boolean;
  settings: Settings;
  idleRssMb: { lotse: number | null; baseline: number | null };
  totalSeconds: number;
}

export interface Table {
  head: string[];
  rows: string[][];
}

export const fmt = (v: number | null | undefined, digits = 1): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? `${(a / b).toFixed(2)}×` : '–';

/** Server CPU time per answered operation (message, request or ack) over the whole run. */
const cpuMsPerOp = (r: Row) => (r.ok > 0 && typeof r.server.cpuSeconds === 'number' ? (r.server.cpuSeconds * 1000) / r.ok : null);

const HEAD = [
  'scenario',
  'target',
  'offered',
  'rate',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'errors',
  'peak RSS MB',
  'server CPU ms/op',
  'server CPU %',
  'artillery CPU %',
];

function rowCells(r: Row, offered: number | undefined): string[] {
  return [
    r.scenario,
    r.target,
    `${fmt(offered, 0)}/s`,
    `${fmt(r.rate)} ${r.unit ?? ''}`,
    fmt(r.p50),
    fmt(r.p95),
    fmt(r.p99),
    `${r.errors} (${fmt(r.errorRate * 100, 2)}%)`,
    fmt(r.server.peakRssMb, 0),
    fmt(cpuMsPerOp(r), 2),
    fmt(r.server.activeCpuPercent, 0),
    fmt(r.artillery.activeCpuPercent, 0),
  ];
}

function ratioCells(l: Row, b: Row): string[] {
  const cells = [ratio(l.rate, b.rate), ratio(l.p50, b.p50), ratio(l.p95, b.p95), ratio(l.p99, b.p99), ''];
  return [l.scenario, 'lotse ÷ baseline', '', ...cells, ratio(l.server.peakRssMb, b.server.peakRssMb), ratio(cpuMsPerOp(l), cpuMsPerOp(b)), '', ''];
}

/** Per scenario: Lotse's row, the baseline's, and their ratio when both ran. */
export function table(results: Row[], offered: Partial<Record<ScenarioName, number>>): Table {
  const rows: string[][] = [];
  for (const scenario of [...new Set(results.map((r) => r.scenario))]) {
    const l = results.find((r) => r.scenario === scenario && r.target === 'lotse');
    const b = results.find((r) => r.scenario === scenario && r.target === 'baseline');
    for (const r of [l, b]) if (r) rows.push(rowCells(r, offered[scenario]));
    if (l && b) rows.push(ratioCells(l, b));
  }
  return { head: HEAD, rows };
}

export function renderText({ head, rows }: Table): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: string[]) => cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderMarkdown({ head, rows }: Table): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function summaryMarkdown(meta: Meta, t: Table): string {
  const s = meta.settings;
  return [
    `# Lotse bench ${meta.date}`,
    '',
    `${meta.quick ? 'Quick run (BENCH_QUICK=1). ' : ''}Database: ${meta.database}. ` +
      `${meta.cores} cores (${meta.cpu}), node ${meta.node}. Phases of ${s.seconds} s; ${s.pairs} direct rooms, ` +
      `${s.pairs * 2} members each sending every ${s.sendIntervalMs} ms; ${s.liveRate} homepage visitors/s × 10 GETs; ` +
      `${s.queueRate} queue visitors/s. Idle RSS before the scenarios: Lotse ${fmt(meta.idleRssMb.lotse, 0)} MB, baseline ${fmt(meta.idleRssMb.baseline, 0)} MB.`,
    '',
    'Latencies are client-side (artillery): `messages` = `message.send` ack, `live-status` = GET /api/centers/:center/live, ' +
      '`queue` = `queue.join` and `queue.leave` acks. Server CPU ms/op = CPU time of the server process over the run ÷ answered operations. ' +
      'CPU % = mean while the load runs (first phase to last virtual user; 100 % = one core, this machine has ' +
      meta.cores +
      ').',
    '',
    renderMarkdown(t),
    '',
    `Total bench time ${meta.totalSeconds} s. Raw artillery reports: test-artifacts/bench/<scenario>-<target>.json; results.json holds these rows and the RSS samples.`,
    '',
  ].join('\n');
}

/** Writes test-artifacts/bench/results.json and summary.md. */
export function writeReport(meta: Meta, results: Row[], t: Table): void {
  const { database: _database, ...metaJson } = meta;
  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ meta: metaJson, results }, null, 2));
  writeFileSync(join(OUT, 'summary.md'), summaryMarkdown(meta, t));
}
