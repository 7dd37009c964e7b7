#!/usr/bin/env node
// `npm audit --omit=dev` at high severity, for .ci/run: exits 1 (and names each package, with the
// fix npm proposes) when a production dependency has a high or critical advisory. When the
// registry's audit endpoint cannot be reached or refuses (some mirrors answer 405), it says so
// loudly and exits 0 unless AUDIT_REQUIRED=1: the audit is a check of the dependencies, not of the
// network. `--report <file>` reads a saved `npm audit --json` report instead (tests).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const SEVERE = new Set(['high', 'critical']);

function report() {
  const i = process.argv.indexOf('--report');
  if (i > 0) return readFileSync(process.argv[i + 1], 'utf8');
  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return run.stdout || '{}';
}

let parsed;
try {
  parsed = JSON.parse(report());
} catch {
  parsed = { error: { summary: 'npm audit printed no JSON' } };
}

if (!parsed.vulnerabilities) {
  const why = parsed.message ?? parsed.error?.summary ?? 'no report';
  console.error(`npm audit: the audit endpoint gave no report (${why}).`);
  if (process.env.AUDIT_REQUIRED === '1') process.exit(2);
  console.error('npm audit: NOT CHECKED on this network (set AUDIT_REQUIRED=1 to fail instead).');
  process.exit(0);
}

const severe = Object.values(parsed.vulnerabilities).filter((v) => SEVERE.has(v.severity));
for (const v of severe) {
  const via = (v.via ?? []).map((x) => (typeof x === 'string' ? x : `${x.title ?? ''} ${x.url ?? ''}`.trim())).join('; ');
  const fix = v.fixAvailable === true ? 'npm audit fix' : v.fixAvailable ? `bump ${v.fixAvailable.name} to ${v.fixAvailable.version}` : 'no fix yet';
  console.error(`npm audit: ${v.severity} ${v.name} (${v.range ?? '?'}): ${via} — ${fix}`);
}
const counts = parsed.metadata?.vulnerabilities ?? {};
console.log(`npm audit (production dependencies): ${severe.length} high or critical; all: ${JSON.stringify(counts)}`);
process.exit(severe.length > 0 ? 1 : 0);
