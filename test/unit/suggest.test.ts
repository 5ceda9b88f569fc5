import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearest } from '../../src/core/suggest.js';

describe('editDistance', () => {
  it.each([
    ['school', 'school', 0],
    ['schol', 'school', 1],
    ['shcool', 'school', 1],
    ['externalID', 'externalId', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('nearest', () => {
  const keys = ['table', 'externalId'];
  it('finds a misspelt key, ignoring case', () => {
    expect(nearest('externalid', keys)).toBe('externalId');
    expect(nearest('extrnalId', keys)).toBe('externalId');
    expect(nearest('tabel', keys)).toBe('table');
  });
  it('suggests nothing for an unrelated word', () => {
    expect(nearest('colour', keys)).toBeUndefined();
    expect(didYouMean('colour', keys)).toBe('');
  });
  it('phrases the suggestion', () => {
    expect(didYouMean('tabel', keys)).toBe(' — did you mean "table"?');
  });
});

describe('short names', () => {
  it('allow only one typo, so "id" does not suggest "uuid"', () => {
    expect(nearest('id', ['uuid'])).toBeUndefined();
    expect(nearest('di', ['id'])).toBe('id');
  });
});
