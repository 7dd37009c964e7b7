#!/usr/bin/env node
// Prints the gzipped sizes of the widget loader and of the whole widget (loader + widget page +
// every JS/CSS it loads) and fails when they exceed the budgets (10 kB / 60 kB); likewise the
// first render of every other page (its HTML, scripts and styles without the chunks it loads
// on demand): at most 150 kB gzipped JS each.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = join(import.meta.dirname, '..', 'dist', 'client');
const LOADER_BUDGET = 10 * 1024;
const WIDGET_BUDGET = 60 * 1024;

const gz = (file) => gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;

/** The page plus the scripts, styles and preloads it references (recursively through JS imports). */
function pageFiles(page, { lazy = true } = {}) {
  const html = readFileSync(join(dir, page), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f) || !existsSync(join(dir, f))) return;
    seen.add(f);
    if (!f.endsWith('.js')) return;
    const code = readFileSync(join(dir, f), 'utf8');
    for (const m of code.matchAll(/from\s*["']\.\/([^"']+\.js)["']|import\(["']\.\/([^"']+\.js)["']\)|["']\/?(assets\/[^"']+\.(?:js|css))["']/g)) {
      if (!lazy && (m[2] || m[3])) continue;
      const name = m[1] ?? m[2];
      visit(name ? join('assets', name) : m[3]);
    }
  };
  refs.forEach(visit);
  return [page, ...seen];
}

const loader = gz('widget.js');
const files = ['widget.js', ...pageFiles('embed/widget.html')];
const total = files.reduce((sum, f) => sum + gz(f), 0);

console.log('Bundle sizes (gzip):');
for (const f of files) console.log(`  ${f.padEnd(40)} ${kb(gz(f))}`);
console.log(`  loader widget.js: ${kb(loader)} (budget ${kb(LOADER_BUDGET)})`);
console.log(`  whole widget:     ${kb(total)} (budget ${kb(WIDGET_BUDGET)})`);

let failed = false;
if (loader > LOADER_BUDGET) {
  console.error(`FAIL: widget.js is ${kb(loader)} gzipped, over ${kb(LOADER_BUDGET)}`);
  failed = true;
}
if (total > WIDGET_BUDGET) {
  console.error(`FAIL: the widget is ${kb(total)} gzipped, over ${kb(WIDGET_BUDGET)}`);
  failed = true;
}
const PAGE_BUDGET = 150 * 1024;
console.log('First render of each page (gzip, JS without on-demand chunks):');
for (const page of ['portal.html', 'console.html', 'confirm-email.html']) {
  if (!existsSync(join(dir, page))) continue;
  const js = pageFiles(page, { lazy: false }).filter((f) => f.endsWith('.js'));
  const size = js.reduce((sum, f) => sum + gz(f), 0);
  console.log(`  ${page.padEnd(40)} ${kb(size)} (budget ${kb(PAGE_BUDGET)})`);
  if (size > PAGE_BUDGET) {
    console.error(`FAIL: the first render of ${page} loads ${kb(size)} of JS gzipped, over ${kb(PAGE_BUDGET)}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
