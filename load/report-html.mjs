// The HTML report of `npm run load` (load/run.mjs): one self-contained page rendered from the JSON
// report (artillery's aggregate and intermediate periods plus the runner's `lotse` block). No script,
// no font, no stylesheet from anywhere: a Content-Security-Policy of its own forbids every fetch.
// (artillery 2.0.21's `artillery report` exists but loads jQuery, Chart.js and a tracker from CDNs.)

const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const num = (v, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : v.toFixed(digits)) : '–');

/** An inline SVG line chart of one value per intermediate period. */
function chart(title, points, unit) {
  const w = 640;
  const h = 160;
  const pad = 36;
  const values = points.map((p) => p.v).filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return `<p class="muted">${esc(title)}: no data</p>`;
  const max = Math.max(...values) || 1;
  const x = (i) => pad + (points.length === 1 ? (w - 2 * pad) / 2 : (i * (w - 2 * pad)) / (points.length - 1));
  const y = (v) => h - pad / 2 - (v / max) * (h - pad);
  const path = points
    .map((p, i) => (typeof p.v === 'number' ? `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.v).toFixed(1)}` : ''))
    .filter(Boolean)
    .join(' ');
  const dots = points
    .map((p, i) =>
      typeof p.v === 'number'
        ? `<circle cx="${x(i).toFixed(1)}" cy="${y(p.v).toFixed(1)}" r="2.5"><title>${esc(p.label)}: ${num(p.v)} ${esc(unit)}</title></circle>`
        : '',
    )
    .join('');
  return `<figure><figcaption>${esc(title)} (max ${num(max)} ${esc(unit)})</figcaption>
<svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">
<line x1="${pad}" y1="${h - pad / 2}" x2="${w - pad}" y2="${h - pad / 2}" class="axis"/><line x1="${pad}" y1="${pad / 2}" x2="${pad}" y2="${h - pad / 2}" class="axis"/>
<text x="4" y="${pad / 2 + 4}">${num(max, 0)}</text><text x="4" y="${h - pad / 2}">0</text>
<path d="${path}" class="line"/>${dots}</svg></figure>`;
}

export function renderHtml(report) {
  const agg = report.aggregate ?? {};
  const meta = report.lotse ?? {};
  const counters = Object.entries(agg.counters ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const summaries = Object.entries(agg.summaries ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const periods = (report.intermediate ?? []).filter((p) => p.period !== undefined);
  const label = (p) => new Date(Number(p.period)).toISOString().slice(11, 19);
  const latencyKey =
    summaries.find(([k]) => k === 'lotse.message_ack_ms')?.[0] ?? summaries.find(([k]) => k === 'http.response_time')?.[0] ?? summaries[0]?.[0];
  const charts = [
    chart(
      'Requests and commands per period',
      periods.map((p) => ({
        label: label(p),
        v: (p.counters?.['http.requests'] ?? 0) + (p.counters?.['lotse.messages_acked'] ?? 0) + (p.counters?.['lotse.posts_created'] ?? 0),
      })),
      'per period',
    ),
    chart(
      'Virtual users created per period',
      periods.map((p) => ({ label: label(p), v: p.counters?.['vusers.created'] ?? 0 })),
      'users',
    ),
    latencyKey
      ? chart(
          `${latencyKey} p99 per period`,
          periods.map((p) => ({ label: label(p), v: p.summaries?.[latencyKey]?.p99 })),
          'ms',
        )
      : '',
  ].join('\n');
  const created = agg.counters?.['vusers.created'] ?? 0;
  const failed = agg.counters?.['vusers.failed'] ?? 0;
  const verdict = meta.ensurePassed ? '<span class="ok">every ensure check held</span>' : '<span class="fail">an ensure check failed</span>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>Lotse load test: ${esc(meta.scenario ?? 'report')}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1d2430}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #dde}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#0a6b2d;font-weight:600}.fail{color:#b00020;font-weight:600}.muted{color:#667}
svg text{font-size:10px;fill:#667}.axis{stroke:#99a}.line{fill:none;stroke:#2456a6;stroke-width:2}circle{fill:#2456a6}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.25rem}
</style></head><body>
<h1>Lotse load test: ${esc(meta.scenario ?? '?')}</h1>
<p>Target <code>${esc(meta.target ?? '?')}</code>, center <code>${esc(meta.center ?? '?')}</code>, started ${esc(meta.startedAt ?? '?')}; ${verdict}
(artillery exit code ${esc(meta.artilleryExitCode ?? '?')})${meta.p99Scale > 1 ? `; latency thresholds scaled ×${esc(meta.p99Scale)} (--p99-scale)` : ''}.</p>
<p>${num(created)} virtual users, ${num(agg.counters?.['vusers.completed'] ?? 0)} completed, ${num(failed)} failed
(${created ? num((failed / created) * 100, 2) : '–'} %).</p>
<h2>Ensure checks</h2>
<table><tr><th>check</th><th>result</th></tr>
${(meta.ensure ?? []).map((c) => `<tr><td><code>${esc(c.check)}</code></td><td class="${c.ok ? 'ok' : 'fail'}">${c.ok ? 'ok' : 'failed'}</td></tr>`).join('\n') || '<tr><td colspan="2">no checks ran</td></tr>'}
</table>
<h2>Latencies (ms)</h2>
<table><tr><th>metric</th><th>count</th><th>min</th><th>median</th><th>p95</th><th>p99</th><th>max</th></tr>
${summaries.map(([k, s]) => `<tr><td><code>${esc(k)}</code></td>${['count', 'min', 'median', 'p95', 'p99', 'max'].map((f) => `<td class="n">${num(s[f])}</td>`).join('')}</tr>`).join('\n')}
</table>
<h2>Counters</h2>
<table><tr><th>counter</th><th>value</th></tr>
${counters.map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td class="n">${num(v)}</td></tr>`).join('\n')}
</table>
<h2>Over time (${periods.length} periods)</h2>
${charts}
<p class="muted">Rendered by load/report-html.mjs from ${esc(meta.scenario ?? '')} JSON report; the JSON beside this file holds every figure.</p>
</body></html>
`;
}
