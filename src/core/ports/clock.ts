/** The time and fresh ids, passed in so tests can control them. */
export interface Clock {
  now(): Date;
}

/** Makes unique ids. */
export interface IdGenerator {
  next(): string;
}
