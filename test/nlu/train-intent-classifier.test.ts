import { describe, expect, it } from 'vitest';
import { appendEmbeddingBlock } from '../../src/nlu/classifier-core.js';
import { restoreIntentClassifier } from '../../src/nlu/restore-intent-classifier.js';
import { trainIntentClassifier } from '../../src/nlu/train-intent-classifier.js';
import { CandorError } from '../../src/core/candor-error.js';
import { SoftmaxModel, softmaxInPlace } from '../../src/nlu/softmax-model.js';
import { MlpModel } from '../../src/nlu/mlp-model.js';
import { TfidfVectorizer, extractFeatureKeys } from '../../src/nlu/tfidf-vectorizer.js';
import { createUtteranceTokenizer } from '../../src/nlu/tokenize-utterance.js';
import { WordEmbeddings } from '../../src/nlu/word-embeddings.js';
import { buildTinyDataset } from './tiny-dataset.js';

const { train, val, test } = buildTinyDataset();
const options = { training: { epochs: 20, seed: 5 } };

describe('trainIntentClassifier', () => {
  const classifier = trainIntentClassifier(train, { options, calibrationExamples: val });

  it('recognises unseen in-scope lines in both languages', () => {
    for (const example of test.filter((line) => line.intent !== 'oos')) {
      expect(classifier.classify(example.text, example.locale ?? 'en').intent, example.text).toBe(example.intent);
    }
  });

  it('answers oos for unrelated requests', () => {
    expect(classifier.classify('book a table for two at an italian restaurant', 'en').intent).toBe('oos');
    expect(classifier.classify('帮我订一张去上海的机票', 'zh-CN').intent).toBe('oos');
  });

  it('returns a confidence in [0, 1] and at most three in-scope runners-up, best first, without the answer', () => {
    const result = classifier.classify('why did my limit go down', 'en');
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.confidence).toBeLessThanOrEqual(1);
    expect(result.runnersUp.length).toBeLessThanOrEqual(3);
    expect(result.runnersUp.map((runner) => runner.intent)).not.toContain(result.intent);
    expect(result.runnersUp.map((runner) => runner.intent)).not.toContain('oos');
    const confidences = result.runnersUp.map((runner) => runner.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
  });

  it('gives probabilities over all labels that sum to one', () => {
    const probabilities = classifier.probabilities('hello');
    expect(probabilities.length).toBe(classifier.labels.length);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(classifier.labels).toContain('oos');
  });

  it('records how it was calibrated', () => {
    expect(classifier.calibration.source).toBe('calibration-set');
    expect(classifier.calibration.calibrationLines).toBe(val.length);
    expect(classifier.calibration.temperature).toBeGreaterThan(0);
    expect(classifier.calibration.threshold).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic: the same data and seed give the same model', () => {
    const again = trainIntentClassifier(train, { options, calibrationExamples: val });
    expect(again.toSnapshot()).toEqual(classifier.toSnapshot());
  });

  it('round-trips through a JSON snapshot with identical answers', () => {
    const restored = restoreIntentClassifier(JSON.parse(JSON.stringify(classifier.toSnapshot())));
    for (const example of test) {
      expect(restored.classify(example.text, example.locale ?? 'en')).toEqual(classifier.classify(example.text, example.locale ?? 'en'));
    }
  });

  it('rejects a damaged snapshot', () => {
    const snapshot = { ...classifier.toSnapshot(), formatVersion: 2 };
    expect(() => restoreIntentClassifier(snapshot)).toThrow(CandorError);
  });

  it('calibrates on held-out training lines when no calibration set is given', () => {
    const selfCalibrated = trainIntentClassifier(train, { options });
    expect(selfCalibrated.calibration.source).toBe('held-out-training');
    expect(selfCalibrated.classify('why was my limit reduced', 'en').intent).toBe('limit.why_dropped');
  });

  it('blends naive Bayes into the linear model by default and records the blend', () => {
    expect(classifier.calibration.blend?.naiveBayesWeight).toBe(0.4);
    expect(classifier.calibration.blend?.linearTemperature).toBeGreaterThan(0);
    expect(classifier.calibration.blend?.naiveBayesTemperature).toBeGreaterThan(0);
    const plain = trainIntentClassifier(train, { options: { ...options, naiveBayesWeight: 0 }, calibrationExamples: val });
    expect(plain.calibration.blend).toBeUndefined();
    expect(plain.toSnapshot().model.weights).not.toBe(classifier.toSnapshot().model.weights);
    expect(plain.classify('why did my limit go down', 'en').intent).toBe('limit.why_dropped');
  });

  it('keeps the blend fitted on held-out lines when it refits on all lines', () => {
    const selfCalibrated = trainIntentClassifier(train, { options });
    expect(selfCalibrated.calibration.blend?.naiveBayesTemperature).toBeGreaterThan(0);
    const restored = restoreIntentClassifier(JSON.parse(JSON.stringify(selfCalibrated.toSnapshot())));
    expect(restored.calibration).toEqual(selfCalibrated.calibration);
  });

  it('trains with the hinge loss too', () => {
    const hinge = trainIntentClassifier(train, { options: { training: { loss: 'hinge', epochs: 20, learningRate: 0.1 } }, calibrationExamples: val });
    expect(hinge.classify('talk to a human please', 'en').intent).toBe('agent.request');
  });

  it('refuses to train on fewer than two in-scope intents', () => {
    expect(() => trainIntentClassifier(train.filter((line) => line.intent === 'oos' || line.intent === 'agent.request'))).toThrow(CandorError);
  });
});

