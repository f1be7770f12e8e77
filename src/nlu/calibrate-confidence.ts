/** What calibration needs to know about one calibration utterance under the current model. */
export interface CalibrationPoint {
  /** Probability of the best in-scope intent. */
  bestInScopeProbability: number;
  /** True when the best in-scope intent is the right one. */
  isBestInScopeCorrect: boolean;
  /** True when the out-of-scope class itself has the highest probability. */
  isOosTop: boolean;
  /** True when the utterance is really out of scope. */
  isOos: boolean;
}

/** The result of choosing an out-of-scope threshold. */
export interface ThresholdChoice {
  threshold: number;
  inScopeAccuracy: number;
  oosRecall: number;
}

/** Measures in-scope accuracy and out-of-scope recall of calibration points at one threshold. */
export function measureAtThreshold(points: readonly CalibrationPoint[], threshold: number): ThresholdChoice {
  let inScope = 0;
  let inScopeCorrect = 0;
  let oos = 0;
  let oosCaught = 0;
  for (const point of points) {
    const saysOos = point.isOosTop || point.bestInScopeProbability < threshold;
    if (point.isOos) {
      oos += 1;
      if (saysOos) oosCaught += 1;
    } else {
      inScope += 1;
      if (!saysOos && point.isBestInScopeCorrect) inScopeCorrect += 1;
    }
  }
  return {
    threshold,
    inScopeAccuracy: inScope === 0 ? 0 : inScopeCorrect / inScope,
    oosRecall: oos === 0 ? 0 : oosCaught / oos,
  };
}

/**
 * Picks the out-of-scope threshold on the best in-scope probability that catches the most
 * out-of-scope utterances while giving up at most `maxInScopeAccuracyLoss` of in-scope accuracy
 * (against no threshold); ties go to the lower threshold.
 */
export function chooseOosThreshold(points: readonly CalibrationPoint[], maxInScopeAccuracyLoss: number): ThresholdChoice {
  const baseline = measureAtThreshold(points, 0);
  // Candidate thresholds sit just above each observed probability, so each step flips one more point.
  const candidates = [...new Set(points.map((point) => point.bestInScopeProbability))]
    .sort((a, b) => a - b)
    .map((probability) => Math.min(1, probability + 1e-9));
  let best = baseline;
  for (const threshold of candidates) {
    const measured = measureAtThreshold(points, threshold);
    if (baseline.inScopeAccuracy - measured.inScopeAccuracy > maxInScopeAccuracyLoss + 1e-12) break;
    if (measured.oosRecall > best.oosRecall) best = measured;
  }
  return best;
}

/** Negative mean log-likelihood of the true classes under softmax(logits / temperature). */
export function negativeLogLikelihood(logits: readonly Float64Array[], labels: readonly number[], temperature: number): number {
  let total = 0;
  logits.forEach((scores, i) => {
    let max = -Infinity;
    for (const score of scores) if (score / temperature > max) max = score / temperature;
    let sum = 0;
    for (const score of scores) sum += Math.exp(score / temperature - max);
    const label = labels[i] ?? 0;
    total -= (scores[label] ?? 0) / temperature - max - Math.log(sum);
  });
  return logits.length === 0 ? 0 : total / logits.length;
}

/** Fits the softmax temperature that minimises the negative log-likelihood (temperature scaling). */
export function fitTemperature(logits: readonly Float64Array[], labels: readonly number[]): number {
  if (logits.length === 0) return 1;
  // Golden-section search over log(temperature) in [1/50, 50]; the objective is convex in 1/T.
  let low = Math.log(0.02);
  let high = Math.log(50);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = negativeLogLikelihood(logits, labels, Math.exp(a));
  let fb = negativeLogLikelihood(logits, labels, Math.exp(b));
  for (let iteration = 0; iteration < 60; iteration += 1) {
    if (fa < fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = negativeLogLikelihood(logits, labels, Math.exp(a));
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = negativeLogLikelihood(logits, labels, Math.exp(b));
    }
  }
  return Math.exp((low + high) / 2);
}
