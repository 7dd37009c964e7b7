// Runs one artillery scenario against one system, with the server and artillery sampled, and turns
// the outcome into a row of the table (or the reasons the run fails).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnNode } from '../../test/harness/spawn';
import { log } from './log';
import { isAlive, lastLines, track } from './processes';
import { ProcessFigures, Sample, Sampled, startSampler, Window } from './sampler';
import type { ArtilleryAggregate, Scenario, ScenarioName, Summary } from './scenarios';
import { ARTILLERY, LOAD, OUT, runLimitMs, Settings } from './settings';
import type { System, SystemName } from './targets';

export interface Row extends Partial<Summary> {
  scenario: ScenarioName;
  target: SystemName;
  ok: number;
  errors: number;
  errorRate: number;
  server: ProcessFigures;
  artillery: ProcessFigures;
  samples?: Sample[];
  failed?: boolean;
}

interface Outcome {
  code: number | null;
  timedOut: boolean;
  sampled: Sampled;
}

function artilleryEnv(s: Settings): Record<string, string> {
  return {
    HOME: process.env.HOME ?? '/tmp',
    // artillery 2.0.21 sends an anonymous telemetry event even when this is set: the preload
    // stubs that client and refuses any connection that is not to the loopback interface.
    ARTILLERY_DISABLE_TELEMETRY: 'true',
    NODE_OPTIONS: `--require ${join(LOAD, 'loopback-only.cjs')}`,
    BENCH_SEND_SECONDS: String(s.seconds),
    BENCH_SEND_INTERVAL_MS: String(s.sendIntervalMs),
  };
}

/** `artillery run` of load/scenarios/<scenario>.yml; the server and artillery sampled while it runs. */
async function runArtillery(s: Settings, scenario: Scenario, system: System, reportFile: string, logFile: string): Promise<Outcome> {
  const args = ['run', '--target', system.url, '--overrides', JSON.stringify(scenario.overrides(system.name)), '--output', reportFile];
  const proc = track(spawnNode(ARTILLERY, [...args, join(LOAD, 'scenarios', `${scenario.name}.yml`)], artilleryEnv(s), LOAD), logFile);
  // Every server process of the system counts as "server" (summed), artillery as "artillery".
  const sampler = startSampler({ server: system.servers.map((sv) => sv.pid), artillery: proc.child.pid === undefined ? [] : [proc.child.pid] });
  const window: Partial<Window> = {};
  proc.child.stdout?.on('data', () => {
    const output = proc.stdout();
    if (window.start === undefined && /Phase started/.test(output)) window.start = sampler.elapsed();
    if (window.end === undefined && /All VUs finished/.test(output)) window.end = sampler.elapsed();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.child.kill('SIGKILL');
  }, runLimitMs(s));
  const code = await proc.exited;
  clearTimeout(timer);
  const sampled = sampler.stop(window.start !== undefined ? { start: window.start, end: window.end ?? sampler.elapsed() } : null);
  return { code, timedOut, sampled };
}

const figures = (sampled: Sampled, key: string): ProcessFigures => sampled.figures[key] ?? { peakRssMb: null, cpuSeconds: null, activeCpuPercent: null };

/** The row of a finished run and what is wrong with it (an empty list: it passes). */
function judge(label: string, scenario: Scenario, system: System, outcome: Outcome, reportFile: string): { row: Row; problems: string[] } {
  const base = { scenario: scenario.name, target: system.name, server: figures(outcome.sampled, 'server'), artillery: figures(outcome.sampled, 'artillery') };
  const problems: string[] = [];
  for (const server of system.servers.filter((sv) => !isAlive(sv))) {
    problems.push(`${label}: the ${server.name} server DIED during the run; the last lines of its output:\n${lastLines(server)}`);
  }
  if (outcome.timedOut || !existsSync(reportFile)) {
    problems.push(`${label}: artillery ${outcome.timedOut ? 'timed out' : `exited ${outcome.code} without a report`} (see ${join(OUT, `${label}.log`)})`);
    return { row: { ...base, unit: '', ok: 0, errors: 1, errorRate: 1, failed: true }, problems };
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { aggregate: ArtilleryAggregate };
  const summary = scenario.summarize(report.aggregate);
  const errorRate = summary.errors / Math.max(1, summary.ok + summary.errors);
  const row: Row = { ...base, ...summary, errorRate, samples: outcome.sampled.samples };
  if (errorRate > 0.01) problems.push(`${label}: error rate ${(errorRate * 100).toFixed(2)}% is above 1%: ${JSON.stringify(summary.errorKinds)}`);
  if (row.ok === 0) problems.push(`${label}: nothing was acked or answered — nothing measured`);
  return { row, problems };
}

const fmt = (v: number | null | undefined, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');

export interface ScenarioResult {
  /** Missing when the system was not running or the set-up around the run failed. */
  row?: Row;
  problems: string[];
}

/** One scenario against one system: skipped when a server is down; the artillery report and log in test-artifacts/bench/<scenario>-<system>.*. */
export async function runScenario(s: Settings, scenario: Scenario, system: System): Promise<ScenarioResult> {
  const label = `${scenario.name}-${system.name}`;
  if (!system.servers.every(isAlive)) return { problems: [`skipping ${label}: the ${system.name} server is not running`] };
  log(`running ${label} …`);
  const reportFile = join(OUT, `${label}.json`);
  rmSync(reportFile, { force: true });
  const run = () => runArtillery(s, scenario, system, reportFile, join(OUT, `${label}.log`));
  let outcome: Outcome;
  try {
    outcome = scenario.around ? await scenario.around(system, run) : await run();
  } catch (err) {
    return { problems: [`  ${label}: ${err instanceof Error ? err.message : String(err)}`] };
  }
  const { row, problems } = judge(label, scenario, system, outcome, reportFile);
  if (!row.failed) {
    log(
      `  ${fmt(row.rate)} ${row.unit}, p50 ${fmt(row.p50)} ms, p95 ${fmt(row.p95)} ms, p99 ${fmt(row.p99)} ms, ${row.ok} ok, ${row.errors} errors, peak RSS ${fmt(row.server.peakRssMb, 0)} MB`,
    );
  }
  return { row, problems: problems.map((p) => `  ${p}`) };
}