/**
 * A tiny fake embedding table: words of each tiny intent (including some the training lines never
 * use, like "operator" and "shrank") point along their own axis, out-of-scope words along a fourth.
 */
function fakeEmbeddings(): WordEmbeddings {
  const groups: string[][] = [
    ['limit', 'reduced', 'lowered', 'cut', 'down', 'drop', 'dropped', 'decreased', 'smaller', 'fallen', 'shrank', 'slashed'],
    ['hello', 'hi', 'hey', 'morning', 'evening', 'afternoon', 'hiya', 'wassup', 'howdy', 'greetings'],
    ['person', 'human', 'agent', 'representative', 'someone', 'staff', 'real', 'operator', 'somebody'],
    ['weather', 'joke', 'flight', 'recipe', 'game', 'music', 'pizza', 'everest', 'tokyo', 'movie', 'song'],
  ];
  const words: string[] = [];
  const values: number[] = [];
  groups.forEach((group, axis) => {
    group.forEach((word, i) => {
      words.push(word);
      // Unit axis plus a small, word-specific wobble in the last two dimensions.
      values.push(...[0, 1, 2, 3].map((d) => (d === axis ? 1 : 0)), 0.1 * Math.sin(i + axis), 0.1 * Math.cos(i * axis));
    });
  });
  return new WordEmbeddings(words, Float32Array.from(values), 6);
}

