import type { SparseVector } from './sparse-vector.js';
import {
  SENTENCE_END,
  SENTENCE_START,
  pushCharNgramKeys,
  pushHanNgramKeys,
  pushWordNgramKeys,
  wordBigramKey,
  wordUnigramKey,
} from './tfidf-vectorizer.js';
import type { TfidfVectorizer } from './tfidf-vectorizer.js';
import type { UtteranceTokens } from './tokenize-utterance.js';

/** Words (and stems) whose feature indices are remembered; at about 100 bytes each this stays under 10 MB. */
const MAX_CACHED_WORDS = 50_000;

const NO_INDICES = new Int32Array(0);

/**
 * Turns tokenised utterances into the TF-IDF vectors `vectorizer.transform(extractFeatureKeys(...))`
 * gives, for classifying one utterance after another. Most keys are character n-grams, which depend
 * on a single word, so each word's known n-gram indices (and each stem's unigram index, and each
 * pair's bigram index) are looked up once and remembered: a repeated word costs one map lookup
 * instead of building and hashing a few dozen strings. Each cache stops growing at 50,000 entries.
 * Not for concurrent use (it reuses one scratch buffer).
 */
export class UtteranceFeaturizer {
  private readonly vectorizer: TfidfVectorizer;
  private readonly charIndicesByWord = new Map<string, Int32Array>();
  private readonly unigramIndexByStem = new Map<string, number>();
  private readonly bigramIndexByStems = new Map<string, Map<string, number>>();
  private cachedBigrams = 0;
  private found = new Int32Array(256);
  private readonly keys: string[] = [];

  constructor(vectorizer: TfidfVectorizer) {
    this.vectorizer = vectorizer;
  }

  /** The normalised TF-IDF vector of a tokenised utterance (unknown keys are ignored). */
  vectorOf(tokens: UtteranceTokens): SparseVector {
    const { options } = this.vectorizer;
    let count = 0;
    for (const stem of tokens.stems) {
      const index = this.unigramIndexOf(stem);
      if (index >= 0) count = this.append(index, count);
    }
    if (options.wordNgramMax >= 2 && tokens.stems.length > 0) {
      const stems = tokens.stems;
      for (let i = 0; i <= stems.length; i += 1) {
        const index = this.bigramIndexOf(i === 0 ? SENTENCE_START : stems[i - 1]!, i === stems.length ? SENTENCE_END : stems[i]!);
        if (index >= 0) count = this.append(index, count);
      }
    }
    const keys = this.keys;
    keys.length = 0;
    for (let n = 3; n <= options.wordNgramMax; n += 1) pushWordNgramKeys(tokens.stems, n, keys);
    for (const run of tokens.hanRuns) pushHanNgramKeys(run, options, keys);
    for (const key of keys) {
      const index = this.vectorizer.indexOf(key);
      if (index >= 0) count = this.append(index, count);
    }
    for (const word of tokens.words) {
      const indices = this.charIndicesOf(word);
      for (let k = 0; k < indices.length; k += 1) count = this.append(indices[k]!, count);
    }
    return this.vectorizer.transformIndices(this.found, count);
  }

  /** Writes an index at `count` (growing the buffer when full) and returns the new count. */
  private append(index: number, count: number): number {
    if (count === this.found.length) {
      const grown = new Int32Array(this.found.length * 2);
      grown.set(this.found);
      this.found = grown;
    }
    this.found[count] = index;
    return count + 1;
  }

  private unigramIndexOf(stem: string): number {
    const cached = this.unigramIndexByStem.get(stem);
    if (cached !== undefined) return cached;
    const index = this.vectorizer.indexOf(wordUnigramKey(stem));
    if (this.unigramIndexByStem.size < MAX_CACHED_WORDS) this.unigramIndexByStem.set(stem, index);
    return index;
  }

  /** The index of the bigram of two stems (or sentence boundaries), remembered per pair. */
  private bigramIndexOf(first: string, second: string): number {
    let following = this.bigramIndexByStems.get(first);
    const cached = following?.get(second);
    if (cached !== undefined) return cached;
    const index = this.vectorizer.indexOf(wordBigramKey(first, second));
    if (this.cachedBigrams < MAX_CACHED_WORDS) {
      if (following === undefined) {
        following = new Map<string, number>();
        this.bigramIndexByStems.set(first, following);
      }
      following.set(second, index);
      this.cachedBigrams += 1;
    }
    return index;
  }

  /** The vocabulary indices of a word's known character n-grams, one per occurrence. */
  private charIndicesOf(word: string): Int32Array {
    const cached = this.charIndicesByWord.get(word);
    if (cached !== undefined) return cached;
    const keys: string[] = [];
    pushCharNgramKeys(word, this.vectorizer.options, keys);
    const known: number[] = [];
    for (const key of keys) {
      const index = this.vectorizer.indexOf(key);
      if (index >= 0) known.push(index);
    }
    const indices = known.length === 0 ? NO_INDICES : Int32Array.from(known);
    if (this.charIndicesByWord.size < MAX_CACHED_WORDS) this.charIndicesByWord.set(word, indices);
    return indices;
  }
}
