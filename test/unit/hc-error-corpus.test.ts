import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ERROR_POLICIES,
  ERROR_TAXONOMY,
  isHcErrorCode,
} from '../../src/core/connect/error-taxonomy.js';
import { parseHcError } from '../../src/core/connect/hc-error.js';
import { ROOT } from '../support/paths.js';

/** One real error text of fixtures/hc-errors/corpus.jsonl (its README says where each is from). */
interface CorpusLine {
  readonly text: string;
  readonly form: 'rest-json' | 'soap' | 'apex' | 'bulk-csv' | 'message-only';
  /** Salesforce's status code, as the source showed it (around the text, for message-only). */
  readonly statusCode: string | null;
  /** The code sfsync must give the text alone. */
  readonly code: string;
  /** What the text itself says: value, field, object, fields, duplicateId. */
  readonly details: Readonly<Record<string, unknown>>;
  readonly source: string;
  readonly quote: string;
  /** The source shows a placeholder where the value was: its details are not real ones. */
  readonly templated?: true;
}

const CORPUS: readonly CorpusLine[] = readFileSync(
  join(ROOT, 'fixtures/hc-errors/corpus.jsonl'),
  'utf8',
)
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as CorpusLine);

const numbered = CORPUS.map((line, i) => [i + 1, line.code, line] as const);

describe('the corpus of real error texts', () => {
  it('holds at least 300 texts, each with its public source', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(300);
    for (const line of CORPUS) {
      expect(line.source).toMatch(/^https?:\/\/\S+$/);
      expect(line.quote.length).toBeGreaterThan(0);
      expect(line.text.trim().length).toBeGreaterThan(0);
    }
    expect(new Set(CORPUS.map((line) => line.text)).size).toBe(CORPUS.length);
  });

  it('parses at least 98% of them to a known code', () => {
    const known = CORPUS.filter((line) => parseHcError(line.text)!.code !== 'UNKNOWN');
    expect(known.length / CORPUS.length).toBeGreaterThanOrEqual(0.98);
  });

  it('has texts for every policy class but unknown', () => {
    const classes = new Set(
      CORPUS.filter((line) => isHcErrorCode(line.code)).map(
        (line) => ERROR_TAXONOMY[line.code as keyof typeof ERROR_TAXONOMY].policy,
      ),
    );
    expect([...classes].sort()).toEqual([...ERROR_POLICIES].sort());
  });
});

describe('each real error text', () => {
  it.each(numbered)('line %i parses to %s, with the details it states', (_, code, line) => {
    const parsed = parseHcError(line.text)!;
    expect(parsed.code).toBe(code);
    // A message alone cannot carry the code its source wrapped it in.
    if (line.form !== 'message-only') expect(parsed.statusCode).toBe(line.statusCode);
    if (line.templated) return;
    const { duplicateId, fields, ...rest } = line.details;
    const listed = Array.isArray(fields) && fields.length > 0 ? { fields } : {};
    const expected = { ...rest, ...listed, ...(duplicateId ? { duplicateOf: duplicateId } : {}) };
    const { value, field, object, fields: got, duplicateOf } = parsed;
    const actual = Object.fromEntries(
      Object.entries({ value, field, object, fields: got, duplicateOf }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    expect(actual).toEqual(expected);
  });
});
