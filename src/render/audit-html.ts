import { createHash } from 'node:crypto';
import { MISMATCH_CLASSES, type Mismatch, type MismatchClass } from '../core/audit/types.js';
import type { EntityGraph } from '../core/entities/graph.js';
import { groupBySignature } from '../core/audit/signature.js';
import type { AuditResult } from '../core/audit/result.js';
import { auditSeconds, mismatchCount } from './audit.js';
import { age, utc, WORST_OFFENDERS } from './audit-markdown.js';
import { html, type HtmlValue, type SafeHtml } from './html-text.js';
import { CLASS_COLORS, dependencyGraph, stackedBars, trendLine, type TrendPoint } from './svg.js';

/**
 * Rows the page lists; past this it says how many more there are (the CSV report has every one).
 */
export const HTML_MAX_ROWS = 10_000;

/**
 * A cell shows at most this much of a value (a key, a reason); the JSON and CSV reports have the
 * full text.
 */
export const HTML_MAX_CELL_CHARS = 1_000;

/**
 * One self-contained page: inline CSS, SVG and script, and a Content Security
 * Policy that forbids every fetch and allows no script or style but the page's
 * own (by their hashes), so it opens offline from a CI artifact and a hostile
 * value in the data cannot load or run anything. Every value goes through the
 * `html` tag, which escapes it.
 */
