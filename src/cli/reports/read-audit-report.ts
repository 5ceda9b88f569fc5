import { MISMATCH_CLASSES, type EntityAudit } from '../../core/audit/types.js';
import { quote } from '../../core/quote.js';
import { UsageError } from '../../errors.js';
import { auditTotals, type AuditResult } from '../../core/audit/result.js';
import type { ShardReport } from '../../core/audit/merge.js';
import { FORMAT_VERSION } from '../../render/json.js';
import { auditReportSchema, type AuditReport } from './audit-report-schema.js';
import { jsonExtent } from './json-extent.js';
import { byteSize } from '../../config/user-file.js';
import { readRegularFile, type ReadLimit } from './read-regular-file.js';

/**
 * Arrays and objects nested deeper than this are refused: a report nests 7
 * levels (a drifted JSON value a few more), and JSON.stringify and zod recurse
 * once per level, so a value nested 10,000 deep would overflow their stack.
 */
export const MAX_REPORT_DEPTH = 64;

/**
 * An audit report, read and checked, and how long it is as sfsync prints it (what it adds to the
 * merged report).
 */
export interface AuditReportFile {
  readonly audit: AuditResult;
  readonly printedLength: number;
}

/**
 * Together, the reports may hold this much as sfsync prints them: the merged
 * report is as long as they are, and must fit in one JavaScript string (at
 * most 512 MiB) with the parsed reports in memory beside it.
 */
export const MAX_MERGE_BYTES = 256 * 2 ** 20;
const WHY =
  `merge reads at most ${byteSize(MAX_MERGE_BYTES)} of reports in all (as printed), ` +
  'so that the merged report fits in memory';

/**
 * The reports one after another (what one may take depends on what the earlier ones took), each
 * refusal one line.
 */
export async function readShardReports(files: readonly string[]): Promise<ShardReport[]> {
  const reports: ShardReport[] = [];
  let used = 0;
  for (const file of files) {
    const { audit, printedLength } = await readAuditReport(file, {
      maxBytes: MAX_MERGE_BYTES - used,
      why: WHY,
    });
    used += printedLength;
    reports.push({ file, audit });
  }
  return reports;
}

/**
 * An audit report file (`sfsync audit --format json`) as the AuditResult it was
 * printed from, checked in full: a regular file within `limit`, nested no
 * deeper than an audit report nests, JSON of the report's schema, and
 * consistent (each class count is the number of its mismatches listed, no key
 * twice, read-only entities without mismatches). Anything else is a
 * UsageError naming the file.
 */
export async function readAuditReport(file: string, limit: ReadLimit): Promise<AuditReportFile> {
  const bytes = readRegularFile(file, limit);
  const extent = jsonExtent(bytes, MAX_REPORT_DEPTH);
  if (!extent)
    throw new UsageError(
      `${file} nests arrays or objects more than ${MAX_REPORT_DEPTH} deep: ` +
        'an audit report nests 7 (a drifted JSON value a few more)',
    );
  if (extent.printedLength > limit.maxBytes)
    throw new UsageError(
      `${file} prints as ${byteSize(extent.printedLength)}, ` +
        `more than ${byteSize(limit.maxBytes)}: ${limit.why}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    const what = error instanceof SyntaxError ? 'JSON' : 'UTF-8 text';
    throw new UsageError(
      `${file} is not ${what}: merge takes the reports of \`sfsync audit --format json\``,
    );
  }
  const parsed = auditReportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || 'the document';
    throw new UsageError(
      `${file} is not an sfsync audit report of format ${FORMAT_VERSION}: ` +
        `${where}: ${issue.message}`,
    );
  }
  const report = parsed.data;
  const problem = inconsistency(report);
  if (problem) throw new UsageError(`${file} is not a consistent audit report: ${problem}`);
  return {
    audit: {
      startedAt: new Date(report.startedAt),
      finishedAt: new Date(report.finishedAt),
      order: report.order,
      entities: report.entities,
      totals: auditTotals(report.entities),
      ...(report.bytesRead === null ? {} : { bytesRead: report.bytesRead }),
      ...(report.shard ? { shard: report.shard } : {}),
    },
    printedLength: extent.printedLength,
  };
}

/** What an audit could not have printed, in words (or undefined). */
function inconsistency(report: AuditReport): string | undefined {
  const names = report.entities.map((e) => e.name);
  if (report.order.length !== names.length || report.order.some((name, i) => name !== names[i]))
    return 'order does not name the entities, in the order they are listed';
  const seen = new Set<string>();
  for (const [i, entity] of report.entities.entries()) {
    if (seen.has(entity.name)) return `entity ${entity.name} is listed twice`;
    seen.add(entity.name);
    const problem = entityInconsistency(entity);
    if (problem) return `entities.${i} (${entity.name}): ${problem}`;
  }
  return undefined;
}

function entityInconsistency(entity: EntityAudit): string | undefined {
  if (entity.readOnly) {
    const counted = Object.values(entity.counts).some((n) => n > 0);
    if (entity.sourceRows !== null || counted || entity.mismatches.length > 0)
      return 'a read-only entity has no source rows, no counts and no mismatches';
    return undefined;
  }
  if (entity.sourceRows === null) return 'sourceRows is null, which only a read-only entity has';
  const listed = new Map<string, number>();
  const keys = new Set<string>();
  for (const m of entity.mismatches) {
    if (keys.has(m.key)) return `key ${quote(m.key.slice(0, 200))} is listed twice`;
    keys.add(m.key);
    listed.set(m.class, (listed.get(m.class) ?? 0) + 1);
  }
  for (const cls of MISMATCH_CLASSES) {
    const n = listed.get(cls) ?? 0;
    if (entity.counts[cls] !== n)
      return (
        `counts.${cls} is ${entity.counts[cls]} but ${n} ${cls} ` +
        `mismatch${n === 1 ? ' is' : 'es are'} listed (a report lists every one)`
      );
  }
  return undefined;
}
