/**
 * Every JSON document sfsync prints starts with the same three keys, so a
 * consumer can check what it is reading before trusting the rest.
 * `formatVersion` changes only when a documented key changes meaning or goes away.
 */
export const FORMAT_VERSION = 1;

export function renderJson(command: string, body: Record<string, unknown>): string {
  const document = { tool: 'sfsync', command, formatVersion: FORMAT_VERSION, ...body };
  return `${JSON.stringify(document, null, 2)}\n`;
}
