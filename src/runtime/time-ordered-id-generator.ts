import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '../core/ports/clock.js';

/**
 * Returns a UUID version 7 (RFC 9562): the Unix time in milliseconds in the first 48 bits, then 74
 * random bits (taken from Node's pooled `randomUUID`, which is far cheaper than a fresh
 * `getRandomValues` call per id). Ids made in a later millisecond sort later.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  // random is xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: keep its variant and random bits, replace the time and version.
  return timePrefix(now) + randomUUID().slice(15);
}

/** The last millisecond's prefix: a busy server makes several ids per millisecond, and each prefix took four strings to build. */
let lastPrefixTime = -1;
let lastPrefix = '';

/** `tttttttt-tttt-7`: the 48-bit millisecond time in hex, split as a UUID's first two groups, then the version. */
function timePrefix(now: number): string {
  if (now !== lastPrefixTime) {
    const time = now.toString(16).padStart(12, '0');
    lastPrefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    lastPrefixTime = now;
  }
  return lastPrefix;
}

/**
 * UUID v7 ids, so rows made later land at the right-hand end of every index on an id instead of on a
 * random page: a commit then dirties (and writes to the WAL) far fewer pages.
 */
export const timeOrderedIdGenerator: IdGenerator = { next: () => timeOrderedUuid() };
