import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { WritableEntity } from '../../src/config/types.js';
import type { MirrorRow, Mismatch, SourceRow } from '../../src/core/audit/types.js';
import { classifyKey, type ClassifyContext } from '../../src/core/audit/classify.js';
import { retryProblem, type PolicyOverrides } from '../../src/core/connect/error-policy.js';
import { planRepair, type PlannedAction } from '../../src/core/repair/plan.js';
import { entityAudit, mismatch } from '../support/audit-fixtures.js';
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

describe('the reasons and strategy of a re-send, word for word', () => {
  const failed = (overrides: Partial<Mismatch>): Mismatch =>
    mismatch({
      class: 'failed',
      code: 'STRING_TOO_LONG',
      policy: 'data-fix',
      reason: 'FAILED: too long',
      mirror: { id: 7, sfid: null, lastop: 'FAILED', hcErr: 'too long' },
      ...overrides,
    });
  const plan = (m: Mismatch, strategy: 'reinsert' | 'recapture' = 'reinsert', retry?: string[]) =>
    planRepair([entityAudit([m], { name: 'school' })], { strategy, retry })[0]!;
  const twoChanged = [
    { column: 'name', source: 'New', mirror: 'Old' },
    { column: 'town__c', source: 'Ely', mirror: 'Eli' },
  ];

  it('names every column the source changed, and sends their new values', () => {
    const action = plan(failed({ repairable: true, fields: twoChanged }), 'recapture');
    expect(action).toMatchObject({ action: 'reinsert', changes: twoChanged });
    expect(action.reason).toBe(
      'STRING_TOO_LONG (data-fix), the source changed since the failure (name, town__c): ' +
        'delete the sfid-NULL FAILED row, insert it again',
    );
  });

  it('recaptures a transient failure as it is, changed source or not', () => {
    const lock = failed({
      code: 'UNABLE_TO_LOCK_ROW',
      policy: 'retry-now',
      repairable: true,
      fields: twoChanged,
    });
    expect(plan(lock, 'recapture')).toMatchObject({
      action: 'recapture',
      reason:
        'UNABLE_TO_LOCK_ROW (retry-now): queue the row again through hc_capture_insert_from_row',
    });
  });

  it('a repairable data-fix row with nothing changed carries no fix: recaptured as it is', () => {
    expect(plan(failed({ repairable: true }), 'recapture')).toMatchObject({
      action: 'recapture',
      reason: 'STRING_TOO_LONG (data-fix): queue the row again through hc_capture_insert_from_row',
    });
  });

  it('a row re-sent on request carries no fix, and names what asked for it', () => {
    expect(plan(failed({}), 'recapture', ['data-fix'])).toMatchObject({ action: 'recapture' });
    const config = failed({ code: 'INSUFFICIENT_ACCESS', policy: 'config-fix' });
    expect(plan(config, 'reinsert', ['ENTITY_IS_DELETED', 'config-fix']).reason).toBe(
      'INSUFFICIENT_ACCESS (config-fix), re-sent as asked (--retry config-fix): ' +
        'delete the sfid-NULL FAILED row, insert it again',
    );
  });

  it('names the one field an error names, and none when it names none', () => {
    const one = failed({
      error: { statusCode: null, message: 'too long', field: 'Town__c' },
      hint: 'shorten it',
    });
    expect(plan(one).reason).toBe(
      'FAILED: too long — STRING_TOO_LONG (data-fix) on Town__c: shorten it; ' +
        're-sent once the source row changes, or with --retry STRING_TOO_LONG',
    );
    expect(plan(failed({})).reason).toBe(
      'FAILED: too long — STRING_TOO_LONG (data-fix); ' +
        're-sent once the source row changes, or with --retry STRING_TOO_LONG',
    );
  });

  it('says how to re-send a write that may have reached Salesforce', () => {
    const timeout = failed({ code: 'QUERY_TIMEOUT', policy: 'retry-now', hint: 'check first' });
    expect(plan(timeout).reason).toBe(
      'FAILED: too long — QUERY_TIMEOUT (retry-now): the write may have reached Salesforce, ' +
        'so it is not re-sent (check Salesforce, then give QUERY_TIMEOUT a policy in the config ' +
        'to re-send it): check first',
    );
  });
});

describe('--retry refusals, word for word', () => {
  it('says what each refusal means and what to do instead', () => {
    expect(retryProblem('terminal')).toBe(
      'terminal failures are never re-sent; give the code another policy in the config ' +
        '(repair.policies) if this org differs',
    );
    expect(retryProblem('retry-after-parent')).toBe(
      'retry-after-parent failures are re-sent without asking; ' +
        '--retry is for data-fix, config-fix, unknown',
    );
    expect(retryProblem('ENTITY_IS_DELETED')).toBe(
      'ENTITY_IS_DELETED is terminal: never re-sent; give it another policy in the config ' +
        '(repair.policies) if this org differs',
    );
    expect(retryProblem('QUERY_TIMEOUT')).toBe(
      'QUERY_TIMEOUT may have reached Salesforce, so it is never re-sent blindly: ' +
        'check Salesforce, then give QUERY_TIMEOUT a policy in the config (repair.policies)',
    );
  });
});

describe('a FAILED row that has an sfid', () => {
  it('is skipped with its reason and hint, never re-sent', () => {
    const plan = (hint: string | null) =>
      planRepair(
        [
          entityAudit(
            [
              mismatch({
                class: 'failed',
                code: 'UNABLE_TO_LOCK_ROW',
                policy: 'retry-now',
                repairable: true,
                reason: 'FAILED: locked',
                hint,
                mirror: { id: 7, sfid: 'a0Q000000000001AAA', lastop: 'FAILED', hcErr: 'x' },
              }),
            ],
            { name: 'school' },
          ),
        ],
        { strategy: 'reinsert' },
      )[0]!;
    expect(plan('retry later')).toMatchObject({
      action: 'skip',
      reason: 'FAILED: locked — retry later',
    });
    expect(plan(null).reason).toBe('FAILED: locked');
  });
});
