/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }];
const project = (name) => ({
  displayName: name,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: [`<rootDir>/test/${name}/**/*.spec.ts`],
  setupFilesAfterEnv: [`<rootDir>/test/harness/timeouts.${name === 'unit' ? 'unit' : 'slow'}.ts`],
});

// Suites that need MariaDB + Redis (several server processes, a Redis outage). Only the MariaDB pass
// of scripts/test.mjs runs them, as the `cluster` project; run on SQLite they fail on purpose.
const CLUSTER_ONLY = ['two-nodes', 'redis-restart', 'appointments-cluster'];
// Files whose subject does not depend on the database run in one pass of `npm test` only:
// what a private MariaDB/Redis of their own or the shared Redis alone decides runs in the MariaDB +
// Redis pass; what no database decides (headers, PDF inspection, compose, the outbox) in the SQLite pass.
const ONCE = {
  mariadb: [
    'e2e/reliability-mariadb-restart',
    'e2e/reliability-redis-down',
    'integration/address-hasher',
    'integration/cluster-bus',
    'integration/redis-publish',
  ],
  sqlite: ['e2e/security-headers', 'e2e/pdf-bomb', 'integration/compose', 'integration/mail-outbox', 'integration/erasure-flush'],
};
const otherPass = (process.env.LOTSE_TEST_DB ?? 'sqlite') === 'mariadb' ? ONCE.sqlite : ONCE.mariadb;
const onlyOnce = (dir) => otherPass.filter((f) => f.startsWith(`${dir}/`)).map((f) => `/test/${f}\\.spec\\.ts$`);
const e2e = { ...project('e2e'), testPathIgnorePatterns: [...CLUSTER_ONLY.map((n) => `/test/e2e/${n}\\.spec\\.ts$`), ...onlyOnce('e2e')] };
const integration = { ...project('integration'), testPathIgnorePatterns: onlyOnce('integration') };
const cluster = { ...project('e2e'), displayName: 'cluster', testMatch: CLUSTER_ONLY.map((n) => `<rootDir>/test/e2e/${n}.spec.ts`) };

// The attack suite (docs/security.md): every file against one server that test/attacks/global-setup.ts
// starts (SQLite + the shared Redis); test/attacks/privacy-sweep.spec.ts runs last (the sequencer)
// and greps the database, the data directory, Redis and the logs for everything the suite planted.
const attacks = {
  ...project('attacks'),
  globalSetup: '<rootDir>/test/attacks/global-setup.ts',
  globalTeardown: '<rootDir>/test/attacks/global-teardown.ts',
};
// The fault suite (docs/reliability.md): two nodes on a private MariaDB and a private Redis that the
// suite itself starts, stops and cuts (never the machine's shared services).
const faults = project('faults');
// Smoke runs of the artillery scenarios of `npm run load` (docs/load-testing.md) against a second,
// separately started Lotse.
const load = project('load');

// Type checking happens once in `npm run check` (tsc --noEmit), not per test file.
module.exports = {
  testSequencer: '<rootDir>/test/harness/sequencer.mjs',
  projects: [project('unit'), integration, e2e, cluster, project('browser'), attacks, faults, load],
};
