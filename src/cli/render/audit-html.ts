import { MISMATCH_CLASSES } from '../../core/audit-types.js';
import type { EntityGraph } from '../../core/graph.js';
import { groupBySignature } from '../../core/signature.js';
import type { AuditResult } from '../../ops/audit.js';
import { auditSeconds, mismatchCount } from './audit.js';
import { age, utc, WORST_OFFENDERS } from './audit-markdown.js';
import { esc } from './html-text.js';
import { CLASS_COLORS, dependencyGraph, stackedBars, trendLine, type TrendPoint } from './svg.js';

/** Rows the page lists; past this it says how many more there are (the CSV report has every one). */
export const HTML_MAX_ROWS = 10_000;

/**
 * One self-contained page: inline CSS, SVG and script, and a Content Security
 * Policy that forbids every fetch, so it opens offline from a CI artifact and
 * a hostile value in the data cannot load or run anything.
 */
export function renderAuditHtml(result: AuditResult, graph: EntityGraph | undefined, trend: readonly TrendPoint[] | null): string {
  const { mismatches } = result.totals;
  const title = `sfsync audit: ${mismatches === 0 ? 'no mismatches' : mismatchCount(mismatches)}`;
  const reported = result.entities.filter((e) => !e.readOnly);
  const all = result.entities.flatMap((e) => e.mismatches.map((m) => ({ entity: e.name, m })));
  const shown = all.slice(0, HTML_MAX_ROWS);
  const offenders = groupBySignature(result.entities).slice(0, WORST_OFFENDERS);

  const body = [
    `<header><h1>${esc(title)}</h1><p class="meta">${esc(utc(result.startedAt))} · ${result.entities.length} entities · ${result.totals.sourceRows} source rows · ${result.totals.mirrorRows} mirror rows · ${auditSeconds(result)} s</p></header>`,
    '<section id="summary"><h2>Mismatches by entity and class</h2>',
    `<ul class="legend">${MISMATCH_CLASSES.map((c) => `<li><span class="swatch" style="background:${CLASS_COLORS[c]}"></span>${c} <b>${result.totals[c]}</b></li>`).join('')}</ul>`,
    stackedBars(reported),
    entityTable(result),
    '</section>',
    trend && trend.length > 0 ? `<section id="trend"><h2>Trend (recorded runs)</h2>${trendLine(trend)}</section>` : '',
    graph
      ? `<section id="graph"><h2>Canonical order</h2><p class="meta">Parents are written before children; numbers give the order, red boxes have mismatches.</p>${dependencyGraph(graph, new Map(result.entities.map((e) => [e.name, e.mismatches.length])))}</section>`
      : '',
    offenders.length > 0 ? offenderTable(offenders) : '',
    '<section id="mismatches"><h2>Mismatches</h2>',
    filters(result),
    `<p class="meta" id="shown">${shown.length} of ${all.length} shown${all.length > shown.length ? ` (the first ${HTML_MAX_ROWS}: --format csv has every one)` : ''}</p>`,
    '<table id="list"><thead><tr><th>Entity</th><th>Key</th><th>Class</th><th>Code</th><th>Parent</th><th>Reason</th></tr></thead><tbody>',
    ...shown.map(
      ({ entity, m }) =>
        `<tr data-entity="${esc(entity)}" data-class="${m.class}"><td>${esc(entity)}</td><td><code>${esc(m.key)}</code></td><td><span class="swatch" style="background:${CLASS_COLORS[m.class]}"></span>${m.class}</td><td>${esc(m.code ?? '')}</td><td>${m.parent ? `${esc(m.parent.entity)} ${esc(m.parent.key ?? 'NULL')} (${m.parent.state})` : ''}</td><td>${esc(m.reason)}${m.hint ? `<div class="hint">→ ${esc(m.hint)}</div>` : ''}</td></tr>`,
    ),
    '</tbody></table></section>',
  ].join('\n');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style></head>
<body>
${body}
<script>${SCRIPT}</script>
</body></html>
`;
}

function entityTable(result: AuditResult): string {
  const head = ['Entity', 'Source', 'Mirror', 'Unsynced', 'Oldest unsynced', ...MISMATCH_CLASSES].map((h) => `<th>${h}</th>`).join('');
  const rows = result.entities.map(
    (e) =>
      `<tr data-entity="${esc(e.name)}"><td>${esc(e.name)}${e.readOnly ? ' (read-only)' : ''}</td><td>${e.sourceRows ?? '—'}</td><td>${e.mirrorRows}</td><td>${e.unsyncedRows}</td><td>${age(e.oldestUnsyncedAgeSeconds)}</td>${MISMATCH_CLASSES.map((c) => `<td>${e.readOnly ? '—' : e.counts[c]}</td>`).join('')}</tr>`,
  );
  return `<table id="entities" class="numbers"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function offenderTable(groups: ReturnType<typeof groupBySignature>): string {
  const rows = groups.map(
    (g) =>
      `<tr><td>${g.count}</td><td>${esc(g.entity)}</td><td>${g.class}</td><td>${esc(g.code ?? '')}</td><td>${esc(g.message)}</td><td>${esc(g.hint ?? '')}</td></tr>`,
  );
  return `<section id="offenders"><h2>Worst offenders</h2><table><thead><tr><th>Rows</th><th>Entity</th><th>Class</th><th>Code</th><th>Error (IDs stripped)</th><th>Hint</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function filters(result: AuditResult): string {
  const entities = result.entities.filter((e) => e.mismatches.length > 0).map((e) => `<option value="${esc(e.name)}">${esc(e.name)}</option>`);
  const classes = MISMATCH_CLASSES.filter((c) => result.totals[c] > 0).map((c) => `<option value="${c}">${c}</option>`);
  return `<form id="filters" onsubmit="return false"><label>Entity <select id="f-entity"><option value="">all</option>${entities.join('')}</select></label>
<label>Class <select id="f-class"><option value="">all</option>${classes.join('')}</select></label>
<label>Text <input id="f-text" type="search" placeholder="key, code, reason…"></label></form>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:24px;max-width:1400px}
h1{font-size:22px;margin:0}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#59636e;margin:4px 0}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.numbers td:not(:first-child){text-align:right}
code{font-size:12px;word-break:break-all}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:14px}
svg text{font-size:12px;fill:#1f2328}svg .axis{fill:#59636e}
.hint{color:#59636e;font-size:12px;margin-top:2px}
#filters{display:flex;gap:16px;margin:8px 0}
tr[hidden]{display:none}
`;

// Filtering runs on the rows already in the page: nothing is fetched.
const SCRIPT = `
(function () {
  var entity = document.getElementById('f-entity');
  var cls = document.getElementById('f-class');
  var text = document.getElementById('f-text');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#list tbody tr'));
  var shown = document.getElementById('shown');
  var total = shown.textContent.replace(/^\\d+/, '');
  function apply() {
    var e = entity.value, c = cls.value, t = text.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (row) {
      var ok = (!e || row.dataset.entity === e) && (!c || row.dataset.class === c) && (!t || row.textContent.toLowerCase().indexOf(t) >= 0);
      row.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + total;
  }
  entity.addEventListener('change', apply);
  cls.addEventListener('change', apply);
  text.addEventListener('input', apply);
})();
`;
