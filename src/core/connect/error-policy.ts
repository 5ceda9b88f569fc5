/**
 * The repair policy of an error code, the config's override applied: what audit and repair agree
 * a FAILED row without an sfid may have done to it without a person (core/repair/policy.ts says
 * why, row by row).
 */

import {
  ERROR_POLICIES,
  ERROR_TAXONOMY,
  type ErrorKind,
  type ErrorPolicy,
  type HcErrorCode,
  isHcErrorCode,
} from './error-taxonomy.js';

/** Policies an operator may ask to re-send with `--retry`: those that wait for a person. */
export const RETRYABLE_ON_REQUEST: readonly ErrorPolicy[] = ['data-fix', 'config-fix', 'unknown'];

/** The policies a config may give a code (unknown is what no policy means, not one to choose). */
export const CONFIGURABLE_POLICIES = ERROR_POLICIES.filter((p) => p !== 'unknown');

export type PolicyOverrides = ReadonlyMap<HcErrorCode, ErrorPolicy>;

/** The policy a code is repaired by: the config's when it names the code, else the taxonomy's. */
export function policyOf(code: HcErrorCode, overrides?: PolicyOverrides): ErrorPolicy {
  return overrides?.get(code) ?? ERROR_TAXONOMY[code].policy;
}

/**
 * Whether the write may have reached Salesforce although the row has no sfid (a timeout): writing
 * it again could make a second record. A code the config gives a policy is the operator's call.
 */
export function mayHaveCommitted(code: HcErrorCode, overrides?: PolicyOverrides): boolean {
  const kind: ErrorKind = ERROR_TAXONOMY[code];
  return kind.mayHaveCommitted === true && !overrides?.has(code);
}

/** Whether a failed sfid-NULL row is re-sent without the operator asking. */
export function resendsOnItsOwn(
  code: HcErrorCode,
  sourceChanged: boolean,
  overrides?: PolicyOverrides,
): boolean {
  if (mayHaveCommitted(code, overrides)) return false;
  const policy = policyOf(code, overrides);
  if (policy === 'retry-now' || policy === 'retry-after-parent') return true;
  return sourceChanged && RETRYABLE_ON_REQUEST.includes(policy);
}

/**
 * Why `--retry TOKEN` cannot be honoured, or null when it can: TOKEN names an error code or a
 * policy whose rows wait for a person (data-fix, config-fix, unknown). Re-sending a terminal
 * failure, or one whose write may have reached Salesforce, is a policy change for the config.
 */
export function retryProblem(token: string, overrides?: PolicyOverrides): string | null {
  if ((ERROR_POLICIES as readonly string[]).includes(token)) {
    if (RETRYABLE_ON_REQUEST.includes(token as ErrorPolicy)) return null;
    return token === 'terminal'
      ? 'terminal failures are never re-sent; give the code another policy in the config ' +
          '(repair.policies) if this org differs'
      : `${token} failures are re-sent without asking; ` +
          `--retry is for ${RETRYABLE_ON_REQUEST.join(', ')}`;
  }
  if (!isHcErrorCode(token)) return `${token} is neither an error code sfsync knows nor a policy`;
  const policy = policyOf(token, overrides);
  if (RETRYABLE_ON_REQUEST.includes(policy)) return null;
  if (policy === 'terminal')
    return (
      `${token} is terminal: never re-sent; give it another policy in the config ` +
      '(repair.policies) if this org differs'
    );
  if (mayHaveCommitted(token, overrides))
    return (
      `${token} may have reached Salesforce, so it is never re-sent blindly: check Salesforce, ` +
      `then give ${token} a policy in the config (repair.policies)`
    );
  return `${token} (${policy}) is re-sent without asking; --retry is not needed`;
}
