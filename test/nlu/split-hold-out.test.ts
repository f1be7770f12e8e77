import { describe, expect, it } from 'vitest';
import { splitHoldOut } from '../../src/nlu/split-hold-out.js';
import { buildTinyDataset } from './tiny-dataset.js';

const { train } = buildTinyDataset();

describe('splitHoldOut', () => {
  it('holds out a share of every intent and locale, deterministically, without losing lines', () => {
    const first = splitHoldOut(train, 0.25, 1);
    const second = splitHoldOut(train, 0.25, 1);
    expect(second).toEqual(first);
    expect(first.train.length + first.holdOut.length).toBe(train.length);
    const heldIntents = new Set(first.holdOut.map((line) => `${line.intent}/${line.locale}`));
    expect(heldIntents.size).toBe(new Set(train.map((line) => `${line.intent}/${line.locale}`)).size);
  });
});
