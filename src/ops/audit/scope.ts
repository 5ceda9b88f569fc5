import type { Config } from '../../config/types.js';
import { withAncestors } from '../../core/entities/graph.js';
import { didYouMean } from '../../core/suggest.js';
import { UsageError } from '../../errors.js';

export interface AuditScope {
  /** Entities to read, in canonical order: the reported ones and every ancestor they need. */
  readonly read: readonly string[];
  /** Entities to report, in canonical order. */
  readonly report: readonly string[];
}

export function auditScope(
  config: Pick<Config, 'entities' | 'graph'>,
  selected: readonly string[] | undefined,
): AuditScope {
  const names = config.entities.map((e) => e.name);
  for (const name of selected ?? []) {
    if (!names.includes(name))
      throw new UsageError(
        `--entity ${name}: no such entity in the config${didYouMean(name, names)}`,
      );
  }
  const report = selected?.length
    ? config.graph.order.filter((n) => selected.includes(n))
    : [...config.graph.order];
  return { read: withAncestors(config.graph, report), report };
}
