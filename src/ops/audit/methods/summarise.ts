import type { AuditMethod, MethodWhy } from '../../../core/audit/types.js';
import type { CostEstimate } from '../../../core/methods/checksum-costs.js';
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
 * the entity to the choice's fallback, and a checksum whose sample says streaming pays streams:
 * the report names the method that read, and why.
 */
export async function summariseEntity(
  job: MethodJob,
): Promise<{ method: AuditMethod; summary: KeySummary; why: MethodWhy }> {
  const { choice } = job;
  let estimate: CostEstimate | undefined;
  const summary = await READERS[choice.reader].summarise({
    ...job,
    onEstimate: (e) => {
      estimate = e;
    },
  });
  if (summary !== 'too many suspects') {
    if (!estimate) return { method: choice.method, summary, why: { reason: choice.reason } };
    const { reason, ...figures } = estimate;
    const streamed = choice.byEstimate && estimate.choice === 'stream';
    return {
      method: streamed ? 'stream' : choice.method,
      summary,
      why: {
        reason: streamed || choice.byEstimate ? reason : `${choice.reason}; ${reason}`,
        estimate: figures,
      },
    };
  }
  const fallback = choice.fallback;
  if (fallback === undefined) throw new Error(`the ${choice.reader} reader gave up, no fallback`);
  const instead = {
    ...choice,
    method: fallback,
    reader: fallback,
    fallback: undefined,
    reason: `${choice.reason}; more suspects than memory keeps: streamed`,
  };
  return summariseEntity({ ...job, choice: instead });
}
