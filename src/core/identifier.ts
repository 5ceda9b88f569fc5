/**
 * A plain SQL identifier as config may name one; anything else is rejected before it reaches SQL.
 */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names that would reach JavaScript object internals where sfsync keys plain
 * objects by a configured name (row values by column, summaries by entity);
 * no Salesforce object or field is called this.
 */
export const RESERVED_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/**
 * PostgreSQL truncates longer names silently (NAMEDATALEN - 1), which would address the wrong
 * object.
 */
export const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Whether a config may name this table or column: the three rules the config
 * schema enforces (src/config/schema.ts, each with its own message), in one test.
 */
export function isPlainIdentifier(name: string): boolean {
  return (
    IDENTIFIER_PATTERN.test(name) &&
    name.length <= MAX_IDENTIFIER_LENGTH &&
    !RESERVED_NAMES.includes(name)
  );
}
