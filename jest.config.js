/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }];
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
const e2e = { ...project('e2e'), testPathIgnorePatterns: CLUSTER_ONLY.map((n) => `/test/e2e/${n}\\.spec\\.ts$`) };
const cluster = { ...project('e2e'), displayName: 'cluster', testMatch: CLUSTER_ONLY.map((n) => `<rootDir>/test/e2e/${n}.spec.ts`) };

// Type checking happens once in `npm run check` (tsc --noEmit), not per test file.
module.exports = {
  projects: [project('unit'), project('integration'), e2e, cluster, project('browser')],
};
