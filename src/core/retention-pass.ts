import type { Awaitable, RetentionPass, RetentionSteps } from './ports/retention-store.js';

/**
 * Asks for one step inside a retention pass and gives back its result: `const n = yield* step((s) =>
 * s.deleteMessagesBefore(before))`. A pass written with it runs unchanged on a synchronous store
 * (SQLite, inside one transaction) and an asynchronous one (Postgres).
 */
export function* step<T>(call: (steps: RetentionSteps) => Awaitable<T>): RetentionPass<T> {
  return (yield call) as T;
}

/** Runs a pass against steps that answer at once (SQLite's), so the whole pass fits in one synchronous transaction. */
export function runPassAtOnce<T>(pass: RetentionPass<T>, steps: RetentionSteps): T {
  let next = pass.next();
  while (next.done !== true) {
    const value = next.value(steps);
    if (value instanceof Promise) throw new TypeError('a retention step answered later, inside a synchronous pass');
    next = pass.next(value);
  }
  return next.value;
}

/** Runs a pass against steps that answer with promises (Postgres's), one step after another. */
export async function runPassAwaiting<T>(pass: RetentionPass<T>, steps: RetentionSteps): Promise<T> {
  let next = pass.next();
  while (next.done !== true) next = pass.next(await next.value(steps));
  return next.value;
}
