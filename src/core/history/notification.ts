import type { Increase } from './trend.js';
import { appendAll } from '../arrays.js';

export interface RunOutcome {
  readonly command: string;
  readonly host: string;
  readonly exitCode: number;
  /** The error that stopped the run, already safe to show. */
  readonly error?: string | undefined;
  readonly mismatches?: number | undefined;
  /** Repair: actions by status. */
  readonly actions?: Readonly<Record<string, number>> | undefined;
  readonly increases: readonly Increase[];
}

/** A nightly job speaks up when it failed or a class grew; a known, stable backlog stays quiet. */
export function shouldNotify(outcome: RunOutcome): boolean {
  return outcome.exitCode !== 0 || outcome.increases.length > 0;
}

const MAX_LISTED = 10;

/**
 * The webhook body: `text` is what Slack (and Mattermost, Teams' Slack-compatible
 * hooks, Discord's /slack endpoint) show; `sfsync` carries the same facts for a
 * program.
 */
export function notificationBody(outcome: RunOutcome): {
  text: string;
  sfsync: Record<string, unknown>;
} {
  const lines = [
    `sfsync ${outcome.command} on ${outcome.host}: ${headline(outcome)} (exit ${outcome.exitCode})`,
  ];
  // A message's detail lines (a config's problems, the GRANTs to run) say what to fix.
  if (outcome.error) appendAll(lines, outcome.error.split('\n').slice(1, 1 + MAX_LISTED));
  if (outcome.increases.length > 0) {
    lines.push('Grew since the previous recorded run:');
    for (const g of outcome.increases.slice(0, MAX_LISTED))
      lines.push(`• ${g.entity} ${g.class}: ${g.before} → ${g.after}`);
    if (outcome.increases.length > MAX_LISTED)
      lines.push(`… and ${outcome.increases.length - MAX_LISTED} more`);
  }
  return {
    text: lines.join('\n'),
    sfsync: {
      command: outcome.command,
      host: outcome.host,
      exitCode: outcome.exitCode,
      error: outcome.error ?? null,
      mismatches: outcome.mismatches ?? null,
      actions: outcome.actions ?? null,
      increases: outcome.increases,
    },
  };
}

function headline(outcome: RunOutcome): string {
  if (outcome.error) return `failed: ${outcome.error.split('\n')[0]!.slice(0, 300)}`;
  if (outcome.actions) {
    return (
      Object.entries(outcome.actions)
        .filter(([, n]) => n > 0)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ') || 'nothing to do'
    );
  }
  const n = outcome.mismatches ?? 0;
  return n === 0 ? 'no mismatches' : `${n} mismatch${n === 1 ? '' : 'es'}`;
}
