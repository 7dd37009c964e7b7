// `npm run bench`: open-loop rate steps of a lean load generator (several forked processes) against
// each target — Lotse on SQLite, on MariaDB + Redis, two nodes — and its bare Socket.IO baseline in
// the same run, until a step fails; then idle sockets, the live queue, the status endpoint and thread
// posts. The figures with their ratios as a table (or one JSON object with --json) and in
// test-artifacts/bench/. See docs/performance.md. Every target is on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_CLI, DIST_MAIN } from '../../test/harness/spawn';
import { Generators, startGenerators } from './generators';
import { log, logToStderr } from './log';
import { uploadMemory } from './uploads';
import { idleSockets, liveSteps, messageSteps, queueJoins, Sides, threadPosts } from './measure';
import { isAlive, killAll, lastLines, stopAll } from './processes';
import { BenchJson, figuresOf, renderReport, TargetResult, writeReport } from './report';
import { baselineSeed, seedCenter, seedLotse } from './seeding';
import { describeSettings, OUT, readSettings, ROOT, Settings, SettingsError, TargetName } from './settings';
import { openTarget, Target } from './targets';

let generatorPools: Generators[] = [];

function ensureBuild(): void {
  if (!existsSync(DIST_MAIN) || !existsSync(DIST_CLI)) {
    log('dist/main.js is missing: running `npm run build:server` …');
    execFileSync('npm', ['run', '-s', 'build:server'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

/** One part of a target's run; its failure is a problem of the target, the rest still runs. */
async function part<T>(problems: string[], label: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    const message = `${label}: ${err instanceof Error ? err.message : String(err)}`;
    log(`  ${message}`);
    problems.push(message);
    return null;
  }
}

async function runTarget(s: Settings, name: TargetName): Promise<TargetResult> {
  const work = mkdtempSync(join(tmpdir(), `lotse-bench-${name}-`));
  let target: Target | undefined;
  const problems: string[] = [];
  const result: TargetResult = { name, description: name, messages: null, live: null, posts: null, uploads: null, queue: null, idle: null, problems };
  try {
    target = await openTarget(name, work);
    result.description = target.description;
    log(`\n${name}: ${target.description}`);
    log('  center and admin (CLI) …');
    await seedCenter(target);
    log('  starting Lotse and the baseline …');
    let systems = await target.start();
    log(`  seeding ${s.rooms} rooms of two (REST, sockets) …`);
    const lotseSeed = await seedLotse(systems.lotse, s.rooms);
    const bare = baselineSeed(s.rooms);
    const seeds = { lotse: lotseSeed.seed, baseline: bare.seed };
    const gens: Sides<Generators> = { lotse: await startGenerators(s.generators), baseline: await startGenerators(s.generators) };
    generatorPools = [gens.lotse, gens.baseline];
    log(`  ${s.generators} generator processes per side; message steps …`);
    result.messages = await part(problems, 'messages', () => messageSteps(s, systems, gens, seeds));
    result.live = await part(problems, 'live status', () => liveSteps(s, systems, gens));
    result.posts = await part(problems, 'thread posts', () => threadPosts(s, systems, gens, seeds));
    if (s.queueJoins > 0)
      result.queue = await part(problems, 'queue', () => queueJoins(s, systems, gens, { lotse: lotseSeed.counselors, baseline: bare.counselors }));
    // after the queue: the uploads' 160 MB of chunks (and their WAL checkpoints) are not billed to the joins
    if (s.uploadsInFlight > 0) result.uploads = await part(problems, 'uploads', () => uploadMemory(s, systems, seeds));
    const died = () => {
      for (const server of [...systems.lotse.servers, ...systems.baseline.servers].filter((sv) => !isAlive(sv))) {
        problems.push(`the ${server.name} server DIED during the run; its last lines:\n${lastLines(server)}`);
      }
    };
    if (s.idleSockets > 0) {
      // on freshly started servers (the same database): a server that still holds the freed pages of
      // the uploads or the queue burst hands them to the new sockets without growing, or gives them
      // back meanwhile, and the RSS per socket came out as 1.3, 2.4 and -8.5 KB
      died();
      log('  restarting Lotse and the baseline for the idle sockets …');
      await stopAll();
      systems = await target.start();
      result.idle = await part(problems, 'idle sockets', () => idleSockets(s, systems, gens));
    }
    died();
  } catch (err) {
    problems.push(err instanceof Error ? err.message : String(err));
    log(`  ${name} failed: ${problems.at(-1)}`);
  } finally {
    await Promise.all(generatorPools.map((g) => g.stop()));
    generatorPools = [];
    await stopAll();
    if (target) await target.cleanup();
    else rmSync(work, { recursive: true, force: true });
  }
  return result;
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  const s = readSettings(process.env, process.argv.slice(2));
  logToStderr(s.json);
  ensureBuild();
  mkdirSync(OUT, { recursive: true });
  const loadAverage = loadavg();
  log(`Lotse bench: ${describeSettings(s, cpus().length)}; load average ${loadAverage.map((l) => l.toFixed(1)).join(' ')}`);
  const targets: BenchJson['targets'] = {};
  for (const name of s.targets) targets[name] = figuresOf(await runTarget(s, name));
  const { json: _json, ...settings } = s;
  const env = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  const out: BenchJson = {
    meta: {
      date: new Date(startedAt).toISOString(),
      node: process.version,
      cores: cpus().length,
      cpu: cpus()[0]?.model,
      loadAverage,
      quick: s.quick,
      command: `${env}npm run bench${s.json ? ' -- --json' : ''}`,
      settings,
      totalSeconds: Math.round((Date.now() - startedAt) / 1000),
    },
    targets,
    ok: Object.values(targets).every((t) => t.problems.length === 0 && (t.messages?.busiestPassingRate.lotse ?? 0) > 0),
  };
  writeReport(out);
  if (s.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else log(`\n${renderReport(out)}\nwrote ${join(OUT, 'summary.md')} and ${join(OUT, 'results.json')} (${out.meta.totalSeconds} s)`);
  return out.ok ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    for (const g of generatorPools) void g.stop();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(err instanceof SettingsError ? `bench: ${err.message}\n` : `bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    killAll();
    process.exit(1);
  },
);
