// Lints source texts with only the layer zones of eslint.config.mjs (no type information, so it is
// quick): `node test/harness/lint-zones.mjs '[["src/realtime/x.ts", "import …"], …]'` prints, per
// case, the rule ids that fired. Used by test/unit/layers.spec.ts (ESLint and the config are ESM).
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const cwd = process.cwd();
const { default: config } = await import(`${cwd}/eslint.config.mjs`);
const zones = config.filter((c) => c.rules && 'import-x/no-restricted-paths' in c.rules);
const base = config.find((c) => c.plugins && c.plugins['import-x']);
const eslint = new ESLint({
  cwd,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts', '**/*.tsx'],
      languageOptions: { parser: tseslint.parser },
      plugins: { 'import-x': base.plugins['import-x'] },
      settings: base.settings,
    },
    ...zones,
  ],
});
const out = [];
for (const [file, code] of JSON.parse(process.argv[2])) {
  const [result] = await eslint.lintText(code, { filePath: `${cwd}/${file}` });
  out.push(result.messages.map((m) => m.ruleId ?? m.message));
}
console.log(JSON.stringify(out));
