import { z } from 'zod';
import { OUT_OF_SCOPE } from '../core/ports/intent-classifier.js';
import type { Classification, IntentClassifier, ScoredIntent } from '../core/ports/intent-classifier.js';
import type { Locale } from '../core/locale.js';
import { LOCALES } from '../core/locale.js';
import { CandorError } from '../core/candor-error.js';
import { chooseOosThreshold, fitTemperature } from './calibrate-confidence.js';
import type { CalibrationPoint } from './calibrate-confidence.js';
import { createSeededRandom, shuffleInPlace } from './create-seeded-random.js';
import { SoftmaxModel, softmaxInPlace, softmaxTrainingOptionsSchema, trainSoftmaxModel } from './softmax-model.js';
import type { SoftmaxModelState } from './softmax-model.js';
import { blendLinearModels, fitNaiveBayesWeights } from './naive-bayes-weights.js';
import { TfidfVectorizer, extractFeatureKeys, featureOptionsSchema } from './tfidf-vectorizer.js';
import type { FeatureKeys, TfidfVectorizerState } from './tfidf-vectorizer.js';
import { createUtteranceTokenizer } from './tokenize-utterance.js';
import type { UtteranceTokenizer, UtteranceTokens } from './tokenize-utterance.js';
import type { TrainingExample } from './training-example.js';
import type { SparseVector } from './sparse-vector.js';
import { UtteranceFeaturizer } from './utterance-featurizer.js';
import { WordEmbeddings, wordEmbeddingsStateSchema } from './word-embeddings.js';
import { MlpModel, mlpTrainingOptionsSchema, trainMlpModel } from './mlp-model.js';

/** Settings of intent-classifier training and calibration. */
export const classifierOptionsSchema = z.object({
  features: featureOptionsSchema.default(featureOptionsSchema.parse({})),
  training: softmaxTrainingOptionsSchema.default(softmaxTrainingOptionsSchema.parse({})),
  /**
   * Weight of a multinomial naive Bayes model added to the linear model's scores (each divided by its
   * temperature fitted on the calibration lines) — the NB–SVM interpolation; 0 leaves naive Bayes out.
   */
  naiveBayesWeight: z.number().min(0).default(0.4),
  /** Additive smoothing of the naive Bayes feature probabilities. */
  naiveBayesAlpha: z.number().positive().default(0.01),
  /** Loss weight of each `oos` training line relative to an in-scope line. */
  oosExampleWeight: z.number().positive().default(1),
  /** In-scope accuracy (a fraction) the out-of-scope threshold may give up on the calibration set. */
  maxInScopeAccuracyLoss: z.number().min(0).max(1).default(0.006),
  /** Share of the training lines held out to calibrate when no calibration set is given. */
  holdOutShare: z.number().min(0.05).max(0.5).default(0.2),
  /** A locale gets its own threshold when the calibration set has this many lines of it, in scope and out. */
  minLinesPerLocaleThreshold: z.number().int().min(1).default(10),
  /**
   * Length of the dense block appended to each Latin-script utterance's TF-IDF vector: the
   * L2-normalised mean of its words' unit embedding vectors times this scale (0 = no embedding
   * features; above 0 a table must be given to training). Lines with Han characters get no block.
   */
  embeddingScale: z.number().min(0).default(0),
  /**
   * Weight of a one-hidden-layer network over the same features added to the linear model's scores
   * (each divided by its temperature fitted on the calibration lines); 0 trains no network. It is
   * seeded with `training.seed`.
   */
  networkWeight: z.number().min(0).default(0),
  network: mlpTrainingOptionsSchema.omit({ seed: true }).default(mlpTrainingOptionsSchema.omit({ seed: true }).parse({})),
  /**
   * What the out-of-scope threshold is drawn on: the best in-scope probability, or its share of
   * itself plus the `oos` class's probability (which also uses what the model learnt from `oos` lines).
   */
  thresholdScore: z.enum(['best-in-scope', 'in-scope-against-oos']).default('best-in-scope'),
});

/** Settings of intent-classifier training and calibration (see `classifierOptionsSchema`). */
export type ClassifierOptions = z.infer<typeof classifierOptionsSchema>;

/** Settings as given by a caller: any field may be left out and takes its default. */
export type ClassifierOptionsInput = z.input<typeof classifierOptionsSchema>;

