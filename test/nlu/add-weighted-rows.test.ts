import { describe, expect, it } from 'vitest';
import { addWeightedRows } from '../../src/nlu/add-weighted-rows.js';
import { createSeededRandom } from '../../src/nlu/create-seeded-random.js';
import type { SparseVector } from '../../src/nlu/sparse-vector.js';

/** The loop as it was written before: four features per pass over `out`, then one at a time. */
function addFourPerPass(weights: Float32Array, width: number, vector: SparseVector, out: Float64Array): void {
  const { indices, values } = vector;
  let k = 0;
  for (; k + 3 < indices.length; k += 4) {
    for (let i = 0; i < width; i += 1) {
      out[i]! +=
        values[k]! * weights[indices[k]! * width + i]! +
        values[k + 1]! * weights[indices[k + 1]! * width + i]! +
        values[k + 2]! * weights[indices[k + 2]! * width + i]! +
        values[k + 3]! * weights[indices[k + 3]! * width + i]!;
    }
  }
  for (; k < indices.length; k += 1) {
    for (let i = 0; i < width; i += 1) out[i]! += values[k]! * weights[indices[k]! * width + i]!;
  }
}

describe('addWeightedRows', () => {
  const random = createSeededRandom(7);
  const features = 40;
  const width = 13;
  const weights = Float32Array.from({ length: features * width }, () => random() * 2 - 1);

  it('gives bit for bit what four features per pass give, for every count of features', () => {
    for (let count = 0; count <= 25; count += 1) {
      const indices = Int32Array.from({ length: count }, (_, k) => (k * 7 + count) % features);
      const values = Float32Array.from({ length: count }, () => random() * 3 - 1);
      const start = Float64Array.from({ length: width }, () => random());
      const expected = Float64Array.from(start);
      addFourPerPass(weights, width, { indices, values }, expected);
      const actual = Float64Array.from(start);
      addWeightedRows(weights, width, { indices, values }, actual);
      expect(Array.from(actual), `count ${count}`).toEqual(Array.from(expected));
    }
  });

  it('adds the weighted rows', () => {
    const out = new Float64Array(width).fill(1);
    addWeightedRows(weights, width, { indices: Int32Array.of(3, 5), values: Float32Array.of(2, -0.5) }, out);
    for (let i = 0; i < width; i += 1) {
      expect(out[i]).toBeCloseTo(1 + 2 * weights[3 * width + i]! - 0.5 * weights[5 * width + i]!, 12);
    }
  });
});
