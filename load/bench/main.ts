// `npm run bench`: artillery scenarios against a Lotse node and a bare Socket.IO baseline in the
// same run, with server memory and CPU sampled, and a comparison table printed and written to
// test-artifacts/bench/. See docs/benchmark.md (settings: load/bench/settings.ts).
// Every target is on 127.0.0.1; every run is bounded in count and time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_CLI, DIST_MAIN } from '../../test/harness/spawn';
import { Row, runScenario } from './driver';
import { log } from './log';
import { killAll, stopAll } from './processes';
import { renderText, table, writeReport, fmt } from './report';
import { groupRssMb } from './sampler';
import { scenarios, writePayloads } from './scenarios';
import { seedAccounts, seedLotse } from './seeding';
import { ARTILLERY, describeSettings, LOAD, OUT, readSettings, ROOT, Settings, SettingsError } from './settings';
import { singleNodeTarget, System, Target } from './targets';

/** The built server and artillery, built or installed when missing. */
function ensurePrerequisites(): void {
  if (!existsSync(DIST_MAIN) || !existsSync(DIST_CLI)) {
    log('dist/main.js is missing: running `npm run build:server` …');
    execFileSync('npm', ['run', 'build:server'], { cwd: ROOT, stdio: 'inherit' });
  }
  if (!existsSync(ARTILLERY)) {
    log('artillery is missing: installing load/package-lock.json (npm ci in load/, takes a few minutes) …');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: LOAD, stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
  }
}

interface Measured {
  results: Row[];
  problems: string[];
  /** What each scenario offered per second. */
  offered: Record<string, number>;
  /** RSS per system after the seeding, before the scenarios. */
  idle: Record<string, number | null>;
}

/** Seeds the target, starts its systems and runs every scenario against each. */
async function measure(s: Settings, target: Target, work: string): Promise<Measured> {
  log('seeding: center and counselors (CLI) …');
  const counselorEmails = await seedAccounts(target, s.pairs);
  const systems = await target.start();
  const lotse = systems.find((sys) => sys.name === 'lotse') as System;
  log('seeding: logins, clients, direct rooms, visitor tokens (REST, sockets) …');
  const seed = await seedLotse(lotse.url, counselorEmails, s.queueRate * s.seconds);
  const idle = Object.fromEntries(systems.map((sys) => [sys.name, groupRssMb(sys.servers.map((sv) => sv.pid))]));
  log(`idle RSS: Lotse ${fmt(idle.lotse, 0)} MB, baseline ${fmt(idle.baseline, 0)} MB`);
  const results: Row[] = [];
  const problems: string[] = [];
  const planned = scenarios(s, seed, writePayloads(work, seed));
  for (const scenario of planned) {
    for (const system of systems) {
      const outcome = await runScenario(s, scenario, system);
      if (outcome.row) results.push(outcome.row);
      for (const problem of outcome.problems) log(problem);
      problems.push(...outcome.problems);
    }
  }
  return { results, problems, idle, offered: Object.fromEntries(planned.map((sc) => [sc.name, sc.offered])) };
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  const s = readSettings(process.env);
  ensurePrerequisites();
  mkdirSync(OUT, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'lotse-bench-'));
  let target: Target | undefined;
  try {
    log(`Lotse bench: ${describeSettings(s, cpus().length)}`);
    target = await singleNodeTarget(s.db, work);
    const { results, problems, idle, offered } = await measure(s, target, work);
    const t = table(results, offered);
    log(`\n${renderText(t)}\n`);
    const totalSeconds = Math.round((Date.now() - startedAt) / 1000);
    const meta = { date: new Date().toISOString(), node: process.version, cores: cpus().length, cpu: cpus()[0]?.model, db: s.db, database: target.description };
    writeReport({ ...meta, quick: s.quick, settings: s, idleRssMb: { lotse: idle.lotse ?? null, baseline: idle.baseline ?? null }, totalSeconds }, results, t);
    log(`wrote ${join(OUT, 'summary.md')} and ${join(OUT, 'results.json')} (${totalSeconds} s)`);
    const acked = results.some((r) => r.scenario === 'messages' && r.target === 'lotse' && r.ok > 0);
    if (!acked) log('bench: no message was acked by Lotse');
    return problems.length === 0 && acked ? 0 : 1;
  } finally {
    await stopAll();
    if (target) await target.cleanup();
    else rmSync(work, { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(err instanceof SettingsError ? `bench: ${err.message}\n` : `bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    killAll();
    process.exit(1);
  },
);
