import type { Clock } from '../core/ports/clock.js';

/** The real wall clock. */
export const systemClock: Clock = { now: () => new Date() };
