import { describe, expect, it } from 'vitest';
import { apiName, caseSuffix, keyPrefix, salesforceId } from '../../src/sim/salesforce-id.js';
import { seededRandom } from '../../src/sim/random.js';

describe('Salesforce ids', () => {
  it('computes the real case-safety suffix', () => {
    // Real ids, found in public code.
    for (const id of ['0019D00000A0XjIQAV', 'a0Q9D000005zjF0UAI', 'a009D000002ecHDQAY']) {
      expect(caseSuffix(id.slice(0, 15))).toBe(id.slice(15));
    }
  });

  it('makes 18-character ids with the object key prefix', () => {
    expect(salesforceId('003', 1)).toMatch(/^003000000000001[A-Z0-5]{3}$/);
    expect(salesforceId('003', 62)).toBe('003000000000010AAA');
    expect(salesforceId('a0Q', 61)).toBe(
      'a0Q00000000000zAAA'.slice(0, 15) + caseSuffix('a0Q00000000000z'),
    );
    expect(caseSuffix('a0Q00000000000z')).toBe('EAA');
    expect(new Set(Array.from({ length: 1000 }, (_, i) => salesforceId('a0Q', i))).size).toBe(1000);
  });

  it('uses real prefixes for standard objects and a0X for custom ones', () => {
    expect(keyPrefix('contact')).toBe('003');
    expect(keyPrefix('account')).toBe('001');
    expect(keyPrefix('editor__c')).toMatch(/^a0[A-Za-z]$/);
    expect(keyPrefix('editor__c')).toBe(keyPrefix('editor__c'));
  });

  it('spells API names as Salesforce does in messages', () => {
    expect(apiName('editor__c')).toBe('Editor__c');
    expect(apiName('editoruuid__c')).toBe('Editoruuid__c');
    expect(apiName('contact')).toBe('Contact');
    expect(apiName('pi_accounts_unique_id__c')).toBe('Pi_Accounts_Unique_Id__c');
  });
});

describe('seededRandom', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(7);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(c()).not.toBe(first[0]);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
