import type { Locale } from '../locale.js';

/** Scores how negative or positive a message is, in [-1, 1]; used to escalate strongly negative turns. */
export interface SentimentScorer {
  score(text: string, locale: Locale): number;
}
