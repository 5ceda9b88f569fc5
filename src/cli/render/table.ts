import Table from 'cli-table3';

/** A plain table: no colours, so piped output and snapshots stay clean. */
export function renderTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}
