import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ROW_CLASSES, type Mismatch } from '../../core/audit-types.js';
import { UsageError } from '../../errors.js';
import { auditTotals, type AuditResult } from '../../ops/audit.js';
import { FORMAT_VERSION } from '../render/json.js';

const count = z.number().int().nonnegative();

/** What `sfsync merge` needs of an audit's JSON report (docs/output.md); mismatches are kept as they were printed. */
const reportSchema = z.object({
  tool: z.literal('sfsync'),
  command: z.literal('audit'),
  formatVersion: z.literal(FORMAT_VERSION),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  shard: z.object({ index: count.min(1), count: count.min(1) }).nullable(),
  order: z.array(z.string()),
  entities: z.array(
    z.object({
      name: z.string(),
      readOnly: z.boolean(),
      mirrorTable: z.string(),
      sourceRows: count.nullable(),
      mirrorRows: count,
      unsyncedRows: count,
      oldestUnsyncedAgeSeconds: count.nullable(),
      sourceRowsWithoutKey: count,
      method: z.enum(['stream', 'checksum', 'join', 'count', 'mixed']),
      keysReadInFull: count,
      counts: z.object(Object.fromEntries(ROW_CLASSES.map((cls) => [cls, count])) as Record<(typeof ROW_CLASSES)[number], typeof count>),
      mismatches: z.array(z.looseObject({ key: z.string() })),
    }),
  ),
  bytesRead: count.nullable(),
});

/** An audit report file (`sfsync audit --format json`) as the AuditResult it was printed from. */
export async function readAuditReport(file: string): Promise<AuditResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON: merge takes the reports of \`sfsync audit --format json\``);
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file} is not an sfsync audit report of format ${FORMAT_VERSION}: ${issue.path.join('.') || 'the document'}: ${issue.message}`);
  }
  const report = parsed.data;
  const entities = report.entities.map((e) => ({ ...e, mismatches: e.mismatches as unknown as Mismatch[] }));
  return {
    startedAt: new Date(report.startedAt),
    finishedAt: new Date(report.finishedAt),
    order: report.order,
    entities,
    totals: auditTotals(entities),
    ...(report.bytesRead === null ? {} : { bytesRead: report.bytesRead }),
    ...(report.shard ? { shard: report.shard } : {}),
  };
}
