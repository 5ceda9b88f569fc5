import type { Entity } from '../entities/entity.js';
import type { ColumnInfo } from '../schema/catalog.js';
import { typeFamily } from '../values/normalize.js';

/** A value's type as a database reports it for one column of a query. */
export interface ValueType {
  readonly oid: number;
  readonly name: string;
  /** JavaScript receives the server's own text for it (see db/driver/session.ts). */
  readonly textStable: boolean;
}

/**
 * How both databases turn one compared value into text before hashing, so
 * that equal text can only come from values sameValue calls equal:
 * - text: the value's output text (`concat`), '' for NULL;
 * - padded: the same without trailing spaces (char(n));
 * - exact: numeric rounded to the mirror's scale, trailing zeros dropped;
 * - double / real: the value as float8 / float4;
 * - epoch: whole seconds since 1970 (UTC for timestamps without zone).
 * The converse need not hold: values that differ as text but are equal to
 * sameValue (a string cut to the column's length, say) are sent in full and
 * compared in JavaScript.
 */
export type Normalizer = 'text' | 'padded' | 'exact' | 'double' | 'real' | 'epoch';

export interface ComparedValue {
  /** Mirror column (a field) or lookup column (a parent). */
  readonly column: string;
  readonly kind: 'field' | 'lookup';
  readonly normalizer: Normalizer;
  /** exact: digits after the point the mirror keeps (null: as given). */
  readonly scale: number | null;
  /**
   * text: a side's value is char(n), whose padding JavaScript sees (so its text is taken with
   * concat, not a cast).
   */
  readonly padded: boolean;
}

export interface ComparePlan {
  readonly values: readonly ComparedValue[];
  /**
   * Fields whose two types no SQL text can compare as JavaScript does (a
   * boolean source for a text column, say): every synced row of the entity is
   * then compared in JavaScript.
   */
  readonly opaque: readonly string[];
}

const EXACT = new Set(['smallint', 'integer', 'bigint', 'numeric']);
const NUMERIC = new Set([...EXACT, 'real', 'double precision']);
const DATETIME = new Set(['timestamp without time zone', 'timestamp with time zone']);

/**
 * Chooses, per mapped field, how its source and mirror values are normalised
 * (see Normalizer). `source`/`mirror` are the result types of the two sides'
 * queries by mirror column; `trimScale`: both servers have trim_scale (13+).
 */
export function planComparison(
  entity: Entity,
  source: ReadonlyMap<string, ValueType>,
  mirror: ReadonlyMap<string, ValueType>,
  columns: ReadonlyMap<string, ColumnInfo>,
  trimScale: boolean,
): ComparePlan {
  const values: ComparedValue[] = [];
  const opaque: string[] = [];
  for (const field of entity.fields) {
    const column = columns.get(field.mirrorColumn);
    const s = source.get(field.mirrorColumn);
    const m = mirror.get(field.mirrorColumn);
    const normalizer = s && m ? chooseNormalizer(s, m, column?.type ?? 'text', trimScale) : null;
    if (normalizer === null) opaque.push(field.mirrorColumn);
    else
      values.push({
        column: field.mirrorColumn,
        kind: 'field',
        normalizer,
        scale: column?.scale ?? null,
        padded: isPadded(s!) || isPadded(m!),
      });
  }
  // Lookups are compared as the text both sides already are.
  for (const parent of entity.parents)
    values.push({
      column: parent.lookup,
      kind: 'lookup',
      normalizer: 'text',
      scale: null,
      padded: false,
    });
  return { values, opaque };
}

const isPadded = (type: ValueType) => type.name === 'character';

export function chooseNormalizer(
  s: ValueType,
  m: ValueType,
  mirrorType: string,
  trimScale: boolean,
): Normalizer | null {
  // One type on both sides: equal output text is one value, read into JavaScript the same way.
  const same = s.oid === m.oid;
  switch (typeFamily(mirrorType)) {
    case 'text':
      return (s.textStable && m.textStable) || same ? 'text' : null;
    case 'padded':
      return s.textStable || same ? 'padded' : null;
    case 'exact':
      if (trimScale && EXACT.has(s.name) && EXACT.has(m.name)) return 'exact';
      return same ? 'text' : null;
    case 'double':
      return NUMERIC.has(s.name) ? 'double' : null;
    case 'real':
      return NUMERIC.has(s.name) ? 'real' : null;
    case 'timestamp':
      return DATETIME.has(s.name) && DATETIME.has(m.name) ? 'epoch' : null;
    case 'boolean':
    case 'date':
      return same ? 'text' : null;
  }
}
