/**
 * What repair does with a FAILED sfid-NULL row, per the policy of its error code
 * (core/connect/error-taxonomy.ts, overridable per code in the config):
 * - retry-now and retry-after-parent are re-sent (a row whose parent has no sfid is classified
 *   missing_parent and waits);
 * - data-fix, config-fix and unknown are re-sent only once the source row changed since the
 *   failure (the fix arrived) or when the operator asks (`--retry CODE|POLICY`);
 * - terminal is never re-sent.
 */

import type { Mismatch } from '../audit/types.js';
import { RETRYABLE_ON_REQUEST } from '../connect/error-policy.js';
import { ERROR_TAXONOMY } from '../connect/error-taxonomy.js';

/**
 * Sent: `why` is the code, its policy and, when it is not the policy alone, what let it through;
 * `carriesFix` when it is sent because the source changed since the failure, so the new values
 * must go. Not sent: the reason, for the report.
 */
export type RetryDecision =
  | { readonly send: true; readonly why: string; readonly carriesFix: boolean }
  | { readonly send: false; readonly reason: string };

/**
 * Whether a FAILED row without an sfid is re-sent now, and why (or why not): what `repair
 * --dry-run` shows for it. `retry` holds the codes and policies named by `--retry`.
 */
// Stryker disable next-line ArrayDeclaration: equivalent, no code or policy is named that
export function decideFailed(m: Mismatch, retry: readonly string[] = []): RetryDecision {
  const code = m.code ?? 'UNKNOWN';
  const policy = m.policy ?? ERROR_TAXONOMY[code].policy;
  const label = `${code} (${policy})`;
  const hint = m.hint ? `: ${m.hint}` : '';
  const waitsForPerson = RETRYABLE_ON_REQUEST.includes(policy);
  if (m.repairable) {
    const carriesFix = waitsForPerson && m.fields.length > 0;
    return { send: true, why: carriesFix ? `${label}, ${changedSince(m)}` : label, carriesFix };
  }
  if (waitsForPerson && (retry.includes(code) || retry.includes(policy)))
    return {
      send: true,
      why: `${label}, re-sent as asked (--retry ${askedBy(retry, m)})`,
      carriesFix: false,
    };
  const told = `${m.reason} — ${label}`;
  if (policy === 'terminal')
    return { send: false, reason: `${told}: never re-sent, no write of it can succeed${hint}` };
  if (waitsForPerson)
    return {
      send: false,
      reason:
        `${told}${onField(m)}${hint}; re-sent once the source row changes, ` +
        `or with --retry ${code}`,
    };
  // A transient code whose write may have reached Salesforce: re-sending could make a second
  // record, so only the operator (a policy for the code in the config) can allow it.
  return {
    send: false,
    reason:
      `${told}: the write may have reached Salesforce, so it is not re-sent ` +
      `(check Salesforce, then give ${code} a policy in the config to re-send it)${hint}`,
  };
}

function askedBy(retry: readonly string[], m: Mismatch): string {
  return retry.find((r) => r === m.code) ?? (m.policy as string);
}

function changedSince(m: Mismatch): string {
  return `the source changed since the failure (${m.fields.map((f) => f.column).join(', ')})`;
}

/** The field the error names, which is where the fix goes. */
function onField(m: Mismatch): string {
  const fields = m.error?.fields ?? (m.error?.field ? [m.error.field] : []);
  return fields.length > 0 ? ` on ${fields.join(', ')}` : '';
}
