import { readJoinSummary } from '../../../db/audit/join-summary.js';
import type { MethodReader } from './method.js';

/**
 * The join method: both schemas in one database, so the summary is one query there (see
 * db/audit/join-summary.ts); read in the mirror's snapshot, which sees both.
 */
export const joinReader: MethodReader = {
  summarise: (job) =>
    readJoinSummary(job.sides.mirror.trx, job.tables, job.plan, {
      ...job.keyFacts,
      filter: job.keys.filter,
      digest: job.sides.digest,
      everyKey: job.choice.everyKey,
      suspects: job.suspects,
      limit: job.suspectsInMemory,
    }),
};
