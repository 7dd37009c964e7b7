import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Which of these imports the lint zones refuse (file → the import line it would hold). */
function refused(cases: [file: string, from: string][]): string[] {
  const texts = cases.map(([file, from]) => [file, `import * as m from '${from}';\nexport const x = m;\n`]);
  const out = execFileSync(process.execPath, [join(ROOT, 'test/harness/lint-zones.mjs'), JSON.stringify(texts)], { cwd: ROOT, encoding: 'utf8' });
  const rules = JSON.parse(out) as string[][];
  return cases.filter((_, i) => rules[i]!.includes('import-x/no-restricted-paths')).map(([file, from]) => `${file} → ${from}`);
}

describe('the layer rules (import-x/no-restricted-paths zones in eslint.config.mjs)', () => {
  it('should refuse an import against the direction of the layers', () => {
    const wrong: [string, string][] = [
      ['src/config/x.ts', '../common/errors'],
      ['src/common/x.ts', '../infra/redis/redis.service'],
      ['src/common/x.ts', '../modules/auth/tokens.service'],
      ['src/common/x.ts', '../realtime/publisher'],
      ['src/infra/redis/x.ts', '../../modules/centers/centers.service'],
      ['src/infra/x.ts', '../realtime/publisher'],
      ['src/infra/database/x.ts', '../../modules/centers/center.entity'],
      ['src/infra/database/entities.ts', '../../modules/centers/centers.service'],
      ['src/realtime/x.ts', '../modules/auth/tokens.service'],
      ['src/realtime/x.ts', '../app.module'],
      ['src/modules/rooms/x.ts', '../../app.module'],
      ['client/src/lib/x.ts', '../../../src/config/config'],
      ['client/src/lib/x.ts', '../../../src/common/errors'],
    ];
    expect(refused(wrong)).toEqual(wrong.map(([file, from]) => `${file} → ${from}`));
  });

  it('should allow the imports the layers permit', () => {
    expect(
      refused([
        ['src/common/x.ts', '../config/config'],
        ['src/common/x.ts', '../realtime/contract'],
        ['src/infra/redis/x.ts', '../../common/errors'],
        ['src/infra/redis/x.ts', '../../config/config'],
        ['src/infra/database/entities.ts', '../../modules/centers/center.entity'],
        ['src/realtime/x.ts', '../common/events'],
        ['src/realtime/x.ts', '../infra/redis/redis.service'],
        ['src/modules/rooms/x.ts', '../../realtime/publisher'],
        ['src/modules/rooms/x.ts', '../../infra/redis/redis.service'],
        ['src/modules/rooms/x.ts', '../accounts/accounts.service'],
        ['src/app.ts', './modules/rooms/rooms.module'],
        ['client/src/lib/x.ts', '../../../src/realtime/contract'],
      ]),
    ).toEqual([]);
  });
});
