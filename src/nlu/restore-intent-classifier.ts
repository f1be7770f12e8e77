import { z } from 'zod';
import { CandorError } from '../core/candor-error.js';
import { buildTrainedClassifier } from './build-trained-classifier.js';
import type { TrainedClassifier } from './build-trained-classifier.js';
import type { ClassifierCore } from './classifier-core.js';
import { classifierSnapshotSchema, decodeFloats } from './classifier-snapshot.js';
import { MlpModel } from './mlp-model.js';
import { SoftmaxModel } from './softmax-model.js';
import type { SoftmaxModelState } from './softmax-model.js';
import { TfidfVectorizer } from './tfidf-vectorizer.js';
import { createUtteranceTokenizer } from './tokenize-utterance.js';
import { WordEmbeddings } from './word-embeddings.js';

/** Rebuilds a trained classifier from a snapshot (e.g. a cache file), validating it first. */
export function restoreIntentClassifier(snapshot: unknown): TrainedClassifier {
  const parsed = classifierSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new CandorError('content_invalid', `invalid classifier snapshot: ${z.prettifyError(parsed.error)}`);
  const { labels, vectorizer, model, calibration, embeddings, network } = parsed.data;
  const state: SoftmaxModelState = {
    featureCount: model.featureCount,
    classCount: model.classCount,
    weights: decodeFloats(model.weights),
    bias: decodeFloats(model.bias),
  };
  const core: ClassifierCore = {
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
  return buildTrainedClassifier(core, calibration);
}