export function renderAuditHtml(
  result: AuditResult,
  graph: EntityGraph | undefined,
  trend: readonly TrendPoint[] | null,
): string {
  const { mismatches } = result.totals;
  const title = `sfsync audit: ${mismatches === 0 ? 'no mismatches' : mismatchCount(mismatches)}`;
  const reported = result.entities.filter((e) => !e.readOnly);
  const all = result.entities.flatMap((e) => e.mismatches.map((m) => ({ entity: e.name, m })));
  const shown = all.slice(0, HTML_MAX_ROWS);
  const offenders = groupBySignature(result.entities).slice(0, WORST_OFFENDERS);
  const more =
    all.length > shown.length ? ` (the first ${HTML_MAX_ROWS}: --format csv has every one)` : '';
  const facts = [
    utc(result.startedAt),
    `${result.entities.length} entities`,
    `${result.totals.sourceRows} source rows`,
    `${result.totals.mirrorRows} mirror rows`,
    `${auditSeconds(result)} s`,
  ].join(' · ');
  const legend = MISMATCH_CLASSES.map(
    (c) => html`<li>${swatch(c)}${c} <b>${result.totals[c]}</b></li>`,
  );

  return `${html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>${title}</h1><p class="meta">${facts}</p></header>
<section id="summary"><h2>Mismatches by entity and class</h2>
<ul class="legend">${legend}</ul>
${stackedBars(reported)}
${entityTable(result)}
</section>
${trend && trend.length > 0 ? trendSection(trend) : ''}
${graph ? graphSection(graph, result) : ''}
${offenders.length > 0 ? offenderTable(offenders) : ''}
<section id="mismatches"><h2>Mismatches</h2>
${filters(result)}
<p class="meta" id="shown">${shown.length} of ${all.length} shown${more}</p>
<table id="list">${tableHead(['Entity', 'Key', 'Class', 'Code', 'Parent', 'Reason'])}<tbody>
${shown.map(({ entity, m }) => mismatchRow(entity, m))}
</tbody></table></section>
<script>${SCRIPT}</script>
</body></html>`}\n`;
}

function mismatchRow(entity: string, m: Mismatch): SafeHtml {
  const parent = m.parent
    ? html`${cell(m.parent.entity)} ${cell(m.parent.key ?? 'NULL')} (${m.parent.state})`
    : '';
  const hint = m.hint ? html`<div class="hint">→ ${cell(m.hint)}</div>` : '';
  const cells = dataCells([
    cell(entity),
    html`<code>${cell(m.key)}</code>`,
    html`${swatch(m.class)}${m.class}`,
    m.code,
    parent,
    html`${cell(m.reason)}${hint}`,
  ]);
  return html`<tr data-entity="${entity}" data-class="${m.class}">${cells}</tr>\n`;
}

/** A table's header row: a <th> per label. */
function tableHead(labels: readonly string[]): SafeHtml {
  return html`<thead><tr>${labels.map((label) => html`<th>${label}</th>`)}</tr></thead>`;
}

/** A <td> per value. */
function dataCells(values: readonly HtmlValue[]): SafeHtml[] {
  return values.map((value) => html`<td>${value}</td>`);
}

/**
 * A colour square for a class, drawn in SVG so that the page needs no style attribute (the CSP
 * allows none).
 */
function swatch(cls: MismatchClass): SafeHtml {
  const square = html`<rect width="10" height="10" rx="2" fill="${CLASS_COLORS[cls]}"/>`;
  return html`<svg class="swatch" width="10" height="10" aria-hidden="true">${square}</svg>`;
}

/** At most HTML_MAX_CELL_CHARS of a value, saying how much was left out. */
function cell(text: string): string {
  if (text.length <= HTML_MAX_CELL_CHARS) return text;
  const omitted = text.length - HTML_MAX_CELL_CHARS;
  return (
    `${text.slice(0, HTML_MAX_CELL_CHARS)}… ` +
    `(${omitted} more characters: --format json has the full text)`
  );
}

function trendSection(trend: readonly TrendPoint[]): SafeHtml {
  return html`<section id="trend"><h2>Trend (recorded runs)</h2>${trendLine(trend)}</section>`;
}

function graphSection(graph: EntityGraph, result: AuditResult): SafeHtml {
  const flagged = new Map(result.entities.map((e) => [e.name, e.mismatches.length]));
  const caption =
    'Parents are written before children; numbers give the order, red boxes have mismatches.';
  const heading = html`<h2>Canonical order</h2><p class="meta">${caption}</p>`;
  return html`<section id="graph">${heading}${dependencyGraph(graph, flagged)}</section>`;
}

function entityTable(result: AuditResult): SafeHtml {
  const head = tableHead([
    'Entity',
    'Source',
    'Mirror',
    'Unsynced',
    'Oldest unsynced',
    ...MISMATCH_CLASSES,
  ]);
  const rows = result.entities.map((e) => {
    const name = html`${cell(e.name)}${e.readOnly ? ' (read-only)' : ''}`;
    const counts = MISMATCH_CLASSES.map((c) => (e.readOnly ? '—' : e.counts[c]));
    const cells = dataCells([
      name,
      e.sourceRows ?? '—',
      e.mirrorRows,
      e.unsyncedRows,
      age(e.oldestUnsyncedAgeSeconds),
      ...counts,
    ]);
    return html`<tr data-entity="${e.name}">${cells}</tr>`;
  });
  return html`<table id="entities" class="numbers">${head}<tbody>${rows}</tbody></table>`;
}

function offenderTable(groups: ReturnType<typeof groupBySignature>): SafeHtml {
  const rows = groups.map((g) => {
    const values = [g.count, cell(g.entity), g.class, g.code, cell(g.message), cell(g.hint ?? '')];
    return html`<tr>${dataCells(values)}</tr>`;
  });
  const head = tableHead(['Rows', 'Entity', 'Class', 'Code', 'Error (IDs stripped)', 'Hint']);
  const table = html`<table>${head}<tbody>${rows}</tbody></table>`;
  return html`<section id="offenders"><h2>Worst offenders</h2>${table}</section>`;
}

function filters(result: AuditResult): SafeHtml {
  const entities = result.entities
    .filter((e) => e.mismatches.length > 0)
    .map((e) => html`<option value="${e.name}">${cell(e.name)}</option>`);
  const classes = MISMATCH_CLASSES.filter((c) => result.totals[c] > 0).map(
    (c) => html`<option value="${c}">${c}</option>`,
  );
  const all = html`<option value="">all</option>`;
  const byEntity = html`<label>Entity <select id="f-entity">${all}${entities}</select></label>`;
  const byClass = html`<label>Class <select id="f-class">${all}${classes}</select></label>`;
  const search = html`<input id="f-text" type="search" placeholder="key, code, reason…">`;
  return html`<form id="filters">${byEntity}\n${byClass}\n<label>Text ${search}</label></form>`;
}

// The page's one style sheet and one script are literals of this module (no value goes into
// either), allowed by their hashes.
const STYLE = html`
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:24px;
max-width:1400px}
h1{font-size:22px;margin:0}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#59636e;margin:4px 0}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.numbers td:not(:first-child){text-align:right}
code{font-size:12px;word-break:break-all}
.swatch{display:inline-block;margin-right:5px;vertical-align:-1px}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:14px}
svg text{font-size:12px;fill:#1f2328}svg .axis{fill:#59636e}
.hint{color:#59636e;font-size:12px;margin-top:2px}
#filters{display:flex;gap:16px;margin:8px 0}
tr[hidden]{display:none}
`;

// Filtering runs on the rows already in the page: nothing is fetched.
const SCRIPT = html`
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
      var ok = (!e || row.dataset.entity === e) && (!c || row.dataset.class === c) &&
        (!t || row.textContent.toLowerCase().indexOf(t) >= 0);
      row.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + total;
  }
  document.getElementById('filters').addEventListener('submit', function (event) {
    event.preventDefault();
  });
  entity.addEventListener('change', apply);
  cls.addEventListener('change', apply);
  text.addEventListener('input', apply);
})();
`;

const sha256 = (text: SafeHtml) =>
  `'sha256-${createHash('sha256').update(text.toString(), 'utf8').digest('base64')}'`;

/**
 * Nothing may be fetched, framed, submitted or based elsewhere; the only style
 * and script are the page's own. Inline style attributes are not allowed
 * either (the page has none: colours are SVG fill attributes).
 */
export const CONTENT_SECURITY_POLICY =
  `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; ` +
  "base-uri 'none'; form-action 'none'";