/** How the confidence was calibrated and where the out-of-scope line was drawn. */
export interface ClassifierCalibration {
  temperature: number;
  /** Threshold on the best in-scope probability under which the answer is `oos`. */
  threshold: number;
  /** Per-locale thresholds when the calibration set had enough lines of that locale. */
  localeThresholds: Partial<Record<Locale, number>>;
  /** Where the figures came from: a given calibration set, or lines held out of training. */
  source: 'calibration-set' | 'held-out-training';
  calibrationLines: number;
  /**
   * Temperatures the linear model, naive Bayes and the network were divided by before they were
   * added with their weights (absent with neither naive Bayes nor a network).
   */
  blend?:
    | {
        linearTemperature: number;
        naiveBayesTemperature: number;
        naiveBayesWeight: number;
        networkTemperature?: number | undefined;
        networkWeight?: number | undefined;
      }
    | undefined;
  /** The score the threshold applies to (absent: the best in-scope probability). */
  thresholdScore?: 'in-scope-against-oos' | undefined;
}

/** Everything needed to rebuild a trained classifier without training again. */
export interface ClassifierSnapshot {
  formatVersion: 1;
  labels: string[];
  vectorizer: TfidfVectorizerState;
  model: { featureCount: number; classCount: number; weights: string; bias: string };
  calibration: ClassifierCalibration;
  /** The word vectors and scale of the dense embedding block, when the model has one. */
  embeddings?: { scale: number; table: z.infer<typeof wordEmbeddingsStateSchema> } | undefined;
  /** The network added to the linear scores (times `factor`), when the model has one. */
  network?: NetworkSnapshot | undefined;
}

/** A trained network in a snapshot: its sizes, base64 Float32 weights, and the factor its scores are added with. */
export interface NetworkSnapshot {
  hiddenUnits: number;
  factor: number;
  inputWeights: string;
  hiddenBias: string;
  outputWeights: string;
  outputBias: string;
}

/** An `IntentClassifier` with its labels, calibration and a way to save it. */
export interface TrainedClassifier extends IntentClassifier {
  readonly labels: readonly string[];
  readonly calibration: ClassifierCalibration;
  /** Calibrated probabilities of every label (including `oos` when it was trained), in `labels` order. */
  probabilities(text: string): Float64Array;
  toSnapshot(): ClassifierSnapshot;
}

const RUNNERS_UP = 3;

