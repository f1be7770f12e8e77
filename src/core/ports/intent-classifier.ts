import type { Locale } from '../locale.js';

/** The intent id for anything Candor does not handle. */
export const OUT_OF_SCOPE = 'oos';

/** One scored intent. */
export interface ScoredIntent {
  intent: string;
  /** Calibrated probability-like confidence in [0, 1]. */
  confidence: number;
}

/** What the classifier made of one utterance. */
export interface Classification {
  /** The best intent, or `oos` when the best score is under the calibrated threshold. */
  intent: string;
  confidence: number;
  /** The next-best in-scope intents, best first (at most three). */
  runnersUp: ScoredIntent[];
}

/** Understands a customer's message; trained elsewhere, pure and synchronous here. */
export interface IntentClassifier {
  classify(text: string, locale: Locale): Classification;
}
