import type { ClassifierCore, DenseEmbeddingBlock } from './classifier-core.js';
import type { UtteranceTokens } from './tokenize-utterance.js';
import { UtteranceFeaturizer } from './utterance-featurizer.js';

/** Writes the raw class scores of an utterance into `out` (one per label) and returns it. */
export type Scorer = (text: string, out: Float64Array) => Float64Array;

/**
 * An utterance's words found in the embedding table (rows in word order, the first `count` of
 * `rows`) and what the sum of their projected rows is multiplied by to give the dense block's part.
 */
interface EmbeddedWords {
  rows: Int32Array;
  count: number;
  factor: number;
}

/**
 * Creates the step that finds an utterance's known words and the factor of the dense block (its
 * scale over the norm of their summed vectors), once for both models; it reuses its buffers, so
 * each result is valid until the next call. Chinese lines, and lines without a known word, get none.
 */
function createEmbeddedWordFinder(block: DenseEmbeddingBlock): (tokens: UtteranceTokens) => EmbeddedWords {
  const { table, scale } = block;
  const summed = new Float64Array(table.dimensions);
  const found: EmbeddedWords = { rows: new Int32Array(64), count: 0, factor: 0 };
  return function findEmbeddedWords(tokens) {
    found.count = 0;
    if (tokens.hanRuns.length > 0) return found;
    summed.fill(0);
    for (const word of tokens.words) {
      const row = table.rowOf(word);
      if (row < 0) continue;
      if (found.count === found.rows.length) {
        const grown = new Int32Array(found.rows.length * 2);
        grown.set(found.rows);
        found.rows = grown;
      }
      found.rows[found.count++] = row;
      table.addRow(row, summed);
    }
    let squared = 0;
    for (let d = 0; d < table.dimensions; d += 1) squared += summed[d]! * summed[d]!;
    if (squared === 0) found.count = 0;
    else found.factor = scale / Math.sqrt(squared);
    return found;
  };
}

/** Adds the dense block's contribution for an utterance's embedded words to a layer's outputs. */
type DenseProjection = (words: EmbeddedWords, out: Float64Array) => void;

/**
 * Projects each word's vector through the dense block's rows of a feature-major weight matrix once,
 * up front (words × `width` floats), so an utterance adds its known words' rows and multiplies them
 * by the block's factor — the same result as the appended block at a fraction of its cost.
 */
function createDenseProjection(block: DenseEmbeddingBlock, weights: Float32Array, firstFeature: number, width: number): DenseProjection {
  const projected = block.table.projectRows(weights, firstFeature, width);
  const added = new Float64Array(width);
  return function addDenseProjection(words, out) {
    if (words.count === 0) return;
    added.fill(0);
    for (let w = 0; w < words.count; w += 1) {
      const start = words.rows[w]! * width;
      for (let i = 0; i < width; i += 1) added[i]! += projected[start + i]!;
    }
    const factor = words.factor;
    for (let i = 0; i < width; i += 1) out[i]! += factor * added[i]!;
  };
}

/**
 * Scores utterances with a trained core: the linear model, plus the network's scores times its
 * factor when there is one. The dense embedding block goes through `createDenseProjection` for both.
 * The scorer reuses its buffers between calls (it runs on every customer message), so it is not
 * for concurrent use; what it returns is `out`.
 */
export function createClassifierScorer(core: ClassifierCore): Scorer {
  const { tokenizer, vectorizer, model, embeddings, network, networkFactor } = core;
  const featurizer = new UtteranceFeaturizer(vectorizer);
  const findEmbeddedWords = embeddings === null ? null : createEmbeddedWordFinder(embeddings);
  const linearDense = embeddings === null ? null : createDenseProjection(embeddings, model.toState().weights, vectorizer.size, model.classCount);
  const networkDense =
    embeddings === null || network === null
      ? null
      : createDenseProjection(embeddings, network.toState().inputWeights, vectorizer.size, network.hiddenUnits);
  const preActivation = new Float64Array(network?.hiddenUnits ?? 0);
  const networkScores = new Float64Array(network?.classCount ?? 0);
  return function scoreUtterance(text, out) {
    const tokens = tokenizer.tokenize(text);
    const sparse = featurizer.vectorOf(tokens);
    const embedded = findEmbeddedWords?.(tokens) ?? null;
    model.logitsInto(sparse, out);
    if (embedded !== null) linearDense?.(embedded, out);
    if (network === null) return out;
    network.preActivation(sparse, preActivation);
    if (embedded !== null) networkDense?.(embedded, preActivation);
    network.logitsOfPreActivation(preActivation, networkScores);
    for (let c = 0; c < out.length; c += 1) out[c]! += networkFactor * networkScores[c]!;
    return out;
  };
}
