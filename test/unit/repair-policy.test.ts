import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { WritableEntity } from '../../src/config/types.js';
import type { MirrorRow, SourceRow } from '../../src/core/audit/types.js';
import { classifyKey, type ClassifyContext } from '../../src/core/audit/classify.js';
import { retryProblem, type PolicyOverrides } from '../../src/core/connect/error-policy.js';
import { planRepair, type PlannedAction } from '../../src/core/repair/plan.js';
import { entityAudit } from '../support/audit-fixtures.js';
import { smallConfig } from '../support/config-text.js';

const config = parseConfig(JSON.stringify(smallConfig()), 'cfg.json');
const school = config.entities.find((e) => e.name === 'school') as WritableEntity;

const TEXTS = {
  REQUIRED_FIELD_MISSING: 'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --',
  FIELD_CUSTOM_VALIDATION_EXCEPTION:
    'FIELD_CUSTOM_VALIDATION_EXCEPTION:Country must be a two-letter code:--',
  INSUFFICIENT_ACCESS: 'INSUFFICIENT_ACCESS:insufficient access rights on object id:--',
  ENTITY_IS_DELETED: 'ENTITY_IS_DELETED:entity is deleted:--',
  UNABLE_TO_LOCK_ROW: 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
  QUERY_TIMEOUT: 'QUERY_TIMEOUT:Your query request was running too long:--',
  DUPLICATE_VALUE: 'DUPLICATE_VALUE:duplicate value found: <unknown>:--',
} as const;
type Code = keyof typeof TEXTS;

const source: SourceRow = { key: 'k', fields: { name: 'Hill', country__c: 'FR' }, parents: {} };

function failedRow(code: Code, fields: Record<string, unknown> = source.fields): MirrorRow {
  return {
    id: 7,
    sfid: null,
    lastop: 'FAILED',
    hcErr: TEXTS[code],
    key: 'k',
    fields,
    lookups: {},
    log: null,
  };
}

function context(policies?: PolicyOverrides): ClassifyContext {
  return {
    entity: school,
    parentStates: new Map(),
    columns: new Map([
      ['name', { type: 'character varying', maxLength: 80 }],
      ['country__c', { type: 'character varying', maxLength: 80 }],
    ]),
    now: new Date('2026-01-01T12:00:00Z'),
    staleMs: 30 * 60_000,
    hasTriggerLog: true,
    policies,
  };
}

interface Case {
  readonly code: Code;
  readonly mirrorFields?: Record<string, unknown>;
  readonly retry?: string[];
  readonly policies?: PolicyOverrides;
}

function planFor(c: Case): PlannedAction {
  const result = classifyKey(context(c.policies), source, [failedRow(c.code, c.mirrorFields)]);
  expect(result.class).toBe('failed');
  const [action] = planRepair([entityAudit([result.mismatch!], { name: 'school' })], {
    strategy: 'reinsert',
    retry: c.retry,
  });
  return action!;
}

