import { createSeededRandom, shuffleInPlace } from './create-seeded-random.js';
import type { TrainingExample } from './training-example.js';

/** Splits examples into a training part and a held-out part, stratified by intent and seeded. */
export function splitHoldOut(
  examples: readonly TrainingExample[],
  share: number,
  seed: number,
): { train: TrainingExample[]; holdOut: TrainingExample[] } {
  const random = createSeededRandom(seed);
  const byStratum = new Map<string, TrainingExample[]>();
  for (const example of examples) {
    const stratum = `${example.intent}\u0000${example.locale ?? ''}`;
    const list = byStratum.get(stratum) ?? [];
    list.push(example);
    byStratum.set(stratum, list);
  }
  const train: TrainingExample[] = [];
  const holdOut: TrainingExample[] = [];
  for (const stratum of [...byStratum.keys()].sort()) {
    const list = shuffleInPlace([...(byStratum.get(stratum) ?? [])], random);
    const count = list.length < 3 ? 0 : Math.max(1, Math.round(list.length * share));
    holdOut.push(...list.slice(0, count));
    train.push(...list.slice(count));
  }
  return { train, holdOut };
}
