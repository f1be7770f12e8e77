import type { SoftmaxModel } from './softmax-model.js';
import type { SparseVector } from './sparse-vector.js';
import { extractFeatureKeys } from './tfidf-vectorizer.js';
import type { TfidfVectorizer } from './tfidf-vectorizer.js';
import type { UtteranceTokenizer, UtteranceTokens } from './tokenize-utterance.js';
import type { WordEmbeddings } from './word-embeddings.js';
import type { MlpModel } from './mlp-model.js';

/** The trained parts of a classifier and how an utterance becomes their input features. */
export interface ClassifierCore {
  labels: string[];
  tokenizer: UtteranceTokenizer;
  vectorizer: TfidfVectorizer;
  model: SoftmaxModel;
  /** Naive Bayes as a linear model, until it is blended into `model`. */
  naiveBayes: SoftmaxModel | null;
  /** The dense embedding block (its features follow the vectorizer's), or null without one. */
  embeddings: DenseEmbeddingBlock | null;
  /** The network over the same features, or null without one. */
  network: MlpModel | null;
  /** What the network's scores are multiplied by before they are added (its weight over its temperature once blended). */
  networkFactor: number;
}

/** Word vectors and the length of the block they add to each vector. */
export interface DenseEmbeddingBlock {
  table: WordEmbeddings;
  scale: number;
}

/** Appends the scaled mean word vector after the sparse features (indices from `offset`), unless the line is Chinese or has no known word. */
export function appendEmbeddingBlock(
  vector: SparseVector,
  tokens: UtteranceTokens,
  block: DenseEmbeddingBlock,
  offset: number,
): SparseVector {
  if (tokens.hanRuns.length > 0) return vector;
  const { table, scale } = block;
  const mean = new Float64Array(table.dimensions);
  if (table.meanVector(tokens.words, mean) === 0) return vector;
  const count = vector.indices.length;
  const indices = new Int32Array(count + table.dimensions);
  const values = new Float32Array(count + table.dimensions);
  indices.set(vector.indices);
  values.set(vector.values);
  for (let d = 0; d < table.dimensions; d += 1) {
    indices[count + d] = offset + d;
    values[count + d] = scale * mean[d]!;
  }
  return { indices, values };
}

/** The TF-IDF vector of an utterance with the embedding block appended (as in training). */
export function featuresOf(core: Pick<ClassifierCore, 'tokenizer' | 'vectorizer' | 'embeddings'>, text: string): SparseVector {
  const tokenized = core.tokenizer.tokenize(text);
  const vector = core.vectorizer.transform(extractFeatureKeys(tokenized, core.vectorizer.options));
  return core.embeddings === null ? vector : appendEmbeddingBlock(vector, tokenized, core.embeddings, core.vectorizer.size);
}

/** Leaves out the dense block (whose indices come after every sparse one), for naive Bayes. */
export function sparsePart(vector: SparseVector, sparseSize: number): SparseVector {
  let count = vector.indices.length;
  while (count > 0 && vector.indices[count - 1]! >= sparseSize) count -= 1;
  return count === vector.indices.length ? vector : { indices: vector.indices.subarray(0, count), values: vector.values.subarray(0, count) };
}