describe('trainIntentClassifier with word embeddings', () => {
  const embeddings = fakeEmbeddings();
  const withEmbeddings = { ...options, embeddingScale: 1.5 };
  const classifier = trainIntentClassifier(train, { options: withEmbeddings, calibrationExamples: val, embeddings });

  it('needs a table when the embedding scale is above 0', () => {
    expect(() => trainIntentClassifier(train, { options: withEmbeddings, calibrationExamples: val })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it('understands words the training lines never used through their neighbours', () => {
    // Neither word is in the training lines, and their letters resemble nothing there either.
    const plain = trainIntentClassifier(train, { options, calibrationExamples: val });
    for (const text of ['operator', 'somebody']) {
      expect(plain.classify(text, 'en').intent, text).toBe('oos');
      expect(classifier.classify(text, 'en').intent, text).toBe('agent.request');
    }
    expect(classifier.classify('limit shrank', 'en').intent).toBe('limit.why_dropped');
  });

  it('still recognises the unseen test lines in both languages', () => {
    for (const example of test.filter((line) => line.intent !== 'oos')) {
      expect(classifier.classify(example.text, example.locale ?? 'en').intent, example.text).toBe(example.intent);
    }
  });

  it('scores with projected word rows exactly as the model scores the appended dense block', () => {
    const snapshot = classifier.toSnapshot();
    expect(snapshot.embeddings?.scale).toBe(1.5);
    const vectorizer = TfidfVectorizer.fromState(snapshot.vectorizer);
    const model = restoreModel(snapshot.model);
    expect(model.featureCount).toBe(vectorizer.size + 6);
    const tokenizer = createUtteranceTokenizer();
    for (const text of ['wassup', 'why was my limit slashed', 'hello operator', 'zzz', '额度为什么下降 limit', '']) {
      const tokens = tokenizer.tokenize(text);
      const vector = appendEmbeddingBlock(vectorizer.transform(extractFeatureKeys(tokens, vectorizer.options)), tokens, { table: embeddings, scale: 1.5 }, vectorizer.size);
      const expected = softmaxInPlace(model.logits(vector), classifier.calibration.temperature);
      const actual = classifier.probabilities(text);
      expected.forEach((probability, c) => expect(actual[c], `${text} ${c}`).toBeCloseTo(probability, 6));
    }
  });

  it('round-trips through a JSON snapshot with its table and the same answers', () => {
    const restored = restoreIntentClassifier(JSON.parse(JSON.stringify(classifier.toSnapshot())));
    for (const text of ['wassup', 'limit shrank', '转人工', ...test.map((line) => line.text)]) {
      expect(restored.classify(text, 'en')).toEqual(classifier.classify(text, 'en'));
    }
    const { embeddings: _dropped, ...withoutTable } = classifier.toSnapshot();
    expect(() => restoreIntentClassifier(withoutTable)).toThrow(/differ in size/);
  });

  it('is deterministic', () => {
    const again = trainIntentClassifier(train, { options: withEmbeddings, calibrationExamples: val, embeddings: fakeEmbeddings() });
    expect(again.toSnapshot()).toEqual(classifier.toSnapshot());
  });
});

describe('trainIntentClassifier with a network ensemble', () => {
  const embeddings = fakeEmbeddings();
  const withNetwork = {
    ...options,
    embeddingScale: 1.5,
    networkWeight: 1,
    network: { hiddenUnits: 16, epochs: 30, learningRate: 0.1 },
    thresholdScore: 'in-scope-against-oos' as const,
  };
  const classifier = trainIntentClassifier(train, { options: withNetwork, calibrationExamples: val, embeddings });
  const linearOnly = trainIntentClassifier(train, { options: { ...withNetwork, networkWeight: 0 }, calibrationExamples: val, embeddings });

  it('recognises the unseen test lines in both languages and unrelated requests as oos', () => {
    for (const example of test.filter((line) => line.intent !== 'oos')) {
      expect(classifier.classify(example.text, example.locale ?? 'en').intent, example.text).toBe(example.intent);
    }
    expect(classifier.classify('book a table for two at an italian restaurant', 'en').intent).toBe('oos');
  });

  it('records the network temperature and weight in the blend, and the threshold score', () => {
    expect(classifier.calibration.blend?.networkWeight).toBe(1);
    expect(classifier.calibration.blend?.networkTemperature).toBeGreaterThan(0);
    expect(classifier.calibration.thresholdScore).toBe('in-scope-against-oos');
    expect(linearOnly.calibration.blend?.networkTemperature).toBeUndefined();
    expect(linearOnly.toSnapshot().network).toBeUndefined();
  });

  // The tiny calibration set is classified perfectly, so its fitted temperature saturates most
  // probabilities; a high temperature keeps the differences these tests look at visible.
  const softened = (trained: typeof classifier, calibration: Partial<typeof classifier.calibration> = {}) => {
    const snapshot = trained.toSnapshot();
    return restoreIntentClassifier({ ...snapshot, calibration: { ...snapshot.calibration, temperature: 30, localeThresholds: {}, ...calibration } });
  };

  it('adds the network to the scores: its probabilities differ from the linear model alone', () => {
    const text = 'why was my limit slashed';
    const withIt = softened(classifier, { temperature: 1000 }).probabilities(text);
    const without = softened(linearOnly, { temperature: 1000 }).probabilities(text);
    const right = classifier.labels.indexOf('limit.why_dropped');
    expect(Math.abs(withIt[right]! - without[right]!)).toBeGreaterThan(1e-3);
    expect(withIt.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('draws the threshold on the in-scope share against oos when asked', () => {
    const text = 'why did my limit go down';
    const probabilities = softened(classifier).probabilities(text);
    const best = probabilities[classifier.labels.indexOf('limit.why_dropped')]!;
    const share = best / (best + probabilities[classifier.labels.indexOf('oos')]!);
    expect(share).toBeGreaterThan(best);
    // Between the two scores: the share passes the threshold, the best in-scope probability does not.
    const threshold = (best + share) / 2;
    expect(softened(classifier, { threshold }).classify(text, 'en').intent).toBe('limit.why_dropped');
    const { thresholdScore: _dropped, ...bestInScope } = classifier.toSnapshot().calibration;
    const onBest = restoreIntentClassifier({ ...classifier.toSnapshot(), calibration: { ...bestInScope, temperature: 30, localeThresholds: {}, threshold } });
    expect(onBest.classify(text, 'en').intent).toBe('oos');
  });

  it('round-trips through a JSON snapshot with identical probabilities and answers', () => {
    const restored = restoreIntentClassifier(JSON.parse(JSON.stringify(classifier.toSnapshot())));
    for (const text of ['wassup', 'limit shrank', '转人工', ...test.map((line) => line.text)]) {
      expect(Array.from(restored.probabilities(text))).toEqual(Array.from(classifier.probabilities(text)));
      expect(restored.classify(text, 'en')).toEqual(classifier.classify(text, 'en'));
    }
  });

  it('scores with projected word rows exactly as the linear model and the network score the appended vector', () => {
    const snapshot = classifier.toSnapshot();
    const vectorizer = TfidfVectorizer.fromState(snapshot.vectorizer);
    const model = restoreModel(snapshot.model);
    const network = snapshot.network!;
    const floats = (encoded: string): Float32Array => new Float32Array(Uint8Array.from(Buffer.from(encoded, 'base64')).buffer);
    const mlp = new MlpModel({
      featureCount: model.featureCount,
      hiddenUnits: network.hiddenUnits,
      classCount: model.classCount,
      inputWeights: floats(network.inputWeights),
      hiddenBias: floats(network.hiddenBias),
      outputWeights: floats(network.outputWeights),
      outputBias: floats(network.outputBias),
    });
    expect(network.factor).toBeCloseTo(1 / classifier.calibration.blend!.networkTemperature!, 9);
    const tokenizer = createUtteranceTokenizer();
    for (const text of ['wassup', 'why was my limit slashed', 'hello operator', 'zzz', '额度为什么下降 limit', '']) {
      const tokens = tokenizer.tokenize(text);
      const vector = appendEmbeddingBlock(vectorizer.transform(extractFeatureKeys(tokens, vectorizer.options)), tokens, { table: embeddings, scale: 1.5 }, vectorizer.size);
      const logits = model.logits(vector);
      const added = mlp.logits(vector);
      logits.forEach((_, c) => (logits[c]! += network.factor * added[c]!));
      const expected = softmaxInPlace(logits, 1000);
      const actual = softened(classifier, { temperature: 1000 }).probabilities(text);
      expected.forEach((probability, c) => expect(actual[c], `${text} ${c}`).toBeCloseTo(probability, 6));
    }
  });

  it('gives the same answers whichever lines came before (its reused buffers and word caches change nothing)', () => {
    const texts = ['wassup', 'why was my limit slashed', 'hello operator', 'zzz', '额度为什么下降 limit', '', ...test.map((line) => line.text)];
    const snapshot = JSON.parse(JSON.stringify(classifier.toSnapshot()));
    // Each line on a classifier that has seen nothing else (cold caches), then all of them on one that has seen them all.
    const cold = texts.map((text) => {
      const fresh = restoreIntentClassifier(snapshot);
      return { probabilities: Array.from(fresh.probabilities(text)), classification: restoreIntentClassifier(snapshot).classify(text, 'en') };
    });
    const warm = restoreIntentClassifier(snapshot);
    for (const text of [...texts, ...texts.slice().reverse()]) warm.classify(text, 'en');
    texts.forEach((text, i) => {
      expect(Array.from(warm.probabilities(text)), text).toEqual(cold[i]!.probabilities);
      const classification = warm.classify(text, 'en');
      expect(classification, text).toEqual(cold[i]!.classification);
      const probabilities = warm.probabilities(text);
      if (classification.intent !== 'oos') expect(classification.confidence).toBe(probabilities[warm.labels.indexOf(classification.intent)]);
    });
  });

  it('rejects a snapshot whose network does not fit its features', () => {
    const snapshot = classifier.toSnapshot();
    const network = snapshot.network!;
    expect(() => restoreIntentClassifier({ ...snapshot, network: { ...network, hiddenUnits: network.hiddenUnits + 1 } })).toThrow(/network/);
  });

  it('is deterministic', () => {
    const again = trainIntentClassifier(train, { options: withNetwork, calibrationExamples: val, embeddings: fakeEmbeddings() });
    expect(again.toSnapshot()).toEqual(classifier.toSnapshot());
  });
});

describe('appendEmbeddingBlock', () => {
  const tokenizer = createUtteranceTokenizer();
  const block = { table: fakeEmbeddings(), scale: 2 };
  const sparse = { indices: Int32Array.from([1, 4]), values: Float32Array.from([0.6, 0.8]) };

  it('appends the scaled unit mean vector after the sparse features', () => {
    const vector = appendEmbeddingBlock(sparse, tokenizer.tokenize('Hello HUMAN'), block, 10);
    expect(Array.from(vector.indices)).toEqual([1, 4, 10, 11, 12, 13, 14, 15]);
    const dense = Array.from(vector.values.subarray(2));
    expect(Math.hypot(...dense)).toBeCloseTo(2, 5);
    expect(dense[1]).toBeCloseTo(dense[2]!, 1);
    expect(dense[1]).toBeGreaterThan(1.3);
    expect(dense[0]).toBeCloseTo(0, 6);
  });

  it('leaves Chinese lines and lines without a known word alone', () => {
    expect(appendEmbeddingBlock(sparse, tokenizer.tokenize('额度 limit'), block, 10)).toBe(sparse);
    expect(appendEmbeddingBlock(sparse, tokenizer.tokenize('qwerty uiop'), block, 10)).toBe(sparse);
  });
});

function restoreModel(model: { featureCount: number; classCount: number; weights: string; bias: string }): SoftmaxModel {
  const floats = (encoded: string): Float32Array => {
    const bytes = Buffer.from(encoded, 'base64');
    return new Float32Array(Uint8Array.from(bytes).buffer);
  };
  return new SoftmaxModel({ featureCount: model.featureCount, classCount: model.classCount, weights: floats(model.weights), bias: floats(model.bias) });
}
