import { HC_ERROR_CODES, HC_ERROR_HINTS } from '../core/connect/hc-error.js';
import { mdCell } from './markdown-text.js';

/**
 * The `_hc_err` codes sfsync recognises and the hint each carries, as a Markdown table: the
 * reference docs/commands.md shows operators (refreshed by `npm run docs:help`).
 */
export function errorCodesMarkdown(): string {
  const rows = HC_ERROR_CODES.map((code) => `| \`${code}\` | ${mdCell(HC_ERROR_HINTS[code])} |`);
  return ['| code | hint |', '| --- | --- |', ...rows].join('\n');
}
