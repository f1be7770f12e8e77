import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '../core/ports/clock.js';

/** Random UUID v4 ids. */
export const randomIdGenerator: IdGenerator = { next: () => randomUUID() };
