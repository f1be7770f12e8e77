import { z } from 'zod';
import type { SparseVector } from './sparse-vector.js';
import type { UtteranceTokens } from './tokenize-utterance.js';

/** How utterances become features: word n-grams, character n-grams inside Latin words, Han character n-grams. */
export const featureOptionsSchema = z.object({
  /** Longest word n-gram over stems (1 = unigrams only). */
  wordNgramMax: z.number().int().min(1).max(3).default(2),
  /** Shortest and longest character n-gram inside a space-padded Latin word. */
  charNgramMin: z.number().int().min(1).max(6).default(2),
  charNgramMax: z.number().int().min(1).max(8).default(5),
  /** Longest Han character n-gram (1 = single characters). */
  hanNgramMax: z.number().int().min(1).max(4).default(3),
  /** Features seen in fewer training utterances than this are dropped. */
  minDocumentFrequency: z.number().int().min(1).default(1),
  /** Relative weight of each feature group after each group is L2-normalised on its own. */
  wordWeight: z.number().positive().default(1),
  charWeight: z.number().positive().default(1),
  hanWeight: z.number().positive().default(1),
});

/** Settings of the feature extraction. */
export type FeatureOptions = z.infer<typeof featureOptionsSchema>;

const GROUP_WORD = 0;
const GROUP_CHAR = 1;
const GROUP_HAN = 2;

/** The feature keys of one utterance, grouped; a key repeats once per occurrence. */
export interface FeatureKeys {
  word: string[];
  char: string[];
  han: string[];
}

/** Lists the n-gram feature keys of tokenised text (the vocabulary-free half of vectorisation). */
export function extractFeatureKeys(tokens: UtteranceTokens, options: FeatureOptions): FeatureKeys {
  const word: string[] = [];
  const stems = tokens.stems;
  for (const stem of stems) word.push(wordUnigramKey(stem));
  for (let n = 2; n <= options.wordNgramMax; n += 1) pushWordNgramKeys(stems, n, word);
  const char: string[] = [];
  for (const rawWord of tokens.words) pushCharNgramKeys(rawWord, options, char);
  const han: string[] = [];
  for (const run of tokens.hanRuns) pushHanNgramKeys(run, options, han);
  return { word, char, han };
}

/** The feature key of a single stem. */
export function wordUnigramKey(stem: string): string {
  return `w ${stem}`;
}

/** The padding before the first stem and after the last one in word n-grams. */
export const SENTENCE_START = '<s>';
export const SENTENCE_END = '</s>';

/** The feature key of a word bigram (two stems, or a stem and a sentence boundary). */
export function wordBigramKey(first: string, second: string): string {
  return `w2 ${first} ${second}`;
}

/**
 * Appends the keys of the word n-grams of length `n` (2 or more) over stems padded with sentence
 * boundaries, so "what ..." at the start is a feature of its own; none for an empty utterance.
 */
export function pushWordNgramKeys(stems: readonly string[], n: number, out: string[]): void {
  if (stems.length === 0) return;
  const paddedLength = stems.length + 2;
  const stemAt = (i: number): string => (i === 0 ? SENTENCE_START : i === paddedLength - 1 ? SENTENCE_END : stems[i - 1]!);
  for (let i = 0; i + n <= paddedLength; i += 1) {
    let key = `w${n} ${stemAt(i)}`;
    for (let j = 1; j < n; j += 1) key += ` ${stemAt(i + j)}`;
    out.push(key);
  }
}

/** Appends the keys of the character n-grams inside one space-padded word (they depend on the word alone). */
export function pushCharNgramKeys(rawWord: string, options: FeatureOptions, out: string[]): void {
  const padded = ` ${rawWord} `;
  for (let n = options.charNgramMin; n <= options.charNgramMax; n += 1) {
    if (n > padded.length) break;
    for (let i = 0; i + n <= padded.length; i += 1) out.push(`c${padded.slice(i, i + n)}`);
  }
}

/** Appends the keys of the Han character n-grams of one run (boundary-padded above length 1). */
export function pushHanNgramKeys(run: string, options: FeatureOptions, out: string[]): void {
  const chars = Array.from(run);
  for (let n = 1; n <= options.hanNgramMax; n += 1) {
    const padded = n === 1 ? chars : ['^', ...chars, '$'];
    for (let i = 0; i + n <= padded.length; i += 1) out.push(`h${padded.slice(i, i + n).join('')}`);
  }
}

/** The serialisable state of a fitted vectorizer. */
export interface TfidfVectorizerState {
  options: FeatureOptions;
  features: string[];
  groups: number[];
  idf: number[];
}

/** TF-IDF over grouped n-gram features with sublinear term frequency and per-group L2 normalisation. */
export class TfidfVectorizer {
  readonly options: FeatureOptions;
  private readonly index: Map<string, number>;
  private readonly groups: Uint8Array;
  private readonly idf: Float32Array;

  private constructor(options: FeatureOptions, features: string[], groups: Uint8Array, idf: Float32Array) {
    this.options = options;
    this.index = new Map(features.map((feature, i) => [feature, i]));
    this.groups = groups;
    this.idf = idf;
  }

