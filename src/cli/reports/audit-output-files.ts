import type { AuditResult } from '../../core/audit/result.js';
import type { AuditStyle } from '../../render/audit-output.js';
import { paint } from '../../render/paint.js';
import type { CliContext } from '../context.js';
import { type OutputFile, writeOutputFiles } from './output-files.js';

export const AUDIT_FORMATS = ['table', 'json', 'ndjson', 'markdown', 'csv'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** An audit's (or a merge's) --output files: what --format would print, without colour. */
export async function writeAuditOutputFiles(
  files: readonly OutputFile<AuditFormat>[],
  result: AuditResult,
  style: AuditStyle,
  context: Pick<CliContext, 'stdout' | 'stderr'>,
): Promise<void> {
  if (files.length === 0) return;
  const render = await import('../../render/audit-output.js');
  const plain = { ...style, paint: paint({ color: false }) };
  await writeOutputFiles(
    files,
    async (format, out) => {
      if (format === 'ndjson')
        for (const entity of result.entities) await render.writeAuditNdjsonEntity(out, entity);
      await render.writeAudit(out, result, format, plain);
      await out.flush?.();
    },
    context,
  );
}
