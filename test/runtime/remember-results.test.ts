import { describe, expect, it } from 'vitest';
import { rememberResults } from '../../src/runtime/remember-results.js';

describe('rememberResults', () => {
  it('computes each key once, then answers from memory', () => {
    const calls: string[] = [];
    const upper = rememberResults((key: string) => {
      calls.push(key);
      return key.toUpperCase();
    }, 10);
    expect([upper('a'), upper('b'), upper('a'), upper('a')]).toEqual(['A', 'B', 'A', 'A']);
    expect(calls).toEqual(['a', 'b']);
  });

  it('remembers false answers too, and starts over once it holds maxEntries', () => {
    const calls: number[] = [];
    const isEven = rememberResults((key: number) => {
      calls.push(key);
      return key % 2 === 0;
    }, 2);
    expect([isEven(1), isEven(1), isEven(2)]).toEqual([false, false, true]);
    expect(calls).toEqual([1, 2]);
    // At two entries the next new key empties the memory: 1 and 2 are computed again later.
    expect([isEven(3), isEven(3), isEven(1), isEven(2)]).toEqual([false, false, false, true]);
    expect(calls).toEqual([1, 2, 3, 1, 2]);
  });
});
