#!/usr/bin/env node
// Summarises a .cpuprofile: self time by function and by package/file, and the inclusive time of
// functions whose name matches --incl (a regexp). Usage: node load/probes/cpuprofile-top.mjs <file> [--n 40] [--incl re]
import { readFileSync } from 'node:fs';
const [file, ...rest] = process.argv.slice(2);
if (!file || file.startsWith('--')) {
  console.error('Usage: node load/probes/cpuprofile-top.mjs <file.cpuprofile> [--n 40] [--incl re]');
  process.exit(1);
}
const opt = Object.fromEntries(rest.map((a, i) => (a.startsWith('--') ? [a.slice(2), rest[i + 1]] : null)).filter(Boolean));
const N = Number(opt.n ?? 40);
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (cf) => {
  const u = cf.url || '(native)';
  const m = u.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return m ? m[1] : u.replace(/^file:\/\/.*\/dist\//, 'dist/').replace(/^node:/, 'node:');
};
const fn = new Map(),
  pkg = new Map();
for (const [id, t] of self) {
  const cf = byId.get(id).callFrame;
  const k = `${cf.functionName || '(anon)'} ${where(cf)}:${cf.lineNumber + 1}`;
  fn.set(k, (fn.get(k) ?? 0) + t);
  pkg.set(where(cf), (pkg.get(where(cf)) ?? 0) + t);
}
const pct = (t) => ((100 * t) / total).toFixed(1).padStart(5) + '%';
console.log(`total ${(total / 1000).toFixed(0)} ms`);
console.log('--- self by package/file');
for (const [k, t] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(pct(t), k);
console.log('--- self by function');
for (const [k, t] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(pct(t), k);
if (opt.incl) {
  const re = new RegExp(opt.incl);
  const incl = new Map();
  for (const [id, t] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      const k = `${cf.functionName || '(anon)'} ${where(cf)}:${cf.lineNumber + 1}`;
      if (re.test(k) && !seen.has(k)) {
        seen.add(k);
        incl.set(k, (incl.get(k) ?? 0) + t);
      }
    }
  }
  console.log('--- inclusive (sync stacks only)');
  for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(pct(t), k);
}
