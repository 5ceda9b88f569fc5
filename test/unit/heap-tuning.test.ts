import { describe, expect, it } from 'vitest';
import { HEAP_FLAGS, tuneHeap } from '../../src/cli/heap-tuning.js';

describe('tuneHeap', () => {
  const setBy = (own: string) => {
    const set: string[] = [];
    tuneHeap(own, (flag) => set.push(flag));
    return set;
  };

  it('sets both flags when the user set neither', () => {
    expect(setBy('')).toEqual([...HEAP_FLAGS]);
    expect(setBy('--max-old-space-size=512')).toEqual([...HEAP_FLAGS]);
  });

  it('leaves a flag the user set, however its name is spelt', () => {
    expect(setBy('--heap-growing-percent=20')).toEqual(['--semi-space-growth-factor=1']);
    expect(setBy('--trace-gc --semi_space_growth_factor=4')).toEqual(['--heap-growing-percent=50']);
  });
});
