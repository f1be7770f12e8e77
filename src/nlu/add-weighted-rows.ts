import type { SparseVector } from './sparse-vector.js';

/**
 * `out += Σ value · row(weights)` over a sparse vector's features, where row `f` is the `width`
 * floats from `f * width` (a feature-major weight matrix): the inner loop of the linear model and of
 * the network's input layer.
 *
 * Features are taken four at a time, and each four's products are summed before they are added to
 * `out`; eight go through per pass over `out` (two such sums added one after the other), which halves
 * the loads and stores of `out` without changing a single rounding.
 */
export function addWeightedRows(weights: Float32Array, width: number, vector: SparseVector, out: Float64Array): void {
  const { indices, values } = vector;
  const count = indices.length;
  let k = 0;
  for (; k + 7 < count; k += 8) {
    const v0 = values[k]!;
    const v1 = values[k + 1]!;
    const v2 = values[k + 2]!;
    const v3 = values[k + 3]!;
    const v4 = values[k + 4]!;
    const v5 = values[k + 5]!;
    const v6 = values[k + 6]!;
    const v7 = values[k + 7]!;
    const r0 = indices[k]! * width;
    const r1 = indices[k + 1]! * width;
    const r2 = indices[k + 2]! * width;
    const r3 = indices[k + 3]! * width;
    const r4 = indices[k + 4]! * width;
    const r5 = indices[k + 5]! * width;
    const r6 = indices[k + 6]! * width;
    const r7 = indices[k + 7]! * width;
    for (let i = 0; i < width; i += 1) {
      const first = out[i]! + (v0 * weights[r0 + i]! + v1 * weights[r1 + i]! + v2 * weights[r2 + i]! + v3 * weights[r3 + i]!);
      out[i] = first + (v4 * weights[r4 + i]! + v5 * weights[r5 + i]! + v6 * weights[r6 + i]! + v7 * weights[r7 + i]!);
    }
  }
  if (k + 3 < count) {
    const v0 = values[k]!;
    const v1 = values[k + 1]!;
    const v2 = values[k + 2]!;
    const v3 = values[k + 3]!;
    const r0 = indices[k]! * width;
    const r1 = indices[k + 1]! * width;
    const r2 = indices[k + 2]! * width;
    const r3 = indices[k + 3]! * width;
    for (let i = 0; i < width; i += 1) {
      out[i]! += v0 * weights[r0 + i]! + v1 * weights[r1 + i]! + v2 * weights[r2 + i]! + v3 * weights[r3 + i]!;
    }
    k += 4;
  }
  for (; k < count; k += 1) {
    const value = values[k]!;
    const row = indices[k]! * width;
    for (let i = 0; i < width; i += 1) out[i]! += value * weights[row + i]!;
  }
}
