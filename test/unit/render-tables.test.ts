import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/core/audit/result.js';
import type { EntityAudit, FieldDrift } from '../../src/core/audit/types.js';
import type { JournalView } from '../../src/core/journal/views.js';
import type { ActionResult, RepairResult } from '../../src/core/repair/result.js';
import type { DoctorReport } from '../../src/core/schema/doctor-report.js';
import { terminalWidth } from '../../src/cli/terminal-width.js';
import type { RepairReport } from '../../src/render/action-log.js';
import { renderAuditJson, renderAuditTable } from '../../src/render/audit.js';
import { AUDIT_CSV_COLUMNS, renderAuditCsv } from '../../src/render/audit-csv.js';
import { renderAuditHtml } from '../../src/render/audit-html.js';
import { renderAuditMarkdown } from '../../src/render/audit-markdown.js';
import { renderDoctorTable } from '../../src/render/doctor.js';
import { MAX_CHANGE_VALUE_CHARS, valueText } from '../../src/render/field-change.js';
import { renderInitTable } from '../../src/render/init.js';
import { renderJournalTable } from '../../src/render/journal.js';
import { actionJson, renderRepairTable } from '../../src/render/repair.js';
import { REPAIR_CSV_COLUMNS, writeRepairCsv } from '../../src/render/repair-csv.js';
import { renderRepairMarkdown } from '../../src/render/repair-markdown.js';
import { renderTable } from '../../src/render/table.js';
import { wordSegments, wrapText } from '../../src/render/terminal-text.js';
import { entityAudit, mismatch, noCounts } from '../support/audit-fixtures.js';
import { fixtureConfig } from '../support/configs.js';

const WIDTHS = [80, 120] as const;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const DRIFT: FieldDrift[] = [
  { column: 'role__c', source: 'Teacher', mirror: 'Head teacher' },
  { column: 'start_date__c', source: '2026-01-01', mirror: null },
];
const FK =
  `Foreign key external ID: ${uuid(2)} not found ` + 'for field EditorUUID__c in entity Editor__c';
const HINT =
  'the parent reached Salesforce after this row; once the parent has an sfid, ' +
  'delete the sfid-NULL row and insert it again';

function audit(): AuditResult {
  const role = entityAudit(
    [
      mismatch({
        key: uuid(11),
        class: 'failed',
        code: 'FOREIGN_KEY_NOT_FOUND',
        repairable: true,
        reason: `FAILED: ${FK}`,
        hint: HINT,
      }),
      mismatch({
        key: uuid(12),
        class: 'missing_parent',
        reason: `parent school ${uuid(3)} has no mirror row; this row is FAILED`,
        parent: { entity: 'school', key: uuid(3), state: 'absent' },
      }),
      mismatch({
        key: uuid(13),
        class: 'drift',
        reason: 'differs from the source in 2 columns',
        fields: DRIFT,
        mirror: { id: 5, sfid: 'a0B000000000001AAA', lastop: 'SYNCED', hcErr: null },
      }),
    ],
    {
      name: 'contact_editor_affiliation',
      mirrorTable: 'contact_editor_affiliation__c',
      sourceRows: 7,
      mirrorRows: 6,
      unsyncedRows: 2,
      counts: { ...noCounts(), ok: 4, failed: 1, missing_parent: 1, drift: 1 },
    },
  );
  const school = entityAudit([], {
    name: 'school',
    mirrorTable: 'editor__c',
    sourceRows: 1734,
    mirrorRows: 1736,
    counts: { ...noCounts(), ok: 1730, pending: 3, absent: 1, stuck: 1, orphan: 2 },
  });
  const contact = entityAudit([], {
    name: 'contact',
    readOnly: true,
    mirrorTable: 'contact',
    sourceRows: null,
    mirrorRows: 40,
    unsyncedRows: 3,
  });
  const entities: EntityAudit[] = [school, contact, role];
  const totals = { ...noCounts(), sourceRows: 1741, mirrorRows: 1782, mismatches: 7 };
  for (const e of entities) for (const [c, n] of Object.entries(e.counts)) totals[c as 'ok'] += n;
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    startedAt: at,
    finishedAt: at,
    order: ['school', 'contact', role.name],
    entities,
    totals,
  };
}

