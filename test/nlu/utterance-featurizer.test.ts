import { describe, expect, it } from 'vitest';
import { TfidfVectorizer, extractFeatureKeys, featureOptionsSchema } from '../../src/nlu/tfidf-vectorizer.js';
import { createUtteranceTokenizer } from '../../src/nlu/tokenize-utterance.js';
import { UtteranceFeaturizer } from '../../src/nlu/utterance-featurizer.js';

const tokenizer = createUtteranceTokenizer();
const training = [
  'why did my credit limit drop',
  'raise my limit please',
  'what is my current limit',
  'I want to talk to a person',
  '为什么我的额度下降了',
  '我想提高额度',
  "can't you raise the limit",
];
const unseen = [
  'why why why did the limit drop drop',
  'limit',
  'zzqx unknown words only',
  '额度 limit 下降',
  '',
  '!!!',
  "can't cant raise",
  'a very long utterance about my limit that repeats my limit and my credit limit again and again and again',
];

function featurizeBothWays(vectorizer: TfidfVectorizer, featurizer: UtteranceFeaturizer, text: string): void {
  const tokens = tokenizer.tokenize(text);
  const expected = vectorizer.transform(extractFeatureKeys(tokens, vectorizer.options));
  const actual = featurizer.vectorOf(tokens);
  expect(Array.from(actual.indices), text).toEqual(Array.from(expected.indices));
  expect(Array.from(actual.values), text).toEqual(Array.from(expected.values));
}

describe('UtteranceFeaturizer', () => {
  for (const [name, overrides] of [
    ['default features', {}],
    ['word trigrams and a narrow character range', { wordNgramMax: 3, charNgramMin: 3, charNgramMax: 4, hanNgramMax: 2 }],
    ['unigrams only, weighted groups', { wordNgramMax: 1, wordWeight: 2, charWeight: 0.5, hanWeight: 3 }],
  ] as const) {
    it(`gives exactly the vectors of transform(extractFeatureKeys(...)), cold and with warm caches (${name})`, () => {
      const options = featureOptionsSchema.parse(overrides);
      const vectorizer = TfidfVectorizer.fit(
        training.map((text) => extractFeatureKeys(tokenizer.tokenize(text), options)),
        options,
      );
      const featurizer = new UtteranceFeaturizer(vectorizer);
      for (let round = 0; round < 2; round += 1) {
        for (const text of [...training, ...unseen]) featurizeBothWays(vectorizer, featurizer, text);
      }
    });
  }

  it('returns vectors that later calls do not change', () => {
    const options = featureOptionsSchema.parse({});
    const vectorizer = TfidfVectorizer.fit(
      training.map((text) => extractFeatureKeys(tokenizer.tokenize(text), options)),
      options,
    );
    const featurizer = new UtteranceFeaturizer(vectorizer);
    const first = featurizer.vectorOf(tokenizer.tokenize('raise my limit'));
    const copy = { indices: Array.from(first.indices), values: Array.from(first.values) };
    featurizer.vectorOf(tokenizer.tokenize(unseen.at(-1)!));
    expect({ indices: Array.from(first.indices), values: Array.from(first.values) }).toEqual(copy);
  });
});
