import type { EntityAudit, Mismatch, MismatchClass } from './types.js';
import type { HcErrorCode } from '../connect/error-taxonomy.js';

/** Mismatches that fail the same way, whatever row they are on: what an operator fixes once. */
export interface SignatureGroup {
  /**
   * Stable text of the signature, e.g. `failed FOREIGN_KEY_NOT_FOUND field School__c in Account:
   * Foreign key external ID: <value> not found …`.
   */
  readonly signature: string;
  readonly entity: string;
  readonly class: MismatchClass;
  readonly code: HcErrorCode | null;
  /** The field(s) and Salesforce object the error names, when it names them. */
  readonly field: string | null;
  readonly object: string | null;
  /** The reason of the first mismatch, its IDs, values and numbers replaced by placeholders. */
  readonly message: string;
  readonly hint: string | null;
  readonly count: number;
  /** The first few keys, to start looking from. */
  readonly exampleKeys: readonly string[];
}

const EXAMPLE_KEYS = 3;
const MAX_MESSAGE = 240;

/**
 * Groups every mismatch by entity, class, error code, field, object and its
 * reason with the row-specific parts stripped; largest groups first (ties in
 * canonical order, then by signature), so the top of the list is where most
 * rows can be won back.
 */
export function groupBySignature(entities: readonly EntityAudit[]): SignatureGroup[] {
  const groups = new Map<
    string,
    {
      group: Omit<SignatureGroup, 'count' | 'exampleKeys'>;
      count: number;
      keys: string[];
      rank: number;
    }
  >();
  entities.forEach((entity, rank) => {
    for (const mismatch of entity.mismatches) {
      const group = describe(entity.name, mismatch);
      const id = `${entity.name}\u0000${group.signature}`;
      const entry = groups.get(id) ?? { group, count: 0, keys: [], rank };
      entry.count++;
      if (entry.keys.length < EXAMPLE_KEYS) entry.keys.push(mismatch.key);
      groups.set(id, entry);
    }
  });
  return [...groups.values()]
    .sort(
      (a, b) =>
        b.count - a.count ||
        a.rank - b.rank ||
        (a.group.signature < b.group.signature
          ? -1
          : a.group.signature > b.group.signature
            ? 1
            : 0),
    )
    .map(({ group, count, keys }) => ({ ...group, count, exampleKeys: keys }));
}

function describe(entity: string, m: Mismatch): Omit<SignatureGroup, 'count' | 'exampleKeys'> {
  const field =
    m.error?.field ??
    (m.error?.fields?.length ? m.error.fields.join(', ') : null) ??
    driftColumns(m);
  const object = m.error?.object ?? null;
  const message = stripIds(m.error?.message ?? reasonWithoutKey(m));
  const where = [field && `field ${field}`, object && `in ${object}`].filter(Boolean).join(' ');
  const parent =
    m.class === 'missing_parent' && m.parent ? `parent ${m.parent.entity} ${m.parent.state}` : '';
  const signature = [m.class, m.code, where, parent, message].filter(Boolean).join(' ');
  return {
    signature,
    entity,
    class: m.class,
    code: m.code,
    field,
    object,
    message,
    hint: m.hint === null ? null : stripIds(m.hint, 2 * MAX_MESSAGE),
  };
}

function driftColumns(m: Mismatch): string | null {
  return m.class === 'drift' && m.fields.length > 0
    ? m.fields.map((f) => f.column).join(', ')
    : null;
}

/** A reason quotes its own key; the key is what differs from row to row. */
function reasonWithoutKey(m: Mismatch): string {
  return m.key === '' ? m.reason : m.reason.split(m.key).join('<key>');
}

/**
 * Row-specific parts of a message become placeholders: the external ID value of
 * a foreign-key error, quoted values, UUIDs, Salesforce IDs (15 or 18
 * characters with a digit), e-mail addresses and numbers.
 */
export function stripIds(message: string, max = MAX_MESSAGE): string {
  return message
    .slice(0, 8 * max)
    .replace(/(Foreign key external ID:\s*)(.*?)(\s+not found)/i, '$1<value>$3')
    .replace(/(["'])(?:(?!\1).){0,200}\1/g, '$1…$1')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(
      /\b(?=[a-zA-Z0-9]*\d)(?=[a-zA-Z0-9]*[a-zA-Z])[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?\b/g,
      '<id>',
    )
    .replace(/[^\s@<>]+@[^\s@<>]+\.[a-z]{2,}/gi, '<email>')
    .replace(/\b\d+(?:\.\d+)?\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}
