import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** scripts/audit.mjs (run by .ci/run): its verdict on saved `npm audit --json` reports. */
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'audit.mjs');
const dir = mkdtempSync(join(tmpdir(), 'lotse-audit-'));

function verdict(report: unknown, env: Record<string, string> = {}): { status: number | null; out: string } {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(report));
  const run = spawnSync(process.execPath, [SCRIPT, '--report', file], { encoding: 'utf8', env: { ...process.env, AUDIT_REQUIRED: '', ...env } });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

const vuln = (name: string, severity: string) => ({
  name,
  severity,
  range: '<1.2.3',
  via: [{ title: `${name} is broken`, url: `https://github.com/advisories/${name}` }],
  fixAvailable: { name, version: '1.2.3' },
});

describe('scripts/audit.mjs', () => {
  it('should fail and name the package and the bump when a production dependency has a high advisory', () => {
    const r = verdict({ auditReportVersion: 2, vulnerabilities: { leftpad: vuln('leftpad', 'high') }, metadata: { vulnerabilities: { high: 1 } } });
    expect(r.status).toBe(1);
    expect(r.out).toContain('high leftpad');
    expect(r.out).toContain('bump leftpad to 1.2.3');
  });

  it('should fail on a critical one as well', () => {
    expect(verdict({ vulnerabilities: { a: vuln('a', 'critical') } }).status).toBe(1);
  });

  it('should pass with only moderate and low advisories, or none', () => {
    expect(verdict({ vulnerabilities: { a: vuln('a', 'moderate'), b: vuln('b', 'low') } }).status).toBe(0);
    expect(verdict({ vulnerabilities: {}, metadata: { vulnerabilities: { total: 0 } } }).status).toBe(0);
  });

  it('should say NOT CHECKED when the audit endpoint refuses, and fail then only with AUDIT_REQUIRED=1', () => {
    const refused = { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 };
    const r = verdict(refused);
    expect(r.status).toBe(0);
    expect(r.out).toContain('NOT CHECKED');
    expect(verdict(refused, { AUDIT_REQUIRED: '1' }).status).toBe(2);
  });
});
