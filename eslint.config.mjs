// @ts-check
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The composition root: it may import every layer, and no layer imports it. */
const APP_FILES = ['src/app.module.ts', 'src/app.ts', 'src/main.ts', 'src/cli.ts'];

const ENV_RULE = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read the environment only in src/config (and test harness/scripts).',
};

/** In src/ the current time comes from the injected Clock (src/common/clock.ts), so tests can move it. */
const TIME_RULES = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read the time from the injected Clock, not Date.now().' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read the time from the injected Clock, not new Date().' },
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-bench/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'test-artifacts/**',
      'load/node_modules/**',
      'client/dist/**',
      '*.config.js',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'no-restricted-syntax': ['error', ENV_RULE],
    },
    settings: { 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.json'] })] },
  },
  {
    // The layers (docs/architecture.md): each folder imports only from the folders below it.
    // config ← common ← infra ← realtime ← modules ← app composition (app.module, app, main, cli).
    files: ['src/**/*.ts', 'client/**/*.ts', 'client/**/*.tsx'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: 'src/config',
              from: ['src/common', 'src/infra', 'src/realtime', 'src/modules', ...APP_FILES],
              message: 'src/config is the bottom layer: it imports nothing of ours.',
            },
            {
              target: 'src/common',
              from: ['src/infra', 'src/modules', ...APP_FILES],
              message: 'src/common imports only config (and the contract types): see docs/architecture.md.',
            },
            {
              target: 'src/common',
              from: 'src/realtime',
              except: ['./contract.ts'],
              message: 'src/common may use the socket contract types, nothing else of src/realtime.',
            },
            {
              // the entity registry is the one infra file that lists the modules' entities
              target: ['src/infra/*.ts', 'src/infra/!(database)/**', 'src/infra/database/!(entities).ts', 'src/infra/database/*/**'],
              from: ['src/modules', 'src/realtime', ...APP_FILES],
              message: 'src/infra imports only common and config: see docs/architecture.md.',
            },
            {
              target: 'src/infra/database/entities.ts',
              from: 'src/modules/**',
              except: ['**/*.entity.ts'],
              message: 'The entity registry imports entity classes only.',
            },
            {
              target: 'src/realtime',
              from: ['src/modules', ...APP_FILES],
              message: 'src/realtime imports only common, infra and config; features provide what it needs through interfaces in src/realtime.',
            },
            {
              target: 'src/modules',
              from: APP_FILES,
              message: 'Feature modules never import the app composition (app.module, app, main, cli).',
            },
            {
              target: 'client',
              from: 'src',
              except: ['./realtime/contract.ts'],
              message: 'The client imports only the socket contract (src/realtime/contract.ts) of the server.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**'],
    rules: { 'no-restricted-syntax': ['error', ENV_RULE, ...TIME_RULES] },
  },
  {
    files: ['src/config/**', 'src/main.ts', 'src/cli.ts'],
    rules: { 'no-restricted-syntax': ['error', ...TIME_RULES] },
  },
  {
    // the one place that reads the current time
    files: ['src/common/clock.ts'],
    rules: { 'no-restricted-syntax': ['error', ENV_RULE] },
  },
  {
    files: ['test/**', 'scripts/**', 'load/**', 'client/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
);
