import type { AuditMethod } from '../../../core/audit/types.js';
import type { KeySummary } from '../../../core/methods/key-summary.js';
import { checksumReader } from './checksum.js';
import { joinReader } from './join.js';
import type { MethodJob, MethodReader } from './method.js';
import { streamReader } from './stream.js';

const READERS: Readonly<Record<AuditMethod, MethodReader>> = {
  join: joinReader,
  stream: streamReader,
  checksum: checksumReader,
};

/**
 * Both sides' summary of one entity, read as its method choice says; a reader that gives up hands
 * the entity to the choice's fallback, which the report then names.
 */
export async function summariseEntity(
  job: MethodJob,
): Promise<{ method: AuditMethod; summary: KeySummary }> {
  const { choice } = job;
  const summary = await READERS[choice.reader].summarise(job);
  if (summary !== 'too many suspects') return { method: choice.method, summary };
  const fallback = choice.fallback;
  if (fallback === undefined) throw new Error(`the ${choice.reader} reader gave up, no fallback`);
  const instead = { ...choice, method: fallback, reader: fallback, fallback: undefined };
  return summariseEntity({ ...job, choice: instead });
}
