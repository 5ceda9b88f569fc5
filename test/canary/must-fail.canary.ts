import { expect, it } from 'vitest';

it('fails on purpose: .ci/run checks that this makes vitest exit non-zero', () => {
  expect(1 + 1).toBe(3);
});
