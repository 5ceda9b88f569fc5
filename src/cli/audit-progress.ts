import type { AuditProgress } from '../ops/audit/audit.js';
import { countText, progressText } from '../core/progress/progress-text.js';
import type { Progress } from './progress.js';

/**
 * The audit's progress events as lines: `lesson: 412,000 / ~1,000,000 keys compared (41%, about
 * 1m 20s left)`, then `lesson: 1,204 / 1,204 suspect keys read`, then `lesson: 1,000,000 keys`.
 * Time left is reckoned from each phase's own start.
 */
export function auditProgressReporter(
  progress: Progress,
  now: () => number = Date.now,
): (event: AuditProgress) => void {
  const started = new Map<string, number>();
  return (event) => {
    const phaseKey = `${event.entity}\u0000${event.phase}`;
    if (event.done) {
      progress.succeed(`${event.entity}: ${countText(event.rows)} keys`);
      return;
    }
    if (!started.has(phaseKey)) started.set(phaseKey, now());
    if (event.phase === 'summary' && event.rows === 0) {
      // The join method compares in one query: there is nothing to count until it answers.
      const about = event.total === null ? '' : ` ~${countText(event.total)}`;
      progress.update(`${event.entity}: comparing${about} keys`);
      return;
    }
    progress.update(
      progressText({
        label: event.entity,
        done: event.rows,
        total: event.total,
        estimated: event.phase === 'summary',
        unit: event.phase === 'summary' ? 'keys compared' : 'suspect keys read',
        elapsedMs: now() - started.get(phaseKey)!,
      }),
    );
  };
}
