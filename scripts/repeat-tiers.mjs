#!/usr/bin/env node
// `npm run test:repeat -- [N]`: builds once, then runs the browser tier (Chromium, SQLite) and the
// cluster tier (several server processes on MariaDB + Redis) N times in a row (default 3), and says
// per tier how many runs passed and which tests failed in which run. For finding flaky tests: a
// tier that passed 3/3 is not yet proof, one that passed 2/3 is a bug. See docs/architecture.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { reachable } from './reachable.mjs';

const TIERS = {
  browser: { projects: ['browser'], env: { LOTSE_TEST_DB: 'sqlite' }, needs: [] },
  cluster: {
    projects: ['cluster'],
    env: { LOTSE_TEST_DB: 'mariadb' },
    needs: [
      ['MariaDB', '127.0.0.1', 3306],
      ['Redis', '127.0.0.1', 6379],
    ],
  },
};

const USAGE = `usage: node scripts/repeat-tiers.mjs [N] [--tiers browser,cluster] [--no-build] [--dry-run]

Runs each tier N times in a row (default 3) and prints "passed k/N runs" per tier with the failing
tests of each run. The browser tier runs on SQLite, the cluster tier on MariaDB + Redis
(LOTSE_TEST_DB=mariadb, as the MariaDB pass of npm test runs it). Exits 1 when any run of any tier failed.
  --tiers     a comma-separated choice of: ${Object.keys(TIERS).join(', ')}
  --no-build  skip "npm run build" (dist/ and the client bundle are current)
  --dry-run   print what would run, run nothing`;

function parseArgs(argv) {
  const opts = { runs: 3, tiers: Object.keys(TIERS), build: true, dry: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--no-build') opts.build = false;
    else if (a === '--dry-run') opts.dry = true;
    else if (a === '--tiers') opts.tiers = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--tiers=')) opts.tiers = a.slice('--tiers='.length).split(',').filter(Boolean);
    else if (/^\d+$/.test(a) && Number(a) >= 1) opts.runs = Number(a);
    else throw new Error(`unknown argument: ${a}`);
  }
  const unknown = opts.tiers.filter((t) => !(t in TIERS));
  if (unknown.length > 0 || opts.tiers.length === 0) throw new Error(`unknown tier(s): ${unknown.join(', ') || '(none given)'}`);
  return opts;
}

/** One jest run of a tier: null when jest wrote no results, else the failing tests' names. */
function runTier(name, tier, run, dry) {
  const out = `test-artifacts/repeat-${name}-${run}.json`;
  const args = ['jest', '--selectProjects', ...tier.projects, '--json', `--outputFile=${out}`];
  const envText = Object.entries(tier.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(`\n=== ${name}, run ${run}: ${envText} npx ${args.join(' ')} ===`);
  if (dry) return [];
  rmSync(out, { force: true });
  const r = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, ...tier.env, FORCE_COLOR: '1' } });
  if (!existsSync(out)) return null;
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const failed = [];
  for (const file of result.testResults ?? []) {
    const path = String(file.name ?? '').replace(`${process.cwd()}/`, '');
    const tests = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const t of tests) failed.push(`${path}: ${t.fullName}`);
    // a suite that failed outside its tests (beforeAll, import) has no failed test to name
    if (tests.length === 0 && file.status === 'failed') failed.push(`${path}: (the suite itself: ${String(file.message ?? '').split('\n')[0]})`);
  }
  if (r.status !== 0 && failed.length === 0) failed.push(`(jest exited with ${r.status ?? r.signal})`);
  return failed;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  mkdirSync('test-artifacts', { recursive: true });
  for (const name of opts.tiers) {
    for (const [what, host, port] of TIERS[name].needs) {
      if (!opts.dry && !(await reachable(host, port))) {
        console.error(`${name}: ${what} (${host}:${port}) is not reachable; start it first.`);
        process.exit(2);
      }
    }
  }
  if (opts.build) {
    console.log(opts.dry ? '=== build: npm run -s build ===' : '=== build ===');
    if (!opts.dry && spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' }).status !== 0) {
      console.error('build failed');
      process.exit(1);
    }
  }
  const summary = [];
  for (const name of opts.tiers) {
    const runs = [];
    for (let run = 1; run <= opts.runs; run++) runs.push(runTier(name, TIERS[name], run, opts.dry));
    summary.push({ name, runs });
  }
  console.log('\n=== repeated tiers ===');
  let anyFailed = false;
  for (const { name, runs } of summary) {
    if (opts.dry) {
      console.log(`${name}: dry run, would run ${runs.length} times`);
      continue;
    }
    const passed = runs.filter((r) => r !== null && r.length === 0).length;
    if (passed < runs.length) anyFailed = true;
    console.log(`${name}: passed ${passed}/${runs.length} runs`);
    runs.forEach((failed, i) => {
      if (failed === null) console.log(`  run ${i + 1}: jest wrote no results`);
      else for (const f of failed) console.log(`  run ${i + 1}: ✕ ${f}`);
    });
  }
  process.exit(anyFailed ? 1 : 0);
}

await main();
