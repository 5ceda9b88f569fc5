import { createHash } from 'node:crypto';
import { MISMATCH_CLASSES, type Mismatch, type MismatchClass } from '../core/audit/types.js';
import type { EntityGraph } from '../core/entities/graph.js';
import { groupBySignature } from '../core/audit/signature.js';
import type { AuditResult } from '../core/audit/result.js';
import type { Increase } from '../core/history/trend.js';
import { auditSeconds, mismatchCount } from './audit.js';
import { firstMismatches } from '../core/audit/first-mismatches.js';
import { utc } from '../core/time-text.js';
import { age, WORST_OFFENDERS } from './audit-markdown.js';
import { changeLines, driftChanges } from './field-change.js';
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
/** What the page says besides the result: why the run exited as it did, where, what with. */
export interface HtmlReportContext {
  readonly graph: EntityGraph | undefined;
  readonly trend: readonly TrendPoint[] | null;
  /** The classes that grew since the previous recorded run (empty: none, or nothing compared). */
  readonly increases: readonly Increase[];
  readonly exitCode: number;
  /** --fail-on-increase: exit 1 meant growth, not mismatches. */
  readonly failOnIncrease: boolean;
  /** The databases and schemas audited, without credentials (`host:port/db (schema x)`). */
  readonly databases: readonly string[];
  readonly version: string;
}

