import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const NEED_SCRIPTS = ['bcrypt', 'better-sqlite3', 'esbuild'];

describe('install policy', () => {
  const pkg = JSON.parse(read('package.json')) as { allowScripts?: Record<string, boolean>; scarfSettings?: { enabled?: boolean } };
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));

  it('should switch Scarf telemetry off when swagger-ui-dist brings it', () => {
    expect(pkg.scarfSettings).toEqual({ enabled: false });
  });

  it('should review every locked package with an install script and allow only those that need one', () => {
    const reviewed = Object.keys(pkg.allowScripts ?? {});
    expect([...new Set(withScripts)].filter((name) => !reviewed.includes(name))).toEqual([]);
    const allowed = Object.entries(pkg.allowScripts ?? {})
      .filter(([, ok]) => ok)
      .map(([name]) => name)
      .sort();
    expect(allowed).toEqual(NEED_SCRIPTS);
    expect(pkg.allowScripts?.['@scarf/scarf']).toBe(false);
  });

  it('should fail an install on an unreviewed install script, and build the image with the same three', () => {
    expect(read('.npmrc')).toMatch(/^strict-allow-scripts=true$/m);
    const docker = read('Dockerfile');
    expect(docker).toMatch(/npm ci --ignore-scripts\b/);
    expect(docker).toMatch(new RegExp(`npm rebuild ${NEED_SCRIPTS.join(' ')}\\b`));
    expect(docker).not.toMatch(/npm ci(?! --ignore-scripts)/);
  });
});
