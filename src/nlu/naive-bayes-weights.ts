import type { SoftmaxModelState } from './softmax-model.js';
import type { WeightedExample } from './softmax-model.js';

/**
 * Fits a multinomial naive Bayes model over (TF-IDF weighted) sparse features and returns it as a
 * linear model: weights are log P(feature | class) with additive smoothing `alpha`, biases log priors.
 */
export function fitNaiveBayesWeights(
  examples: readonly WeightedExample[],
  featureCount: number,
  classCount: number,
  alpha: number,
): SoftmaxModelState {
  if (!(alpha > 0)) throw new RangeError('naive Bayes smoothing must be positive');
  const counts = new Float64Array(featureCount * classCount);
  const totals = new Float64Array(classCount);
  const lines = new Float64Array(classCount);
  for (const example of examples) {
    const weight = example.weight ?? 1;
    const { indices, values } = example.vector;
    lines[example.label]! += weight;
    for (let k = 0; k < indices.length; k += 1) {
      const value = values[k]! * weight;
      counts[indices[k]! * classCount + example.label]! += value;
      totals[example.label]! += value;
    }
  }
  const allLines = lines.reduce((sum, count) => sum + count, 0);
  const weights = new Float32Array(featureCount * classCount);
  const bias = new Float32Array(classCount);
  const logDenominators = Array.from(totals, (total) => Math.log(total + alpha * featureCount));
  for (let c = 0; c < classCount; c += 1) {
    // A class without lines keeps a very low prior instead of -Infinity, so scores stay finite.
    bias[c] = Math.log(((lines[c] ?? 0) + 1e-3) / (allLines + 1e-3 * classCount));
  }
  for (let f = 0; f < featureCount; f += 1) {
    const row = f * classCount;
    for (let c = 0; c < classCount; c += 1) weights[row + c] = Math.log(counts[row + c]! + alpha) - logDenominators[c]!;
  }
  return { featureCount, classCount, weights, bias };
}

/** Adds linear models with the given factors (e.g. an SVM and naive Bayes, each divided by its temperature) into one. */
export function blendLinearModels(parts: readonly { state: SoftmaxModelState; factor: number }[]): SoftmaxModelState {
  const first = parts[0];
  if (first === undefined) throw new RangeError('nothing to blend');
  const { featureCount, classCount } = first.state;
  const weights = new Float32Array(featureCount * classCount);
  const bias = new Float32Array(classCount);
  for (const { state, factor } of parts) {
    if (state.featureCount !== featureCount || state.classCount !== classCount) throw new RangeError('blended models differ in shape');
    for (let i = 0; i < weights.length; i += 1) weights[i]! += factor * state.weights[i]!;
    for (let c = 0; c < classCount; c += 1) bias[c]! += factor * state.bias[c]!;
  }
  return { featureCount, classCount, weights, bias };
}