interface Core {
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
interface DenseEmbeddingBlock {
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
function featuresOf(core: Pick<Core, 'tokenizer' | 'vectorizer' | 'embeddings'>, text: string): SparseVector {
  const tokenized = core.tokenizer.tokenize(text);
  const vector = core.vectorizer.transform(extractFeatureKeys(tokenized, core.vectorizer.options));
  return core.embeddings === null ? vector : appendEmbeddingBlock(vector, tokenized, core.embeddings, core.vectorizer.size);
}

/** Writes the raw class scores of an utterance into `out` (one per label) and returns it. */
type Scorer = (text: string, out: Float64Array) => Float64Array;

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
function createScorer(core: Core): Scorer {
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

/** Leaves out the dense block (whose indices come after every sparse one), for naive Bayes. */
function sparsePart(vector: SparseVector, sparseSize: number): SparseVector {
  let count = vector.indices.length;
  while (count > 0 && vector.indices[count - 1]! >= sparseSize) count -= 1;
  return count === vector.indices.length ? vector : { indices: vector.indices.subarray(0, count), values: vector.values.subarray(0, count) };
}

/** Gives a linear model zero weights for `extra` more features, so it reads vectors with the dense block. */
function padFeatures(state: SoftmaxModelState, extra: number): SoftmaxModelState {
  if (extra === 0) return state;
  const weights = new Float32Array((state.featureCount + extra) * state.classCount);
  weights.set(state.weights);
  return { ...state, featureCount: state.featureCount + extra, weights };
}

function fitCore(
  examples: readonly TrainingExample[],
  options: ClassifierOptions,
  tokenizer: UtteranceTokenizer,
  embeddingTable: WordEmbeddings | undefined,
): Core {
  const labels = [...new Set(examples.map((example) => example.intent))].sort();
  if (labels.filter((label) => label !== OUT_OF_SCOPE).length < 2) {
    throw new CandorError('content_invalid', 'an intent classifier needs examples of at least two in-scope intents');
  }
  const labelIndex = new Map(labels.map((label, i) => [label, i]));
  const tokens = examples.map((example) => tokenizer.tokenize(example.text));
  const keys = tokens.map((tokenized) => extractFeatureKeys(tokenized, options.features));
  const vectorizer = TfidfVectorizer.fit(keys, options.features);
  const embeddings = embeddingBlockOf(options, embeddingTable);
  const denseSize = embeddings === null ? 0 : embeddings.table.dimensions;
  const weighted = examples.map((example, i) => {
    const sparse = vectorizer.transform(keys[i] as FeatureKeys);
    return {
      vector: embeddings === null ? sparse : appendEmbeddingBlock(sparse, tokens[i] as UtteranceTokens, embeddings, vectorizer.size),
      label: labelIndex.get(example.intent) ?? 0,
      weight: example.intent === OUT_OF_SCOPE ? options.oosExampleWeight : 1,
    };
  });
  const model = trainSoftmaxModel(weighted, vectorizer.size + denseSize, labels.length, options.training);
  // Naive Bayes needs non-negative features: it sees only the TF-IDF part and gives the dense block no weight.
  const naiveBayes =
    options.naiveBayesWeight > 0
      ? new SoftmaxModel(
          padFeatures(
            fitNaiveBayesWeights(
              weighted.map((example) => ({ ...example, vector: sparsePart(example.vector, vectorizer.size) })),
              vectorizer.size,
              labels.length,
              options.naiveBayesAlpha,
            ),
            denseSize,
          ),
        )
      : null;
  const network =
    options.networkWeight > 0
      ? trainMlpModel(weighted, vectorizer.size + denseSize, labels.length, { ...options.network, seed: options.training.seed })
      : null;
  return { labels, tokenizer, vectorizer, model, naiveBayes, embeddings, network, networkFactor: 0 };
}

function embeddingBlockOf(options: ClassifierOptions, table: WordEmbeddings | undefined): DenseEmbeddingBlock | null {
  if (options.embeddingScale === 0) return null;
  if (table === undefined) {
    throw new CandorError('config_invalid', 'embeddingScale is above 0 but no word embeddings were given to training');
  }
  return { table, scale: options.embeddingScale };
}

type Blend = NonNullable<ClassifierCalibration['blend']>;

/** Fits the temperatures of the linear model, naive Bayes and the network on calibration lines (undefined with neither of the last two). */
function fitBlend(core: Core, examples: readonly TrainingExample[], options: ClassifierOptions): Blend | undefined {
  const { naiveBayes, network } = core;
  if (naiveBayes === null && network === null) return undefined;
  const labelIndex = new Map(core.labels.map((label, i) => [label, i]));
  const known = examples.filter((example) => labelIndex.has(example.intent));
  const labels = known.map((example) => labelIndex.get(example.intent) as number);
  const vectors = known.map((example) => featuresOf(core, example.text));
  return {
    linearTemperature: fitTemperature(vectors.map((vector) => core.model.logits(vector)), labels),
    naiveBayesTemperature: naiveBayes === null ? 1 : fitTemperature(vectors.map((vector) => naiveBayes.logits(vector)), labels),
    naiveBayesWeight: naiveBayes === null ? 0 : options.naiveBayesWeight,
    ...(network === null
      ? {}
      : { networkTemperature: fitTemperature(vectors.map((vector) => network.logits(vector)), labels), networkWeight: options.networkWeight }),
  };
}

/**
 * Folds naive Bayes into the linear model with the fitted blend, so classifying costs one linear
 * model, and sets the factor of the network's scores.
 */
function applyBlend(core: Core, blend: Blend | undefined): Core {
  if (blend === undefined) return { ...core, naiveBayes: null };
  const parts = [{ state: core.model.toState(), factor: 1 / blend.linearTemperature }];
  if (core.naiveBayes !== null) parts.push({ state: core.naiveBayes.toState(), factor: blend.naiveBayesWeight / blend.naiveBayesTemperature });
  const networkFactor = core.network === null ? 0 : (blend.networkWeight ?? 0) / (blend.networkTemperature ?? 1);
  return { ...core, model: new SoftmaxModel(blendLinearModels(parts)), naiveBayes: null, networkFactor };
}

/** The score an out-of-scope threshold is compared with (lower means more likely out of scope). */
function thresholdScoreOf(bestInScope: number, oosProbability: number, kind: ClassifierCalibration['thresholdScore']): number {
  if (kind !== 'in-scope-against-oos') return bestInScope;
  const sum = bestInScope + oosProbability;
  return sum > 0 ? bestInScope / sum : 0;
}

/** Splits examples into a training part and a held-out part, stratified by intent and seeded. */
export function splitHoldOut(
  examples: readonly TrainingExample[],
  share: number,
  seed: number,
): { train: TrainingExample[]; holdOut: TrainingExample[] } {
  const random = createSeededRandom(seed);
  const byStratum = new Map<string, TrainingExample[]>();
  for (const example of examples) {
    const stratum = `${example.intent}\u0000${example.locale ?? ''}`;
    const list = byStratum.get(stratum) ?? [];
    list.push(example);
    byStratum.set(stratum, list);
  }
  const train: TrainingExample[] = [];
  const holdOut: TrainingExample[] = [];
  for (const stratum of [...byStratum.keys()].sort()) {
    const list = shuffleInPlace([...(byStratum.get(stratum) ?? [])], random);
    const count = list.length < 3 ? 0 : Math.max(1, Math.round(list.length * share));
    holdOut.push(...list.slice(0, count));
    train.push(...list.slice(count));
  }
  return { train, holdOut };
}

function bestInScope(probabilities: Float64Array, oosIndex: number): number {
  let best = -1;
  for (let c = 0; c < probabilities.length; c += 1) {
    if (c === oosIndex) continue;
    if (best < 0 || probabilities[c]! > probabilities[best]!) best = c;
  }
  return best;
}

function calibrate(
  core: Core,
  score: Scorer,
  examples: readonly TrainingExample[],
  options: ClassifierOptions,
  source: ClassifierCalibration['source'],
): ClassifierCalibration {
  const labelIndex = new Map(core.labels.map((label, i) => [label, i]));
  const oosIndex = labelIndex.get(OUT_OF_SCOPE) ?? -1;
  const logits = examples.map((example) => score(example.text, new Float64Array(core.labels.length)));
  const thresholdScore = options.thresholdScore === 'in-scope-against-oos' ? options.thresholdScore : undefined;
  // Temperature is fitted on lines whose label the model knows (all of them when `oos` was trained).
  const known = examples.map((example, i) => ({ i, label: labelIndex.get(example.intent) })).filter((row) => row.label !== undefined);
  const temperature = fitTemperature(
    known.map((row) => logits[row.i] as Float64Array),
    known.map((row) => row.label as number),
  );
  const points: (CalibrationPoint & { locale: Locale | undefined })[] = examples.map((example, i) => {
    const probabilities = softmaxInPlace(Float64Array.from(logits[i] as Float64Array), temperature);
    const best = bestInScope(probabilities, oosIndex);
    let top = 0;
    for (let c = 1; c < probabilities.length; c += 1) if (probabilities[c]! > probabilities[top]!) top = c;
    return {
      bestInScopeProbability: thresholdScoreOf(probabilities[best] ?? 0, oosIndex >= 0 ? (probabilities[oosIndex] ?? 0) : 0, thresholdScore),
      isBestInScopeCorrect: core.labels[best] === example.intent,
      isOosTop: top === oosIndex,
      isOos: example.intent === OUT_OF_SCOPE,
      locale: example.locale,
    };
  });
  const threshold = chooseOosThreshold(points, options.maxInScopeAccuracyLoss).threshold;
  const localeThresholds: Partial<Record<Locale, number>> = {};
  for (const locale of LOCALES) {
    const ofLocale = points.filter((point) => point.locale === locale);
    const oosLines = ofLocale.filter((point) => point.isOos).length;
    if (oosLines >= options.minLinesPerLocaleThreshold && ofLocale.length - oosLines >= options.minLinesPerLocaleThreshold) {
      localeThresholds[locale] = chooseOosThreshold(ofLocale, options.maxInScopeAccuracyLoss).threshold;
    }
  }
  return { temperature, threshold, localeThresholds, source, calibrationLines: examples.length, ...(thresholdScore === undefined ? {} : { thresholdScore }) };
}

/** Blends (with naive Bayes or a network) and calibrates a fitted core on the given lines. */
function blendAndCalibrate(
  core: Core,
  examples: readonly TrainingExample[],
  options: ClassifierOptions,
  source: ClassifierCalibration['source'],
): { core: Core; score: Scorer; calibration: ClassifierCalibration } {
  const blend = fitBlend(core, examples, options);
  const blended = applyBlend(core, blend);
  const score = createScorer(blended);
  const calibration = calibrate(blended, score, examples, options, source);
  return { core: blended, score, calibration: blend === undefined ? calibration : { ...calibration, blend } };
}

/** The `count` most probable in-scope labels, best first (ties by label order), without sorting every class. */
function topInScope(scores: Float64Array, oosIndex: number, labels: readonly string[], count: number): ScoredIntent[] {
  const picked: number[] = [];
  for (let c = 0; c < scores.length; c += 1) {
    if (c === oosIndex) continue;
    const score = scores[c]!;
    if (picked.length === count && score <= scores[picked[count - 1]!]!) continue;
    let at = picked.length;
    while (at > 0 && scores[picked[at - 1]!]! < score) at -= 1;
    picked.splice(at, 0, c);
    if (picked.length > count) picked.pop();
  }
  return picked.map((c) => ({ intent: labels[c] ?? OUT_OF_SCOPE, confidence: scores[c] ?? 0 }));
}

function encodeFloats(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function decodeFloats(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

function networkSnapshotOf(network: MlpModel, factor: number): NetworkSnapshot {
  const state = network.toState();
  return {
    hiddenUnits: state.hiddenUnits,
    factor,
    inputWeights: encodeFloats(state.inputWeights),
    hiddenBias: encodeFloats(state.hiddenBias),
    outputWeights: encodeFloats(state.outputWeights),
    outputBias: encodeFloats(state.outputBias),
  };
}

function buildClassifier(core: Core, calibration: ClassifierCalibration, score: Scorer = createScorer(core)): TrainedClassifier {
  const oosIndex = core.labels.indexOf(OUT_OF_SCOPE);
  // Classifying reuses one array of scores; `probabilities` returns a fresh one the caller may keep.
  const scratchScores = new Float64Array(core.labels.length);

  function probabilities(text: string): Float64Array {
    return softmaxInPlace(score(text, new Float64Array(core.labels.length)), calibration.temperature);
  }

  return {
    labels: core.labels,
    calibration,
    probabilities,
    classify: function classifyUtterance(text: string, locale: Locale): Classification {
      const scores = softmaxInPlace(score(text, scratchScores), calibration.temperature);
      const ranked = topInScope(scores, oosIndex, core.labels, RUNNERS_UP + 1);
      const best = ranked[0] as ScoredIntent;
      const oosProbability = oosIndex >= 0 ? (scores[oosIndex] ?? 0) : 0;
      const threshold = calibration.localeThresholds[locale] ?? calibration.threshold;
      if (oosProbability > best.confidence || thresholdScoreOf(best.confidence, oosProbability, calibration.thresholdScore) < threshold) {
        // The chance that the best in-scope guess is wrong is the honest confidence in "out of scope".
        return { intent: OUT_OF_SCOPE, confidence: 1 - best.confidence, runnersUp: ranked.slice(0, RUNNERS_UP) };
      }
      return { intent: best.intent, confidence: best.confidence, runnersUp: ranked.slice(1, 1 + RUNNERS_UP) };
    },
    toSnapshot: function toSnapshot(): ClassifierSnapshot {
      const state = core.model.toState();
      return {
        formatVersion: 1,
        labels: core.labels,
        vectorizer: core.vectorizer.toState(),
        model: {
          featureCount: state.featureCount,
          classCount: state.classCount,
          weights: encodeFloats(state.weights),
          bias: encodeFloats(state.bias),
        },
        calibration,
        ...(core.embeddings === null ? {} : { embeddings: { scale: core.embeddings.scale, table: core.embeddings.table.toState() } }),
        ...(core.network === null ? {} : { network: networkSnapshotOf(core.network, core.networkFactor) }),
      };
    },
  };
}

/** Options of one training run: the model settings and, optionally, a separate calibration set. */
export interface TrainIntentClassifierOptions {
  options?: ClassifierOptionsInput | undefined;
  /** Lines used only to fit the temperature and threshold; without them a stratified share of the training lines is held out. */
  calibrationExamples?: readonly TrainingExample[] | undefined;
  /**
   * Word vectors for the dense block when `embeddingScale` is above 0; the table is kept in the
   * model (and its snapshot), so it should hold the training words plus frequent words, not test words.
   */
  embeddings?: WordEmbeddings | undefined;
}

/**
 * Trains a calibrated intent classifier: TF-IDF word and character n-grams, a linear model trained
 * by seeded SGD (with `oos` lines as a class) blended with multinomial naive Bayes and, when asked,
 * a one-hidden-layer network, temperature scaling, and an out-of-scope threshold.
 */
export function trainIntentClassifier(
  examples: readonly TrainingExample[],
  settings: TrainIntentClassifierOptions = {},
): TrainedClassifier {
  const options = classifierOptionsSchema.parse(settings.options ?? {});
  const tokenizer = createUtteranceTokenizer();
  if (settings.calibrationExamples !== undefined && settings.calibrationExamples.length > 0) {
    const fitted = blendAndCalibrate(
      fitCore(examples, options, tokenizer, settings.embeddings),
      settings.calibrationExamples,
      options,
      'calibration-set',
    );
    return buildClassifier(fitted.core, fitted.calibration, fitted.score);
  }
  // Calibrate on lines the model has not seen, then refit on everything and keep that calibration.
  const { train, holdOut } = splitHoldOut(examples, options.holdOutShare, options.training.seed);
  const { calibration } = blendAndCalibrate(fitCore(train, options, tokenizer, settings.embeddings), holdOut, options, 'held-out-training');
  return buildClassifier(applyBlend(fitCore(examples, options, tokenizer, settings.embeddings), calibration.blend), calibration);
}

const snapshotSchema = z.object({
  formatVersion: z.literal(1),
  labels: z.array(z.string()).min(2),
  vectorizer: z.object({
    options: featureOptionsSchema,
    features: z.array(z.string()),
    groups: z.array(z.number().int()),
    idf: z.array(z.number()),
  }),
  model: z.object({ featureCount: z.number().int(), classCount: z.number().int(), weights: z.string(), bias: z.string() }),
  calibration: z.object({
    temperature: z.number().positive(),
    threshold: z.number().min(0).max(1.000001),
    localeThresholds: z.partialRecord(z.enum(LOCALES), z.number()),
    source: z.enum(['calibration-set', 'held-out-training']),
    calibrationLines: z.number().int(),
    blend: z
      .object({
        linearTemperature: z.number().positive(),
        naiveBayesTemperature: z.number().positive(),
        naiveBayesWeight: z.number().min(0),
        networkTemperature: z.number().positive().optional(),
        networkWeight: z.number().min(0).optional(),
      })
      .optional(),
    thresholdScore: z.literal('in-scope-against-oos').optional(),
  }),
  embeddings: z.object({ scale: z.number().positive(), table: wordEmbeddingsStateSchema }).optional(),
  network: z
    .object({
      hiddenUnits: z.number().int().positive(),
      factor: z.number(),
      inputWeights: z.string(),
      hiddenBias: z.string(),
      outputWeights: z.string(),
      outputBias: z.string(),
    })
    .optional(),
});

/** Rebuilds a trained classifier from a snapshot (e.g. a cache file), validating it first. */
export function restoreIntentClassifier(snapshot: unknown): TrainedClassifier {
  const parsed = snapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new CandorError('content_invalid', `invalid classifier snapshot: ${z.prettifyError(parsed.error)}`);
  const { labels, vectorizer, model, calibration, embeddings, network } = parsed.data;
  const state: SoftmaxModelState = {
    featureCount: model.featureCount,
    classCount: model.classCount,
    weights: decodeFloats(model.weights),
    bias: decodeFloats(model.bias),
  };
  const core: Core = {
    labels,
    tokenizer: createUtteranceTokenizer(),
    vectorizer: TfidfVectorizer.fromState(vectorizer),
    model: new SoftmaxModel(state),
    naiveBayes: null,
    embeddings: embeddings === undefined ? null : { table: WordEmbeddings.fromState(embeddings.table), scale: embeddings.scale },
    network: null,
    networkFactor: network?.factor ?? 0,
  };
  const expectedFeatures = core.vectorizer.size + (core.embeddings === null ? 0 : core.embeddings.table.dimensions);
  if (state.featureCount !== expectedFeatures) {
    throw new CandorError('content_invalid', 'invalid classifier snapshot: the model and its features differ in size');
  }
  if (network !== undefined) {
    try {
      core.network = new MlpModel({
        featureCount: expectedFeatures,
        hiddenUnits: network.hiddenUnits,
        classCount: model.classCount,
        inputWeights: decodeFloats(network.inputWeights),
        hiddenBias: decodeFloats(network.hiddenBias),
        outputWeights: decodeFloats(network.outputWeights),
        outputBias: decodeFloats(network.outputBias),
      });
    } catch (error) {
      throw new CandorError('content_invalid', 'invalid classifier snapshot: the network and its features differ in size', { cause: error });
    }
  }
  return buildClassifier(core, calibration);
}