export function renderAuditHtml(result: AuditResult, context: HtmlReportContext): string {
  const { graph, trend } = context;
  const { mismatches } = result.totals;
  const title = `sfsync audit: ${mismatches === 0 ? 'no mismatches' : mismatchCount(mismatches)}`;
  const reported = result.entities.filter((e) => !e.readOnly);
  const shown = firstRows(result, HTML_MAX_ROWS);
  const offenders = groupBySignature(result.entities).slice(0, WORST_OFFENDERS);
  const more =
    mismatches > shown.length ? ` (the first ${HTML_MAX_ROWS}: --format csv has every one)` : '';
  const facts = [
    utc(result.startedAt),
    ...context.databases,
    `sfsync ${context.version}`,
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
<header><h1>${title}</h1>
<p class="verdict exit-${context.exitCode}">${exitReason(result, context)}</p>
<p class="meta">${facts}</p></header>
${context.increases.length > 0 ? grewSection(context.increases) : ''}
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
<p class="meta" id="shown">${shown.length} of ${mismatches} shown${more}</p>
<table id="list" class="cards">${tableHead(LIST_COLUMNS)}<tbody>
${shown.map(({ entity, m }) => mismatchRow(entity, m))}
</tbody></table></section>
<script>${SCRIPT}</script>
</body></html>`}\n`;
}

/** The first `n` mismatches across the entities, in canonical order. */
function firstRows(result: AuditResult, n: number): { entity: string; m: Mismatch }[] {
  const rows: { entity: string; m: Mismatch }[] = [];
  for (const e of result.entities) {
    if (rows.length >= n) break;
    for (const m of firstMismatches(e.mismatches, n - rows.length))
      rows.push({ entity: e.name, m });
  }
  return rows;
}

const LIST_COLUMNS = ['Entity', 'Key', 'Class', 'Code', 'Parent', 'Reason'] as const;
const OFFENDER_COLUMNS = [
  'Rows',
  'Entity',
  'Class',
  'Code',
  'Error (IDs stripped)',
  'Hint',
] as const;

/** A <td> per value, labelled, so a narrow window shows each row as a card (the CSS reads it). */
function labelledCells(values: readonly HtmlValue[], labels: readonly string[]): SafeHtml[] {
  return values.map((value, i) => html`<td data-label="${labels[i]!}">${value}</td>`);
}

function mismatchRow(entity: string, m: Mismatch): SafeHtml {
  const parent = m.parent
    ? html`${cell(m.parent.entity)} ${cell(m.parent.key ?? 'NULL')} (${m.parent.state})`
    : '';
  const hint = m.hint ? html`<div class="hint">→ ${cell(m.hint)}</div>` : '';
  // Drift: what the mirror holds and the source's value a repair would write instead.
  const changes = changeLines(driftChanges(m.fields)).map(
    (line) => html`<div class="change">${cell(line)}</div>`,
  );
  const values = [
    cell(entity),
    html`<code>${cell(m.key)}</code>`,
    html`${swatch(m.class)}${m.class}`,
    m.code,
    parent,
    html`${cell(m.reason)}${changes}${hint}`,
  ];
  const cells = labelledCells(values, LIST_COLUMNS);
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

/** The first thing the page says: why the run exited as it did. */
function exitReason(result: AuditResult, context: HtmlReportContext): string {
  const { exitCode, increases, failOnIncrease } = context;
  const grew = increases.length === 1 ? '1 class grew' : `${increases.length} classes grew`;
  if (exitCode === 1 && increases.length > 0)
    return `Exit 1: ${grew} since the previous recorded run (below).`;
  if (exitCode === 1)
    return `Exit 1: ${mismatchCount(result.totals.mismatches)} in the --fail-on classes.`;
  if (exitCode === 0)
    return failOnIncrease
      ? 'Exit 0: no class grew since the previous recorded run.'
      : 'Exit 0: no mismatch in the --fail-on classes.';
  return `Exit ${exitCode}: the run did not complete as an audit; see its log.`;
}

/** Entity × class counts that grew since the previous recorded run, the largest growth first. */
function grewSection(increases: readonly Increase[]): SafeHtml {
  const sorted = [...increases].sort((a, b) => b.after - b.before - (a.after - a.before));
  const rows = sorted.map((i) => {
    const cls = html`${swatch(i.class)}${i.class}`;
    const grew = `+${i.after - i.before}`;
    return html`<tr>${dataCells([cell(i.entity), cls, i.before, i.after, grew])}</tr>`;
  });
  const head = tableHead(['Entity', 'Class', 'Before', 'Now', 'Grew']);
  const table = html`<table class="numbers">${head}<tbody>${rows}</tbody></table>`;
  const title = html`<h2>What grew since the previous recorded run</h2>`;
  return html`<section id="grew">${title}${table}</section>`;
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
  // A column per class that occurs: the legend above gives every class's total, zeros included.
  const classes = MISMATCH_CLASSES.filter((c) => result.totals[c] > 0);
  const head = tableHead(['Entity', 'Source', 'Mirror', 'Unsynced', 'Oldest unsynced', ...classes]);
  const rows = result.entities.map((e) => {
    const name = html`${cell(e.name)}${e.readOnly ? ' (read-only)' : ''}`;
    const counts = classes.map((c) => (e.readOnly ? '—' : e.counts[c]));
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
    return html`<tr>${labelledCells(values, OFFENDER_COLUMNS)}</tr>`;
  });
  const head = tableHead(OFFENDER_COLUMNS);
  const table = html`<table id="worst" class="cards">${head}<tbody>${rows}</tbody></table>`;
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
.verdict{font-size:16px;font-weight:600;margin:6px 0}.exit-0{color:#1a7f37}.exit-1{color:#d1242f}
section{overflow-x:auto}
@media (max-width:900px){body{margin:12px}th,td{padding:3px 5px}#filters{flex-wrap:wrap}
.cards thead{display:none}.cards,.cards tbody,.cards tr,.cards td{display:block}
.cards tr{border:1px solid #d0d7de;border-radius:6px;margin:0 0 8px;padding:4px 0}
.cards td{border:none;padding:2px 8px 2px 9.5em;position:relative;overflow-wrap:anywhere}
.cards td:empty{display:none}
.cards td::before{content:attr(data-label);position:absolute;left:8px;width:8.5em;color:#59636e}
.cards tr[hidden]{display:none}}
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
