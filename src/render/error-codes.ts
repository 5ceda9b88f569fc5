import { ERROR_TAXONOMY, HC_ERROR_CODES } from '../core/connect/error-taxonomy.js';
import { mdCell } from './markdown-text.js';

/**
 * The `_hc_err` codes sfsync recognises, the policy and the hint each carries, as a Markdown
 * table: the reference docs/commands.md shows operators (refreshed by `npm run docs:help`).
 */
export function errorCodesMarkdown(): string {
  const rows = HC_ERROR_CODES.map((code) => {
    const { policy, hint } = ERROR_TAXONOMY[code];
    return `| \`${code}\` | ${policy} | ${mdCell(hint)} |`;
  });
  return ['| code | policy | hint |', '| --- | --- | --- |', ...rows].join('\n');
}