describe('the repair policy of a FAILED row without an sfid', () => {
  it('a data-fix failure whose source row is unchanged waits, naming the field and the fix', () => {
    const action = planFor({ code: 'REQUIRED_FIELD_MISSING' });
    expect(action.action).toBe('skip');
    expect(action.reason).toBe(
      'FAILED: Required fields are missing: [Name] — ' +
        'REQUIRED_FIELD_MISSING (data-fix) on Name: a required Salesforce field is empty: ' +
        'fix the source data or the mapping, then write the row again; ' +
        're-sent once the source row changes, or with --retry REQUIRED_FIELD_MISSING',
    );
  });

  it('a data-fix failure is re-sent once the source row changed since the failure', () => {
    const action = planFor({
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      mirrorFields: { name: 'Hill', country__c: 'France' },
    });
    expect(action).toMatchObject({ action: 'reinsert', mirrorId: 7 });
    expect(action.reason).toBe(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION (data-fix), the source changed since the failure ' +
        '(country__c): delete the sfid-NULL FAILED row, insert it again',
    );
  });

  it('a config-fix failure is re-sent when asked by code or by policy, and not otherwise', () => {
    expect(planFor({ code: 'INSUFFICIENT_ACCESS' }).action).toBe('skip');
    expect(planFor({ code: 'INSUFFICIENT_ACCESS', retry: ['DUPLICATE_VALUE'] }).action).toBe(
      'skip',
    );
    expect(planFor({ code: 'INSUFFICIENT_ACCESS', retry: ['data-fix'] }).action).toBe('skip');
    expect(planFor({ code: 'INSUFFICIENT_ACCESS', retry: ['INSUFFICIENT_ACCESS'] })).toMatchObject({
      action: 'reinsert',
      reason:
        'INSUFFICIENT_ACCESS (config-fix), re-sent as asked (--retry INSUFFICIENT_ACCESS): ' +
        'delete the sfid-NULL FAILED row, insert it again',
    });
    expect(planFor({ code: 'INSUFFICIENT_ACCESS', retry: ['config-fix'] }).reason).toContain(
      're-sent as asked (--retry config-fix)',
    );
  });

  it('a terminal failure is never re-sent: not when asked, not when the source changed', () => {
    for (const c of [
      { code: 'ENTITY_IS_DELETED' as const },
      { code: 'ENTITY_IS_DELETED' as const, retry: ['ENTITY_IS_DELETED', 'terminal'] },
      { code: 'ENTITY_IS_DELETED' as const, mirrorFields: { name: 'Old', country__c: 'FR' } },
    ]) {
      const action = planFor(c);
      expect(action.action).toBe('skip');
      expect(action.reason).toContain('ENTITY_IS_DELETED (terminal): never re-sent');
    }
  });

  it('a transient failure is re-sent as it is; one that may have committed is not', () => {
    expect(planFor({ code: 'UNABLE_TO_LOCK_ROW' })).toMatchObject({
      action: 'reinsert',
      reason: 'UNABLE_TO_LOCK_ROW (retry-now): delete the sfid-NULL FAILED row, insert it again',
    });
    for (const retry of [[], ['QUERY_TIMEOUT'], ['retry-now']]) {
      const action = planFor({ code: 'QUERY_TIMEOUT', retry });
      expect(action.action).toBe('skip');
      expect(action.reason).toContain('the write may have reached Salesforce');
    }
  });

  it('the config gives a code another policy, which the audit reports and the plan follows', () => {
    const overrides = (code: Code, policy: 'retry-now' | 'terminal' | 'data-fix') =>
      new Map([[code, policy]]);
    const timeout = classifyKey(context(overrides('QUERY_TIMEOUT', 'retry-now')), source, [
      failedRow('QUERY_TIMEOUT'),
    ]).mismatch!;
    expect(timeout).toMatchObject({ policy: 'retry-now', repairable: true });
    expect(
      planFor({ code: 'QUERY_TIMEOUT', policies: overrides('QUERY_TIMEOUT', 'retry-now') }),
    ).toMatchObject({ action: 'reinsert' });
    const duplicate = planFor({
      code: 'DUPLICATE_VALUE',
      mirrorFields: { name: 'Old', country__c: 'FR' },
      policies: overrides('DUPLICATE_VALUE', 'terminal'),
    });
    expect(duplicate.action).toBe('skip');
    expect(duplicate.reason).toContain('DUPLICATE_VALUE (terminal)');
    expect(
      planFor({ code: 'UNABLE_TO_LOCK_ROW', policies: overrides('UNABLE_TO_LOCK_ROW', 'data-fix') })
        .action,
    ).toBe('skip');
  });

  it('a row with an sfid is never re-sent, whatever the policy or the request', () => {
    const withSfid: MirrorRow = { ...failedRow('UNABLE_TO_LOCK_ROW'), sfid: 'a0Q000000000001AAA' };
    const result = classifyKey(context(), source, [withSfid]);
    expect(result.mismatch).toMatchObject({ class: 'failed', repairable: false, fields: [] });
    const [action] = planRepair([entityAudit([result.mismatch!], { name: 'school' })], {
      strategy: 'reinsert',
      retry: ['UNABLE_TO_LOCK_ROW', 'retry-now', 'data-fix'],
    });
    expect(action!.action).toBe('skip');
  });
});

