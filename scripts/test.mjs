#!/usr/bin/env node
// `npm test`: format + lint + type check, build, then every test tier on the embedded defaults
// (SQLite, in-process) and, at the same time, on MariaDB + Redis; then the cluster suites (two
// nodes, a Redis restart) and the attack suite, beside the fault suite and the load scenarios' smoke
// runs. Ends with one line "N passed, N failed".
// Under CI=true a missing MariaDB or Redis fails the run; locally it is reported as skipped.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { reachable } from './reachable.mjs';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const only = process.env.LOTSE_TEST_ONLY; // e.g. "sqlite" or "mariadb" to run one pass while developing
const extraArgs = process.argv.slice(2);
// The servers the tests start hash passwords with bcrypt cost 10 instead of the default 12 (a quarter
// of the CPU; thousands of accounts are made and logged into). test/unit/config.spec.ts shows the
// default; the attack suite's server keeps it (test/attacks/global-setup.ts passes no cost).
process.env.PASSWORD_HASH_COST ??= '10';
let passed = 0;
let failed = 0;
let skipped = 0;

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

/**
 * Runs one jest pass in the background, its output into test-artifacts/jest-<name>.log (printed
 * whole when the pass fails, its summary otherwise); resolves when jest is done.
 */
function jestPass(name, projects, env) {
  mkdirSync('test-artifacts', { recursive: true });
  const out = `test-artifacts/jest-${name}.json`;
  const logFile = `test-artifacts/jest-${name}.log`;
  const args = ['jest', '--selectProjects', ...projects, '--json', `--outputFile=${out}`, ...extraArgs];
  console.log(`\n=== ${name}: ${projects.join(', ')} (started; output in ${logFile}) ===`);
  const log = createWriteStream(logFile);
  const child = spawn('npx', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  return new Promise((resolve) => {
    child.on('close', (status) => {
      log.end(() => {
        const code = status ?? 1;
        const text = readFileSync(logFile, 'utf8');
        if (!existsSync(out)) {
          failed += 1;
          console.log(`\n=== ${name}: jest wrote no results (exit ${code}) ===\n${text}`);
          return resolve();
        }
        const r = JSON.parse(readFileSync(out, 'utf8'));
        const broken = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
        passed += r.numPassedTests;
        failed += broken;
        skipped += r.numPendingTests;
        if (code !== 0 && broken === 0) failed += 1;
        // jest's summary lines (coloured: an escape sequence may precede the label)
        const summary = text.split('\n').filter((l) => /(^|m)(Test Suites|Tests|Time):/.test(l));
        console.log(`\n=== ${name} done (exit ${code}) ===\n${code !== 0 || broken > 0 ? text : summary.join('\n')}`);
        resolve();
      });
    });
  });
}

// load/'s own packages (artillery, for the load scenarios' smoke runs at the end), installed in the
// background while the passes run; without npm's variables of this `npm test`, which would point
// `npm ci` at the root package (load/run.mjs does the same). Started after the check: load/bench
// resolves socket.io-client from load/node_modules when it is there, and the type check of a
// half-installed one failed (CI: "Unsafe call of a type that could not be resolved" in load/bench).
const artillery = 'load/node_modules/.bin/artillery';
const installLoadDeps = () =>
  existsSync(artillery)
    ? Promise.resolve(0)
    : new Promise((resolve) => {
        const env = Object.fromEntries(
          Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') || k.toLowerCase() === 'npm_config_cache'),
        );
        mkdirSync('test-artifacts', { recursive: true });
        const log = createWriteStream('test-artifacts/load-npm-ci.log');
        const child = spawn('npm', ['ci', '--no-audit', '--no-fund'], {
          cwd: 'load',
          env: { ...env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.pipe(log, { end: false });
        child.stderr.pipe(log, { end: false });
        child.on('close', (code) => log.end(() => resolve(code ?? 1)));
      });

if (!process.env.LOTSE_SKIP_CHECK) {
  console.log('=== check: prettier, eslint, tsc ===');
  if (run('npm', ['run', '-s', 'check']) !== 0) failed += 1;
}
const loadDeps = installLoadDeps();
console.log('=== build ===');
if (run('npm', ['run', '-s', 'build']) !== 0) {
  console.error('build failed');
  console.log(`\n${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}

// The SQLite pass and the MariaDB + Redis pass use their own databases, so they run side by side
// (most of a test's time is waiting for sockets and timers, not CPU). The cluster suites come
// after both: redis-restart stops the shared Redis, which some SQLite-pass suites use too.
const passes = [];
let cluster = false;
// Jest runs one worker per pass on this 2-core machine, and each pass waits on its database and
// browser much of the time: three passes side by side (the browser tier on its own) finish minutes
// sooner than two.
if (only !== 'mariadb') {
  passes.push(jestPass('sqlite', ['unit', 'integration', 'e2e'], { LOTSE_TEST_DB: 'sqlite' }));
  passes.push(jestPass('browser', ['browser'], { LOTSE_TEST_DB: 'sqlite' }));
}

if (only !== 'sqlite') {
  const mariadb = await reachable('127.0.0.1', 3306);
  const redis = await reachable('127.0.0.1', 6379);
  if (mariadb && redis) {
    passes.push(jestPass('mariadb+redis', ['integration', 'e2e'], { LOTSE_TEST_DB: 'mariadb' }));
    cluster = true;
  } else {
    const missing = [!mariadb && 'MariaDB (127.0.0.1:3306)', !redis && 'Redis (127.0.0.1:6379)'].filter(Boolean).join(' and ');
    if (ci) {
      console.error(`\nFAILED: ${missing} not reachable under CI; the MariaDB + Redis pass cannot run.`);
      failed += 1;
    } else {
      console.warn(`\nSKIPPED the MariaDB + Redis pass: ${missing} not reachable (start them; CI fails here).`);
      skipped += 1;
    }
  }
}
await Promise.all(passes);
// After the passes, two lanes side by side: the cluster suites (they stop the shared Redis) and then
// the attack suite (one server on SQLite + the shared Redis, pages checked in Chromium); beside them
// the fault suite (three seeds side by side, each two nodes on a private MariaDB and a private Redis
// that it starts, kills and cuts) and then the load scenarios' smoke runs (artillery against a
// separately started node).
const last = [];
last.push(
  (async () => {
    if (cluster) await jestPass('cluster', ['cluster'], { LOTSE_TEST_DB: 'mariadb' });
    if (only !== 'mariadb') await jestPass('attacks', ['attacks'], { LOTSE_TEST_DB: 'sqlite' });
  })(),
);
const haveServers = ['mariadbd', 'mariadb-install-db', 'redis-server'].every(
  (bin) => spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`], { stdio: 'ignore' }).status === 0,
);
last.push(
  (async () => {
    if (haveServers) await jestPass('faults', ['faults'], { LOTSE_TEST_DB: 'mariadb' });
    else if (ci) {
      console.error('\nFAILED: mariadbd, mariadb-install-db or redis-server not installed under CI; the fault suite cannot run.');
      failed += 1;
    } else {
      console.warn('\nSKIPPED the fault suite: mariadbd, mariadb-install-db or redis-server is not installed (CI fails here).');
      skipped += 1;
    }
    // The smoke runs of the load scenarios (docs/load-testing.md), after the fault suite in its lane.
    if (only !== 'mariadb') {
      if ((await loadDeps) !== 0 || !existsSync(artillery)) {
        console.error('\nFAILED: `npm ci` in load/ (artillery) failed; see test-artifacts/load-npm-ci.log.');
        failed += 1;
      } else await jestPass('load', ['load'], { LOTSE_TEST_DB: 'sqlite' });
    }
  })(),
);
await Promise.all(last);

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
