import { CandorError } from '../core/candor-error.js';
import { OUT_OF_SCOPE } from '../core/ports/intent-classifier.js';
import { appendEmbeddingBlock, sparsePart } from './classifier-core.js';
import type { ClassifierCore, DenseEmbeddingBlock } from './classifier-core.js';
import type { ClassifierOptions } from './classifier-options.js';
import { trainMlpModel } from './mlp-model.js';
import { fitNaiveBayesWeights } from './naive-bayes-weights.js';
import { SoftmaxModel, trainSoftmaxModel } from './softmax-model.js';
import type { SoftmaxModelState } from './softmax-model.js';
import { TfidfVectorizer, extractFeatureKeys } from './tfidf-vectorizer.js';
import type { FeatureKeys } from './tfidf-vectorizer.js';
import type { UtteranceTokenizer, UtteranceTokens } from './tokenize-utterance.js';
import type { TrainingExample } from './training-example.js';
import type { WordEmbeddings } from './word-embeddings.js';

/** Gives a linear model zero weights for `extra` more features, so it reads vectors with the dense block. */
function padFeatures(state: SoftmaxModelState, extra: number): SoftmaxModelState {
  if (extra === 0) return state;
  const weights = new Float32Array((state.featureCount + extra) * state.classCount);
  weights.set(state.weights);
  return { ...state, featureCount: state.featureCount + extra, weights };
}

/** Fits the vectorizer and each model (linear, naive Bayes, network) on the training lines; nothing is blended or calibrated yet. */
export function fitClassifierCore(
  examples: readonly TrainingExample[],
  options: ClassifierOptions,
  tokenizer: UtteranceTokenizer,
  embeddingTable: WordEmbeddings | undefined,
): ClassifierCore {
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
