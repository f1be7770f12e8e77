import { z } from 'zod';
import { LOCALES } from '../core/locale.js';
import type { ClassifierCalibration } from './blend-and-calibrate.js';
import type { ClassifierCore } from './classifier-core.js';
import type { MlpModel } from './mlp-model.js';
import { featureOptionsSchema } from './tfidf-vectorizer.js';
import type { TfidfVectorizerState } from './tfidf-vectorizer.js';
import { wordEmbeddingsStateSchema } from './word-embeddings.js';

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

function encodeFloats(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Reads Float32 values written by `encodeFloats`. */
export function decodeFloats(encoded: string): Float32Array {
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

/** The snapshot of a trained core and its calibration (what `restoreIntentClassifier` reads back). */
export function snapshotOf(core: ClassifierCore, calibration: ClassifierCalibration): ClassifierSnapshot {
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
}

/** The shape a snapshot must have before it is rebuilt (checked, since it comes from a file). */
export const classifierSnapshotSchema = z.object({
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