describe('--retry', () => {
  it('takes the codes and policies that wait for a person, and refuses the rest with why', () => {
    for (const token of ['data-fix', 'config-fix', 'unknown', 'STRING_TOO_LONG', 'UNKNOWN'])
      expect(retryProblem(token)).toBeNull();
    expect(retryProblem('terminal')).toMatch(/^terminal failures are never re-sent/);
    expect(retryProblem('ENTITY_IS_DELETED')).toMatch(/^ENTITY_IS_DELETED is terminal/);
    expect(retryProblem('retry-now')).toMatch(/re-sent without asking/);
    expect(retryProblem('UNABLE_TO_LOCK_ROW')).toBe(
      'UNABLE_TO_LOCK_ROW (retry-now) is re-sent without asking; --retry is not needed',
    );
    expect(retryProblem('QUERY_TIMEOUT')).toMatch(/may have reached Salesforce/);
    expect(retryProblem('NO_SUCH_CODE')).toBe(
      'NO_SUCH_CODE is neither an error code sfsync knows nor a policy',
    );
  });

  it('follows the config: a code made data-fix may be asked for, one made terminal not', () => {
    const policies: PolicyOverrides = new Map([
      ['UNABLE_TO_LOCK_ROW', 'data-fix'],
      ['STRING_TOO_LONG', 'terminal'],
    ]);
    expect(retryProblem('UNABLE_TO_LOCK_ROW', policies)).toBeNull();
    expect(retryProblem('STRING_TOO_LONG', policies)).toMatch(/is terminal/);
  });
});

describe('a row repair gave up on', () => {
  const withAttempts = (attempts: number, maxAttempts = 3): ClassifyContext => ({
    ...context(),
    attempts: new Map([['k', attempts]]),
    maxAttempts,
  });

  it('is gave_up once its re-sends reach the maximum, and skipped by the plan', () => {
    expect(classifyKey(withAttempts(2), source, [failedRow('UNABLE_TO_LOCK_ROW')]).class).toBe(
      'failed',
    );
    const result = classifyKey(withAttempts(3), source, [failedRow('UNABLE_TO_LOCK_ROW')]);
    expect(result.mismatch).toMatchObject({
      class: 'gave_up',
      code: 'UNABLE_TO_LOCK_ROW',
      repairable: false,
      reason:
        'repair gave up after 3 attempts; FAILED: unable to obtain exclusive access to this record',
    });
    const [action] = planRepair([entityAudit([result.mismatch!], { name: 'school' })], {
      strategy: 'reinsert',
      retry: ['retry-now', 'UNABLE_TO_LOCK_ROW'],
    });
    expect(action).toMatchObject({ action: 'skip' });
    expect(action!.reason).toMatch(
      /re-sent once the source row changes, or after repair --reset-attempts$/,
    );
  });

  it('is failed again, and re-sent, once its source row changed', () => {
    const changed = classifyKey(withAttempts(9), source, [
      failedRow('UNABLE_TO_LOCK_ROW', { name: 'Old', country__c: 'FR' }),
    ]);
    expect(changed.mismatch).toMatchObject({ class: 'failed', repairable: true });
  });

  it('has no such class without a maximum, or for a row with an sfid', () => {
    const ctx = { ...context(), attempts: new Map([['k', 50]]) };
    expect(classifyKey(ctx, source, [failedRow('UNABLE_TO_LOCK_ROW')]).class).toBe('failed');
    const synced = { ...failedRow('UNABLE_TO_LOCK_ROW'), sfid: 'a0Q000000000001AAA' };
    expect(classifyKey(withAttempts(9), source, [synced]).class).toBe('failed');
  });
});
