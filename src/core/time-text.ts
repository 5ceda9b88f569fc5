/**
 * The one way a person reads a moment in sfsync's output: `2026-12-06 12:08:04 UTC`.
 * Machine formats (JSON, NDJSON) keep ISO 8601; tables, markdown, HTML and messages use this.
 */
export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
