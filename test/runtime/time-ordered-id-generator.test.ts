import { describe, expect, it } from 'vitest';
import { timeOrderedIdGenerator, timeOrderedUuid } from '../../src/runtime/time-ordered-id-generator.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function millisecondsOf(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

describe('timeOrderedUuid', () => {
  it('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const before = Date.now();
    const id = timeOrderedIdGenerator.next();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisecondsOf(id)).toBeLessThanOrEqual(after);
    expect(millisecondsOf(timeOrderedUuid(Date.UTC(2026, 10, 28)))).toBe(Date.UTC(2026, 10, 28));
    // The time part is remembered per millisecond; going back to an earlier one still gives its own time.
    expect([5, 6, 6, 5, 0xffffffffffff].map((ms) => millisecondsOf(timeOrderedUuid(ms)))).toEqual([5, 6, 6, 5, 0xffffffffffff]);
  });

  it('sorts ids of later milliseconds after earlier ones', () => {
    const start = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 1000 }, (_, i) => timeOrderedUuid(start + i * 7));
    expect([...ids].sort()).toEqual(ids);
  });

  it('does not repeat itself within one millisecond', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => timeOrderedUuid(0)));
    expect(ids.size).toBe(100_000);
    for (const id of [...ids].slice(0, 100)) expect(id).toMatch(UUID_V7);
  });
});
