import type { Locale } from '../core/locale.js';
import type { Classification, IntentClassifier } from '../core/ports/intent-classifier.js';
import type { SentimentScorer } from '../core/ports/sentiment-scorer.js';

/** Entries each memo keeps by default; at a few hundred bytes each this stays under a couple of MB. */
export const DEFAULT_MEMO_ENTRIES = 4096;

/** Texts longer than this are scored every time: long messages rarely repeat, and they would bloat the memo. */
const MAX_MEMO_TEXT_LENGTH = 256;

/**
 * A bounded least-recently-used map (a Map keeps insertion order; a hit is moved to the end, and the
 * first entry is the one evicted).
 */
class LruMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function memoKey(text: string, locale: Locale): string | null {
  // The text is used exactly as given (already redacted and trimmed by the turn): the classifier's own
  // normalisation decides what is the same utterance, so the memo can never answer differently from it.
  return text.length > MAX_MEMO_TEXT_LENGTH ? null : `${locale}\u0000${text}`;
}

function freezeClassification(classification: Classification): Classification {
  for (const runnerUp of classification.runnersUp) Object.freeze(runnerUp);
  Object.freeze(classification.runnersUp);
  return Object.freeze(classification);
}

/**
 * Remembers the classifier's answers per (text, locale) in a bounded LRU memo. The classifier is pure,
 * and quick replies and common questions repeat, so a repeated text costs a map lookup instead of a
 * tf-idf transform and a softmax. Remembered classifications are frozen, since every caller shares them.
 */
export function memoizeIntentClassifier(classifier: IntentClassifier, options: { maxEntries?: number } = {}): IntentClassifier & { memoSize(): number } {
  const memo = new LruMemo<Classification>(options.maxEntries ?? DEFAULT_MEMO_ENTRIES);
  return {
    classify: function classifyRemembered(text: string, locale: Locale): Classification {
      const key = memoKey(text, locale);
      if (key === null) return classifier.classify(text, locale);
      const known = memo.get(key);
      if (known !== undefined) return known;
      const classification = freezeClassification(classifier.classify(text, locale));
      memo.set(key, classification);
      return classification;
    },
    memoSize: () => memo.size,
  };
}

/** Remembers sentiment scores per (text, locale) in a bounded LRU memo; the scorer is pure. */
export function memoizeSentimentScorer(scorer: SentimentScorer, options: { maxEntries?: number } = {}): SentimentScorer & { memoSize(): number } {
  const memo = new LruMemo<number>(options.maxEntries ?? DEFAULT_MEMO_ENTRIES);
  return {
    score: function scoreRemembered(text: string, locale: Locale): number {
      const key = memoKey(text, locale);
      if (key === null) return scorer.score(text, locale);
      const known = memo.get(key);
      if (known !== undefined) return known;
      const score = scorer.score(text, locale);
      memo.set(key, score);
      return score;
    },
    memoSize: () => memo.size,
  };
}