  /** Number of features in the vocabulary. */
  get size(): number {
    return this.idf.length;
  }

  /** Learns the vocabulary and inverse document frequencies from training utterances. */
  static fit(documents: readonly FeatureKeys[], options: FeatureOptions): TfidfVectorizer {
    const documentFrequency = new Map<string, number>();
    const groupOf = new Map<string, number>();
    for (const document of documents) {
      const seen = new Set<string>();
      const add = (key: string, group: number): void => {
        if (seen.has(key)) return;
        seen.add(key);
        documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
        groupOf.set(key, group);
      };
      for (const key of document.word) add(key, GROUP_WORD);
      for (const key of document.char) add(key, GROUP_CHAR);
      for (const key of document.han) add(key, GROUP_HAN);
    }
    // Sorted keys make the feature order, and so the trained model, independent of insertion order.
    const features = [...documentFrequency.entries()]
      .filter(([, df]) => df >= options.minDocumentFrequency)
      .map(([key]) => key)
      .sort();
    const total = documents.length;
    const groups = new Uint8Array(features.length);
    const idf = new Float32Array(features.length);
    features.forEach((feature, i) => {
      groups[i] = groupOf.get(feature) ?? GROUP_WORD;
      idf[i] = Math.log((1 + total) / (1 + (documentFrequency.get(feature) ?? 0))) + 1;
    });
    return new TfidfVectorizer(options, features, groups, idf);
  }

  /** Restores a vectorizer from its serialised state. */
  static fromState(state: TfidfVectorizerState): TfidfVectorizer {
    return new TfidfVectorizer(state.options, state.features, Uint8Array.from(state.groups), Float32Array.from(state.idf));
  }

  /** Returns the serialisable state (vocabulary in index order, groups, idf). */
  toState(): TfidfVectorizerState {
    const features = new Array<string>(this.index.size);
    for (const [feature, i] of this.index) features[i] = feature;
    return { options: this.options, features, groups: Array.from(this.groups), idf: Array.from(this.idf) };
  }

  /** The index of a feature key in the vocabulary, or -1 for an unknown key. */
  indexOf(key: string): number {
    return this.index.get(key) ?? -1;
  }

  /** Turns an utterance's feature keys into a normalised sparse TF-IDF vector (unknown keys are ignored). */
  transform(keys: FeatureKeys): SparseVector {
    const found = new Int32Array(keys.word.length + keys.char.length + keys.han.length);
    let count = 0;
    for (const list of [keys.word, keys.char, keys.han]) {
      for (const key of list) {
        const i = this.index.get(key);
        if (i !== undefined) found[count++] = i;
      }
    }
    return this.transformIndices(found, count);
  }

  /**
   * Turns the vocabulary indices of an utterance's known feature keys (the first `count` of `found`,
   * one per occurrence, in any order) into the vector `transform` gives for those keys; sorts them in place.
   */
  transformIndices(found: Int32Array, count: number): SparseVector {
    const sorted = found.subarray(0, count).sort();
    let unique = 0;
    for (let k = 0; k < count; k += 1) if (k === 0 || sorted[k] !== sorted[k - 1]) unique += 1;
    const indices = new Int32Array(unique);
    const values = new Float32Array(unique);
    // Sums of squares per group (word, char, han), in index order.
    let wordSquared = 0;
    let charSquared = 0;
    let hanSquared = 0;
    let out = -1;
    let run = 0;
    for (let k = 0; k <= count; k += 1) {
      if (k < count && k > 0 && sorted[k] === sorted[k - 1]) {
        run += 1;
        continue;
      }
      if (out >= 0) {
        const feature = indices[out]!;
        // Most features occur once; 1 + log(1) is exactly 1, so the logarithm is left out for them.
        const value = (run === 1 ? 1 : 1 + Math.log(run)) * this.idf[feature]!;
        values[out] = value;
        const group = this.groups[feature]!;
        if (group === GROUP_WORD) wordSquared += value * value;
        else if (group === GROUP_CHAR) charSquared += value * value;
        else hanSquared += value * value;
      }
      if (k < count) {
        out += 1;
        indices[out] = sorted[k]!;
        run = 1;
      }
    }
    const wordScale = groupScale(wordSquared, this.options.wordWeight);
    const charScale = groupScale(charSquared, this.options.charWeight);
    const hanScale = groupScale(hanSquared, this.options.hanWeight);
    let total = 0;
    for (let k = 0; k < unique; k += 1) {
      const group = this.groups[indices[k]!]!;
      const value = values[k]! * (group === GROUP_WORD ? wordScale : group === GROUP_CHAR ? charScale : hanScale);
      values[k] = value;
      total += value * value;
    }
    if (total > 0) {
      const unit = 1 / Math.sqrt(total);
      for (let k = 0; k < unique; k += 1) values[k]! *= unit;
    }
    return { indices, values };
  }
}

/** What a group's values are multiplied by: its weight over its L2 norm (0 for an empty group). */
function groupScale(squared: number, weight: number): number {
  return squared > 0 ? weight / Math.sqrt(squared) : 0;
}
