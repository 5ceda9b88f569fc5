/** A plain SQL identifier as config may name one; anything else is rejected before it reaches SQL. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** PostgreSQL truncates longer names silently (NAMEDATALEN - 1), which would address the wrong object. */
export const MAX_IDENTIFIER_LENGTH = 63;

export function isIdentifier(value: string): boolean {
  return IDENTIFIER_PATTERN.test(value) && value.length <= MAX_IDENTIFIER_LENGTH;
}
