/**
 * RFC 4180 CSV (CRLF line ends, fields quoted when they need it) that is safe
 * to open in a spreadsheet: a text cell starting with `=`, `+`, `-`, `@`, tab
 * or carriage return would run as a formula (CSV injection), so it gets a
 * leading `'`; numbers, negative ones included, are left alone.
 */
export function renderCsv(head: readonly string[], rows: Iterable<readonly unknown[]>): string {
  let text = csvLine(head);
  for (const row of rows) text += csvLine(row);
  return text;
}

/** One record, with its CRLF. */
export function csvLine(row: readonly unknown[]): string {
  return `${row.map(csvField).join(',')}\r\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text))
    text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}
