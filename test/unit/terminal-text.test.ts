import { describe, expect, it } from 'vitest';
import type { Mismatch } from '../../src/core/audit/types.js';
import { renderAuditTable } from '../../src/render/audit.js';
import {
  cellText,
  MAX_CELL_CHARS,
  terminalSafe,
  wrapText,
} from '../../src/render/terminal-text.js';
import type { AuditResult } from '../../src/core/audit/result.js';
import { entityAudit, mismatch, noCounts } from '../support/audit-fixtures.js';

const counts = { ...noCounts(), failed: 1 };

function auditWith(overrides: Partial<Mismatch>): AuditResult {
  const m = mismatch({
    key: 'k1',
    class: 'failed',
    code: 'UNKNOWN',
    hint: 'unrecognised error: read the full text and the trigger log entry',
    ...overrides,
  });
  const entity = entityAudit([m], {
    name: 'school',
    mirrorTable: 'editor__c',
    unsyncedRows: 1,
    counts,
  });
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    startedAt: at,
    finishedAt: at,
    order: ['school'],
    entities: [entity],
    totals: { ...counts, sourceRows: 1, mirrorRows: 1, mismatches: 1 },
  };
}

const longestLine = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

describe('text from the database on a terminal', () => {
  it('shows control characters and bidi overrides as escapes, keeping newlines', () => {
    expect(terminalSafe('a\u001b[2Jb\rc\u0007\nd\u202Ee\u2066f\u009bg')).toBe(
      'a\\u{001B}[2Jb\\u{000D}c\\u{0007}\nd\\u{202E}e\\u{2066}f\\u{009B}g',
    );
  });

  it('caps a cell and says how much is left for --format json', () => {
    const text = cellText('x'.repeat(5_000));
    expect(text).toBe(
      `${'x'.repeat(MAX_CELL_CHARS)}… (${5_000 - MAX_CELL_CHARS} more characters: ` +
        '--format json has the full text)',
    );
  });

  it('wraps to the width, cutting words wider than a line, wide characters counted as two', () => {
    expect(wrapText('one two three four', 9)).toBe('one two\nthree\nfour');
    expect(wrapText('abcdefghij', 4)).toBe('abcd\nefgh\nij');
    expect(wrapText('古古古古古', 4)).toBe('古古\n古古\n古');
    expect(wrapText('a\n\nb', 10)).toBe('a\n\nb');
  });

  it('renders the 49 KB _hc_err that never finished capped, within the width, hint intact', () => {
    const rule = 'The value is not valid because of rule number 7. ';
    const error = `FIELD_CUSTOM_VALIDATION_EXCEPTION, ${rule.repeat(1_000)}: [Town__c]`;
    expect(error.length).toBeGreaterThan(49_000);
    const table = renderAuditTable(auditWith({ reason: `FAILED: ${error}` }), 5, 120);
    const details = table.slice(table.indexOf('school (editor__c): 1 mismatch'));
    expect(longestLine(details)).toBeLessThanOrEqual(120);
    // Read across the wrapped lines, without the table's borders.
    const flowing = details.replace(/[\s│]+/g, ' ');
    expect(flowing).toContain(
      `(${error.length + 8 - 600} more characters: --format json has the full text)`,
    );
    expect(flowing).toContain('→ unrecognised error: read the full text and the trigger log entry');
    expect(table.length).toBeLessThan(5_000);
  });

  it('never passes an escape sequence or bidi override from a key or error to the terminal', () => {
    const table = renderAuditTable(
      auditWith({ key: 'k\u001b]0;pwned\u0007', reason: 'FAILED: \u202Eevil\u001b[31m red' }),
      5,
      160,
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them.
    expect(table).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(table).toContain('\\u{202E}evil\\u{001B}[31m');
  });
});
