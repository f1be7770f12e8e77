import { describe, expect, it } from 'vitest';
import { TfidfVectorizer, extractFeatureKeys, featureOptionsSchema } from '../../src/nlu/tfidf-vectorizer.js';
import { createUtteranceTokenizer } from '../../src/nlu/tokenize-utterance.js';

const tokenizer = createUtteranceTokenizer();
const options = featureOptionsSchema.parse({});

function norm(values: Float32Array): number {
  return Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
}

describe('extractFeatureKeys', () => {
  it('makes stem unigrams, boundary-padded bigrams and padded character n-grams for English', () => {
    const keys = extractFeatureKeys(tokenizer.tokenize('raise limits'), options);
    expect(keys.word).toEqual(['w rais', 'w limit', 'w2 <s> rais', 'w2 rais limit', 'w2 limit </s>']);
    expect(keys.char).toContain('c r');
    expect(keys.char).toContain('c rais');
    expect(keys.char).toContain('cits ');
    expect(keys.char.every((key) => key.length >= 3 && key.length <= 6)).toBe(true);
    expect(keys.han).toEqual([]);
  });

  it('makes Han character uni-, bi- and trigrams with run boundaries', () => {
    const keys = extractFeatureKeys(tokenizer.tokenize('额度降'), options);
    expect(keys.han).toEqual(['h额', 'h度', 'h降', 'h^额', 'h额度', 'h度降', 'h降$', 'h^额度', 'h额度降', 'h度降$']);
  });
});

describe('TfidfVectorizer', () => {
  const documents = ['why did my limit drop', 'raise my limit please', '额度降了', 'hello there'].map((text) =>
    extractFeatureKeys(tokenizer.tokenize(text), options),
  );
  const vectorizer = TfidfVectorizer.fit(documents, options);

  it('produces unit-length vectors with sorted unique indices', () => {
    for (const document of documents) {
      const vector = vectorizer.transform(document);
      expect(norm(vector.values)).toBeCloseTo(1, 5);
      const indices = Array.from(vector.indices);
      expect(indices).toEqual([...new Set(indices)].sort((a, b) => a - b));
    }
  });

  it('weights rare features above common ones', () => {
    const vector = vectorizer.transform(extractFeatureKeys(tokenizer.tokenize('my drop'), { ...options, charNgramMax: 1 }));
    const state = vectorizer.toState();
    const valueOf = (feature: string): number => {
      const index = state.features.indexOf(feature);
      return vector.values[Array.from(vector.indices).indexOf(index)] ?? Number.NaN;
    };
    expect(valueOf('w drop')).toBeGreaterThan(valueOf('w my'));
  });

  it('ignores features it never saw and returns an empty vector for unknown text', () => {
    const vector = vectorizer.transform(extractFeatureKeys(tokenizer.tokenize('zzqx'), { ...options, charNgramMin: 5 }));
    expect(vector.indices.length).toBe(0);
  });

  it('keeps the vocabulary order independent of the order of the training documents', () => {
    const reversed = TfidfVectorizer.fit([...documents].reverse(), options);
    expect(reversed.toState()).toEqual(vectorizer.toState());
  });

  it('drops features under the minimum document frequency', () => {
    const pruned = TfidfVectorizer.fit(documents, { ...options, minDocumentFrequency: 2 });
    expect(pruned.toState().features).toContain('w my');
    expect(pruned.toState().features).not.toContain('w drop');
  });

  it('round-trips through its serialised state', () => {
    const restored = TfidfVectorizer.fromState(JSON.parse(JSON.stringify(vectorizer.toState())));
    const document = documents[0]!;
    expect(restored.transform(document)).toEqual(vectorizer.transform(document));
  });

  it('applies group weights: a heavier word group takes a larger share of the vector', () => {
    const heavy = TfidfVectorizer.fit(documents, { ...options, wordWeight: 3 });
    const share = (v: TfidfVectorizer): number => {
      const vector = v.transform(documents[0]!);
      const features = v.toState().features;
      let word = 0;
      vector.indices.forEach((index, k) => {
        if (features[index]!.startsWith('w')) word += vector.values[k]! ** 2;
      });
      return word;
    };
    expect(share(heavy)).toBeGreaterThan(share(vectorizer));
  });
});
