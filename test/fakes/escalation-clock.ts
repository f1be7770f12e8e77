import type { Clock, IdGenerator } from '../../src/core/ports/clock.js';

/** A clock that follows real time plus an offset the test can push forward (timers keep working). */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** Sequential ids with a prefix, so test output is readable. */
export class SequentialIds implements IdGenerator {
  private n = 0;

  constructor(private readonly prefix = 'id') {}

  next(): string {
    this.n += 1;
    return `${this.prefix}${String(this.n).padStart(6, '0')}`;
  }
}
