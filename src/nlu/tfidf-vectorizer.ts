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
  for (let n = 1; n <= options.wordNgramMax; n += 1) {
    if (n === 1) {
      for (const stem of stems) word.push(`w ${stem}`);
      continue;
    }
    // Sentence boundaries make "what ..." at the start a feature of its own.
    const padded = ['<s>', ...stems, '</s>'];
    for (let i = 0; i + n <= padded.length; i += 1) {
      if (stems.length === 0) break;
      word.push(`w${n} ${padded.slice(i, i + n).join(' ')}`);
    }
  }
  const char: string[] = [];
  for (const rawWord of tokens.words) {
    const padded = ` ${rawWord} `;
    for (let n = options.charNgramMin; n <= options.charNgramMax; n += 1) {
      if (n > padded.length) break;
      for (let i = 0; i + n <= padded.length; i += 1) char.push(`c${padded.slice(i, i + n)}`);
    }
  }
  const han: string[] = [];
  for (const run of tokens.hanRuns) {
    const chars = Array.from(run);
    for (let n = 1; n <= options.hanNgramMax; n += 1) {
      const padded = n === 1 ? chars : ['^', ...chars, '$'];
      for (let i = 0; i + n <= padded.length; i += 1) han.push(`h${padded.slice(i, i + n).join('')}`);
    }
  }
  return { word, char, han };
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

  /** Turns an utterance's feature keys into a normalised sparse TF-IDF vector (unknown keys are ignored). */
  transform(keys: FeatureKeys): SparseVector {
    // Plain arrays and a numeric sort keep this allocation-light: it runs on every customer message.
    const found: number[] = [];
    for (const list of [keys.word, keys.char, keys.han]) {
      for (const key of list) {
        const i = this.index.get(key);
        if (i !== undefined) found.push(i);
      }
    }
    const sorted = Int32Array.from(found).sort();
    let unique = 0;
    for (let k = 0; k < sorted.length; k += 1) if (k === 0 || sorted[k] !== sorted[k - 1]) unique += 1;
    const indices = new Int32Array(unique);
    const values = new Float32Array(unique);
    const squaredNorms = new Float64Array(3);
    let out = -1;
    let run = 0;
    for (let k = 0; k <= sorted.length; k += 1) {
      if (k < sorted.length && k > 0 && sorted[k] === sorted[k - 1]) {
        run += 1;
        continue;
      }
      if (out >= 0) {
        const feature = indices[out]!;
        const value = (1 + Math.log(run)) * this.idf[feature]!;
        values[out] = value;
        squaredNorms[this.groups[feature]!]! += value * value;
      }
      if (k < sorted.length) {
        out += 1;
        indices[out] = sorted[k]!;
        run = 1;
      }
    }
    const weights = [this.options.wordWeight, this.options.charWeight, this.options.hanWeight];
    const scales = [0, 1, 2].map((group) => {
      const squared = squaredNorms[group]!;
      return squared > 0 ? weights[group]! / Math.sqrt(squared) : 0;
    });
    let total = 0;
    for (let k = 0; k < unique; k += 1) {
      const value = values[k]! * scales[this.groups[indices[k]!]!]!;
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
