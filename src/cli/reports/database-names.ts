import type { ResolvedTarget } from '../../config/types.js';
import { describeUrl } from '../../db/driver/describe-url.js';

/**
 * `mirror db.example.com:5432/d1 (schema salesforce)` for each database a run read: which ones,
 * never the user, password or query string. Source and mirror in one database read as one.
 */
export function databaseNames(targets: readonly ResolvedTarget[]): string[] {
  const names = targets.map((t) => ({
    role: t.role,
    at: `${describeUrl(t.url)} (schema ${t.schema})`,
  }));
  const [first, second] = names;
  if (first && second && first.at === second.at)
    return [`${first.role} and ${second.role} ${first.at}`];
  return names.map((n) => `${n.role} ${n.at}`);
}
