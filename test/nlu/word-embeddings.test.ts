import { describe, expect, it } from 'vitest';
import { WordEmbeddings } from '../../src/nlu/word-embeddings.js';

function table(): WordEmbeddings {
  // Rows of length 5, 1 and 2 before normalisation.
  return new WordEmbeddings(['cat', 'dog', 'car'], Float32Array.from([3, 4, 0, 0, 1, 0, 0, 0, 2]), 3);
}

describe('WordEmbeddings', () => {
  it('keeps every word vector at unit length and finds rows by word', () => {
    const embeddings = table();
    expect(embeddings.size).toBe(3);
    expect(Array.from(embeddings.vectorOf('cat') ?? [])).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6), 0]);
    expect(Array.from(embeddings.vectorOf('car') ?? [])).toEqual([0, 0, 1]);
    expect(embeddings.vectorOf('cow')).toBeUndefined();
    expect(embeddings.rowOf('dog')).toBe(1);
    expect(embeddings.rowOf('cow')).toBe(-1);
    expect(embeddings.has('car')).toBe(true);
  });

  it('averages the known words of an utterance into a unit vector and counts them', () => {
    const embeddings = table();
    const out = new Float64Array(3);
    expect(embeddings.meanVector(['dog', 'unknown', 'car'], out)).toBe(2);
    expect(Array.from(out)).toEqual([0, expect.closeTo(Math.SQRT1_2, 6), expect.closeTo(Math.SQRT1_2, 6)]);
    expect(embeddings.meanVector(['dog', 'dog'], out)).toBe(2);
    expect(Array.from(out)).toEqual([0, 1, 0]);
    out.fill(7);
    expect(embeddings.meanVector(['nothing', 'known'], out)).toBe(0);
    expect(Array.from(out)).toEqual([0, 0, 0]);
  });

  it('projects every word through a block of feature-major weights', () => {
    const embeddings = table();
    // Two sparse features before the block, two classes: rows 2..4 are the block.
    const weights = Float32Array.from([9, 9, 9, 9, 1, 2, 3, 4, 5, 6]);
    const projected = embeddings.projectRows(weights, 2, 2);
    expect(projected.length).toBe(6);
    expect(Array.from(projected.subarray(0, 2))).toEqual([expect.closeTo(0.6 * 1 + 0.8 * 3, 5), expect.closeTo(0.6 * 2 + 0.8 * 4, 5)]);
    expect(Array.from(projected.subarray(2, 4))).toEqual([3, 4]);
    expect(Array.from(projected.subarray(4, 6))).toEqual([5, 6]);
    expect(() => embeddings.projectRows(weights, 3, 2)).toThrow(RangeError);
  });

  it('round-trips through its JSON state', () => {
    const embeddings = table();
    const restored = WordEmbeddings.fromState(JSON.parse(JSON.stringify(embeddings.toState())));
    expect(restored.dimensions).toBe(3);
    for (const word of ['cat', 'dog', 'car']) expect(restored.vectorOf(word)).toEqual(embeddings.vectorOf(word));
  });

  it('rejects inconsistent sizes and repeated words', () => {
    expect(() => new WordEmbeddings(['a'], new Float32Array(2), 3)).toThrow(RangeError);
    expect(() => new WordEmbeddings(['a', 'a'], new Float32Array(2), 1)).toThrow(RangeError);
  });
});
