import { describe, expect, it } from 'vitest';
import { nameIntents, readableIntentId } from '../../src/operations/name-intents.js';

describe('nameIntents', () => {
  it('names an intent by its content label, and an unknown one by a readable form of its id', () => {
    const name = nameIntents({ 'limit.why_dropped': 'Why my limit dropped' });
    expect(name('limit.why_dropped')).toBe('Why my limit dropped');
    expect(name('limit.how_to_increase')).toBe('Limit: how to increase');
    expect(name('constructor')).toBe('Constructor');
  });

  it('makes ids readable', () => {
    expect(readableIntentId('privacy.erasure_request')).toBe('Privacy: erasure request');
    expect(readableIntentId('oos')).toBe('Oos');
    expect(readableIntentId('')).toBe('');
  });
});
