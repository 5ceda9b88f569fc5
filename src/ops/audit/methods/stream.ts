import { mergeSummaries, type KeySummary } from '../../../core/methods/key-summary.js';
import type { RowBatch } from '../../../core/methods/row-batch.js';
import { CopyValues } from '../../../db/driver/session.js';
import {
  mirrorSummaryQuery,
  sourceSummaryQuery,
  type KeyFilter,
} from '../../../db/audit/summary-query.js';
import type { MethodJob, MethodReader } from './method.js';

/** The stream method: every key of the run's shard. */
export const streamReader: MethodReader = {
  summarise: (job) => streamKeys(job, job.keys.filter),
};

/**
 * Streams both sides' summaries (key and digest per row, flags on the mirror) of the keys the
 * filter lets through, with COPY at once, and merges them as they arrive.
 */
export async function streamKeys(job: MethodJob, filter: KeyFilter): Promise<KeySummary> {
  const { tables, sides, plan, signal } = job;
  const read = (values: CopyValues) => ({ plan, digest: sides.digest, values, filter });
  const source = sides.source.session.copyRows(
    sourceSummaryQuery(tables.source, read(new CopyValues())),
  );
  const mirror = sides.mirror.session.copyRows(
    mirrorSummaryQuery(tables.mirror, read(new CopyValues())),
  );
  return mergeSummaries(
    counted(abortable(source, signal), job.onRows),
    abortable(mirror, signal),
    job.suspects,
    job.choice.everyKey,
  );
}

async function* abortable(
  batches: AsyncGenerator<RowBatch>,
  signal: AbortSignal | undefined,
): AsyncGenerator<RowBatch> {
  for await (const batch of batches) {
    signal?.throwIfAborted();
    yield batch;
  }
}

async function* counted(
  batches: AsyncGenerator<RowBatch>,
  onRows: ((rows: number) => void) | undefined,
): AsyncGenerator<RowBatch> {
  let rows = 0;
  for await (const batch of batches) {
    rows += batch.count;
    onRows?.(rows);
    yield batch;
  }
}
