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

// Type checking happens once in `npm run check` (tsc --noEmit), not per test file.
module.exports = {
  projects: ['unit', 'integration', 'e2e', 'browser'].map(project),
};