/** What each line of a rendered table holds between its borders. */
function cellsOf(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) => line.split('│').slice(1, -1));
}

/** The lines that draw a rule across a table: its top, under its header, its bottom. */
const rules = (text: string, corner: string) =>
  text.split('\n').filter((line) => line.startsWith(corner));

/**
 * The parts of `texts` that wrapping may not break (between spaces and break points) and that a
 * column of `narrowest` could hold.
 */
function unbreakable(texts: readonly string[], narrowest: number): string[] {
  return texts
    .flatMap((text) => text.split(/\s+/))
    .flatMap(wordSegments)
    .filter((part) => stringWidth(part) <= narrowest);
}

function expectFitted(text: string, width: number, whole: readonly string[]): void {
  for (const line of text.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(width);
  // One rule under each table's header, and none between its rows.
  expect(rules(text, '├')).toHaveLength(rules(text, '┌').length);
  const cells = cellsOf(text).flat();
  for (const part of whole)
    expect(
      cells.some((cell) => cell.includes(part)),
      part,
    ).toBe(true);
}

/** A column of a table read top to bottom, its wrapped lines joined (by spaces, unless told). */
function column(table: string, index: number, joint = ' '): string {
  return cellsOf(table)
    .map((cells) => cells[index]!.trim())
    .filter(Boolean)
    .join(joint);
}

describe('tables fitted to the terminal', () => {
  it.each(WIDTHS)('the audit at %i columns: within the width, words whole, compact', (width) => {
    const result = audit();
    const text = renderAuditTable(result, 5, width);
    const texts = result.entities.flatMap((e) => [
      e.name,
      ...[...e.mismatches].flatMap((m) => [m.key, m.class, m.code ?? '', m.reason, m.hint ?? '']),
    ]);
    expectFitted(text, width, unbreakable(texts, 20));
    expect(rules(text, '├').length).toBe(2);
    expect(column(text, 3)).toContain(
      'role__c: "Head teacher" → "Teacher" start_date__c: null → "2026-01-01"',
    );
  });

  it('shows a column only for the classes that occur, and all of them when they fit', () => {
    const text = renderAuditTable(audit(), 0, 140);
    const head = cellsOf(text)[0]!.map((cell) => cell.trim());
    expect(head).toEqual([
      'Entity',
      'Source',
      'Mirror',
      'ok',
      'pending',
      'absent',
      'missing_parent',
      'failed',
      'stuck',
      'drift',
      'orphan',
    ]);
    expect(
      cellsOf(text)
        .at(-1)!
        .map((cell) => cell.trim()),
    ).toEqual(['total', '1741', '1782', '1734', '3', '1', '1', '1', '1', '1', '2']);
  });

  it.each(WIDTHS)('lists the classes in one column where theirs would not fit in %i', (width) => {
    const text = renderAuditTable(audit(), 0, width);
    const head = cellsOf(text)[0]!.map((cell) => cell.trim());
    expect(head).toEqual(['Entity', 'Source', 'Mirror', 'ok', 'pending', 'Mismatches']);
    const mismatches = column(text, 5);
    expect(mismatches).toContain('1\u00a0absent, 1\u00a0stuck, 2\u00a0orphan');
    expect(mismatches).toContain('1\u00a0missing_parent, 1\u00a0failed, 1\u00a0drift');
  });

  it('leaves the JSON and CSV reports every class and column, zeros included', () => {
    const result = audit();
    const doc = JSON.parse(renderAuditJson(result));
    expect(Object.keys(doc.totals)).toEqual([
      ...Object.keys(noCounts()),
      'sourceRows',
      'mirrorRows',
      'mismatches',
    ]);
    expect(doc.entities[0].counts).toEqual({ ...noCounts(), ...result.entities[0]!.counts });
    expect(renderAuditCsv(result).split('\r\n')[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
  });

  it.each(WIDTHS)('the doctor and init findings at %i columns wrap within the width', (width) => {
    const findings = [
      {
        level: 'warning' as const,
        code: 'lookup_without_index',
        database: 'mirror' as const,
        entity: 'contact_classroom_affiliation',
        message:
          'lookup classroom__r__pi_accounts_unique_id__c has no index on the mirror table ' +
          'contact_classroom_affiliation__c: each audit of it scans the table; ' +
          'create one with CREATE INDEX ON salesforce.contact_classroom_affiliation__c ' +
          '(classroom__r__pi_accounts_unique_id__c)',
      },
      {
        level: 'error' as const,
        code: 'missing_column',
        database: 'source' as const,
        entity: 'lesson',
        message: 'column public.lesson.teacher_uuid does not exist (fields.teacher__c)',
      },
    ];
    const report: DoctorReport = {
      ok: false,
      todos: 1,
      todosAllowed: false,
      databases: {
        source: {
          role: 'source',
          schema: 'public',
          label: 'db.internal.example.org:5432/app_production',
          reachable: true,
          serverVersion: '17.9',
          tls: true,
        },
        mirror: {
          role: 'mirror',
          schema: 'salesforce',
          label: 'ec2-0-0-0-0.compute-1.amazonaws.com:5432/connect',
          reachable: true,
          serverVersion: '16.4',
          tls: true,
        },
      },
      findings,
    };
    const whole = unbreakable(
      findings.flatMap((f) => [f.entity, f.message]),
      20,
    );
    const doctor = renderDoctorTable(report, width);
    expectFitted(doctor, width, whole);
    expect(column(doctor.slice(doctor.indexOf('│ Level')), 3)).toContain(
      'column public.lesson.teacher_uuid does not exist (fields.teacher__c)',
    );

    const config = fixtureConfig({ sourceUrl: 'postgres://h/a', mirrorUrl: 'postgres://h/b' });
    const urls = { sourceEnv: 'DATABASE_URL', mirrorEnv: 'SALESFORCE_CONNECT_DB' };
    const init = renderInitTable('sfsync.config.json', config, report, urls, width);
    const tables = init.split('\n').filter((line) => /^[┌│├└]/.test(line));
    expectFitted(tables.join('\n'), width, [...whole, ...config.graph.order]);
  });

  it('keeps a table that fits as it is, one column of padding, no rule between rows', () => {
    expect(
      renderTable(
        ['Entity', 'Rows'],
        [
          ['school', 3],
          ['role', 12],
        ],
        { width: 80 },
      ),
    ).toBe(
      [
        '┌────────┬──────┐',
        '│ Entity │ Rows │',
        '├────────┼──────┤',
        '│ school │ 3    │',
        '│ role   │ 12   │',
        '└────────┴──────┘',
      ].join('\n'),
    );
  });

  it('narrows the wide prose column first and keeps the counts whole', () => {
    const prose = 'lorem ipsum dolor sit amet '.repeat(12).trim();
    const text = renderTable(['Entity', 'Count', 'Message'], [['school_class', 12_345, prose]], {
      width: 60,
    });
    const first = cellsOf(text)[1]!;
    expect(first.map((cell) => cell.trim()).slice(0, 2)).toEqual(['school_class', '12345']);
    expect(column(text, 2)).toBe(`Message ${prose}`);
    expectFitted(text, 60, unbreakable([prose], 20));
  });

  it('cuts a word only when no break point leaves a part that fits', () => {
    expect(wrapText('contact_editor_affiliation__c', 12)).toBe(
      'contact_\neditor_\naffiliation_\n_c',
    );
    expect(wrapText('see a/b/c,d', 5)).toBe('see\na/b/\nc,d');
    expect(wrapText(`key ${uuid(7)}`, 20)).toBe('key 00000000-0000-\n4000-8000-\n000000000007');
    expect(wrapText('abcdefghij', 4)).toBe('abcd\nefgh\nij');
  });
});

describe('values shown, not just names', () => {
  const drifted = () => {
    const result = audit();
    return { result, m: [...result.entities[2]!.mismatches][2]! };
  };

  it('caps a value and quotes a string, so a number and its text read apart', () => {
    expect(valueText('x'.repeat(500))).toBe(`"${'x'.repeat(MAX_CHANGE_VALUE_CHARS)}…"`);
    expect(valueText('42')).toBe('"42"');
    expect(valueText(42)).toBe('42');
    expect(valueText(null)).toBe('null');
    expect(valueText({ a: 'y'.repeat(100) })).toBe(`{"a":"${'y'.repeat(34)}…`);
    // A surrogate pair is never split by the cap.
    expect(valueText('😀'.repeat(50))).toBe(`"${'😀'.repeat(MAX_CHANGE_VALUE_CHARS)}…"`);
  });

  it('a drift row in markdown, CSV and HTML says each column old → new', () => {
    const { result } = drifted();
    const markdown = renderAuditMarkdown(result, undefined, 5);
    expect(markdown).toContain(
      'differs from the source in 2 columns<br>role\\_\\_c: "Head teacher" → "Teacher"<br>' +
        'start\\_date\\_\\_c: null → "2026-01-01" |',
    );
    const csv = renderAuditCsv(result).split('\r\n');
    expect(csv[0]!.split(',').at(-1)).toBe('changes');
    expect(csv.at(-2)).toMatch(
      /,"role__c: ""Head teacher"" → ""Teacher""; start_date__c: null → ""2026-01-01"""$/,
    );
    const html = renderAuditHtml(result, {
      graph: undefined,
      trend: null,
      increases: [],
      exitCode: 1,
      failOnIncrease: false,
      databases: [],
      version: '0.0.0',
    });
    expect(html).toContain(
      '<div class="change">role__c: &#34;Head teacher&#34; → &#34;Teacher&#34;</div>',
    );
  });

  it('a value never reaches the terminal raw, nor makes a row longer than its cap', () => {
    const { result, m } = drifted();
    const hostile: FieldDrift = {
      column: 'name',
      source: `\u202Eevil\u001b[31m${'z'.repeat(10_000)}`,
      mirror: 'ok',
    };
    const fields = [...m.fields, hostile];
    const entities = result.entities.map((e, i) =>
      i === 2 ? { ...e, mismatches: [{ ...m, fields }] } : e,
    );
    const text = renderAuditTable({ ...result, entities }, 5, 100);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them.
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(column(text, 3, '')).toContain('"\\u{202E}evil\\u001b[31mzzz');
    expect(text.length).toBeLessThan(6_000);
    const more = {
      ...m,
      fields: Array.from({ length: 7 }, (_, i) => ({ ...hostile, column: `c${i}` })),
    };
    const many = renderAuditTable(
      { ...result, entities: [{ ...result.entities[2]!, mismatches: [more] }] },
      5,
      100,
    );
    expect(column(many, 3)).toContain('… and 2 more columns');
  });

  const update: ActionResult = {
    entity: 'role',
    key: uuid(13),
    action: 'update',
    class: 'drift',
    reason: 'update role__c, start_date__c',
    code: null,
    mirrorId: 5,
    deleteIds: [],
    columns: DRIFT.map((f) => f.column),
    changes: DRIFT,
    blockedBy: null,
    status: 'planned',
    detail: null,
  };
  const dryRun: RepairResult = {
    runId: null,
    dryRun: true,
    cancelled: false,
    order: ['role'],
    summary: { role: { update: { planned: 1 } } },
  };
  const report: RepairReport = {
    result: dryRun,
    notDone: [update],
    open: [],
    actions: () => [update],
  };

  it.each(WIDTHS)('a planned update in the repair table at %i columns, old → new', (width) => {
    const text = renderRepairTable(report, 'repair', 5, width);
    expectFitted(text, width, unbreakable([update.reason, update.key], 20));
    expect(column(text.slice(text.indexOf('│ Entity │ Key')), 4)).toBe(
      'Why update role__c, start_date__c role__c: "Head teacher" → "Teacher" ' +
        'start_date__c: null → "2026-01-01"',
    );
  });

  it('a planned update in markdown, CSV and the JSON document', async () => {
    const { graph } = fixtureConfig({ sourceUrl: 'postgres://h/a', mirrorUrl: 'postgres://h/b' });
    const markdown = renderRepairMarkdown(report, 'repair', graph, 5);
    expect(markdown).toContain(
      '| role | `00000000-0000-4000-8000-000000000013` | update | planned | update role\\_\\_c, ' +
        'start\\_date\\_\\_c<br>role\\_\\_c: "Head teacher" → "Teacher"<br>',
    );
    let csv = '';
    const out = {
      write: (text: string) => {
        csv += text;
        return true;
      },
    };
    await writeRepairCsv(out, report);
    const [head, row] = csv.split('\r\n');
    expect(head!.split(',')).toEqual([...REPAIR_CSV_COLUMNS]);
    expect(head!.split(',').slice(0, -1)).toEqual([
      'entity',
      'key',
      'action',
      'status',
      'class',
      'code',
      'mirror_id',
      'deleted_ids',
      'reason',
      'error',
    ]);
    expect(row).toMatch(/,"update role__c, start_date__c",,"role__c: ""Head teacher"" → /);
    expect(actionJson(update).changes).toEqual([
      { column: 'role__c', from: 'Head teacher', to: 'Teacher' },
      { column: 'start_date__c', from: null, to: '2026-01-01' },
    ]);
  });

  it('a journaled update shows the values it replaced and wrote, not its bookkeeping', () => {
    const view: JournalView = {
      kind: 'run',
      run: {
        runId: 'r1',
        command: 'repair',
        startedAt: new Date(0),
        finishedAt: new Date(1000),
        actor: 'ci',
        host: 'runner',
        commandLine: 'sfsync repair --yes',
        dryRun: false,
        status: 'done',
        summary: null,
        changes: 1,
      },
      entries: [
        {
          id: 1,
          entity: 'role',
          mirrorTable: 'contact_editor_affiliation__c',
          action: 'update',
          key: uuid(13),
          mirrorId: 5,
          before: { id: 5, role__c: 'Head teacher', start_date__c: null, _hc_lastop: 'SYNCED' },
          after: { id: 5, role__c: 'Teacher', start_date__c: '2026-01-01', _hc_lastop: 'UPDATED' },
          adjusted: { role__c: { kind: 'cut', from: 'Teacher!', length: 8, to: 'Teacher' } },
          at: new Date(500),
          outcome: 'confirmed',
          outcomeCode: null,
        },
      ],
    };
    for (const width of WIDTHS) {
      const text = renderJournalTable(view, width);
      const table = text.slice(text.indexOf('┌'));
      expectFitted(table, width, unbreakable([uuid(13)], 20));
      expect(column(text, 6)).toBe(
        'Change role__c: "Head teacher" → "Teacher" start_date__c: null → "2026-01-01" ' +
          'role__c cut from 8 to 7 characters → confirmed',
      );
    }
  });
});

describe('the width tables are laid out for', () => {
  const context = (env: NodeJS.ProcessEnv, columns?: number) => ({ stdout: { columns }, env });
  it('is COLUMNS when set, else the terminal, else 120', () => {
    expect(terminalWidth(context({ COLUMNS: '95' }, 200))).toBe(95);
    expect(terminalWidth(context({}, 200))).toBe(200);
    expect(terminalWidth(context({}))).toBe(120);
    expect(terminalWidth(context({ COLUMNS: 'wide' }))).toBe(120);
    expect(terminalWidth(context({ COLUMNS: '0' }, 70))).toBe(70);
    expect(terminalWidth(context({ COLUMNS: '12' }))).toBe(40);
  });
});
