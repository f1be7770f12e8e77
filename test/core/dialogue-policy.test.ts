import { describe, expect, it } from 'vitest';
import { newConversation, type Conversation } from '../../src/core/conversation.js';
import { decideNextMove, parseRating, type PolicyInput } from '../../src/core/dialogue-policy.js';
import type { Classification } from '../../src/core/ports/intent-classifier.js';
import type { IntentProfile } from '../../src/core/ports/intent-directory.js';

const profiles: Record<string, IntentProfile> = {
  'limit.why_dropped': { id: 'limit.why_dropped', needsDecision: true, escalate: null, aliases: ['limit-drop'] },
  'limit.how_to_increase': { id: 'limit.how_to_increase', needsDecision: true, escalate: null, aliases: ['how-to-increase'] },
  'agent.request': { id: 'agent.request', needsDecision: false, escalate: 'asked_for_person', aliases: ['talk-to-a-person'] },
  'smalltalk.thanks': { id: 'smalltalk.thanks', needsDecision: false, escalate: null, aliases: [] },
};

function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return { ...newConversation({ id: 'c1', channel: 'test', customerId: 'demo-drop', locale: 'en', now: '2026-01-01T00:00:00Z' }), ...overrides };
}

function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    conversation: conversation(),
    text: 'why did my limit drop',
    topicIntent: undefined,
    unknownTopic: false,
    classification: { intent: 'limit.why_dropped', confidence: 0.93, runnersUp: [{ intent: 'limit.how_to_increase', confidence: 0.04 }] },
    profileOf: (id) => profiles[id],
    sentiment: 0,
    ...overrides,
  };
}

const unsure: Classification = {
  intent: 'limit.why_dropped',
  confidence: 0.31,
  runnersUp: [{ intent: 'limit.how_to_increase', confidence: 0.29 }],
};
const outOfScope: Classification = { intent: 'oos', confidence: 0.2, runnersUp: [] };

describe('decideNextMove', () => {
  it('answers a confident in-scope intent', () => {
    expect(decideNextMove(input())).toEqual({ action: 'answer', intent: profiles['limit.why_dropped'], escalate: null });
  });

  it('asks which of the top two intents was meant when unsure', () => {
    expect(decideNextMove(input({ classification: unsure }))).toEqual({
      action: 'clarify',
      intents: ['limit.why_dropped', 'limit.how_to_increase'],
      miss: true,
    });
  });

  it('offers a person after the second miss in a row, and hands over after the third', () => {
    expect(decideNextMove(input({ classification: outOfScope }))).toMatchObject({ action: 'out_of_scope', offerAgent: false });
    expect(decideNextMove(input({ classification: outOfScope, conversation: conversation({ consecutiveMisses: 1 }) }))).toMatchObject({
      action: 'out_of_scope',
      offerAgent: true,
    });
    expect(decideNextMove(input({ classification: unsure, conversation: conversation({ consecutiveMisses: 2 }) }))).toEqual({
      action: 'escalate',
      trigger: 'repeated_misses',
    });
  });

  it('escalates the intents flagged for a person', () => {
    const decision = decideNextMove(input({ classification: { intent: 'agent.request', confidence: 0.9, runnersUp: [] } }));
    expect(decision).toEqual({ action: 'answer', intent: profiles['agent.request'], escalate: 'asked_for_person' });
  });

  it('answers and escalates a strongly negative but understood message', () => {
    expect(decideNextMove(input({ sentiment: -0.8 }))).toMatchObject({ action: 'answer', escalate: 'negative_sentiment' });
  });

  it('escalates a strongly negative message it does not understand', () => {
    expect(decideNextMove(input({ sentiment: -0.8, classification: outOfScope }))).toEqual({ action: 'escalate', trigger: 'negative_sentiment' });
  });

  it('does not answer while a person has the conversation', () => {
    expect(decideNextMove(input({ conversation: conversation({ state: 'queued' }) }))).toEqual({ action: 'relay_to_agent' });
    expect(decideNextMove(input({ conversation: conversation({ state: 'claimed' }) }))).toEqual({ action: 'relay_to_agent' });
  });

  it('takes a deep-link topic over the classifier and greets on an unknown one', () => {
    expect(decideNextMove(input({ topicIntent: profiles['limit.how_to_increase'], classification: null }))).toMatchObject({
      action: 'answer',
      intent: { id: 'limit.how_to_increase' },
    });
    expect(decideNextMove(input({ unknownTopic: true, text: '', classification: null }))).toEqual({ action: 'greet' });
  });

  it('records a rating only when one is awaited', () => {
    expect(decideNextMove(input({ text: '4', conversation: conversation({ awaitingRating: true }) }))).toEqual({
      action: 'record_rating',
      rating: 4,
    });
    expect(decideNextMove(input({ text: '4', classification: outOfScope }))).toMatchObject({ action: 'out_of_scope' });
  });

  it('keeps thanks as small talk', () => {
    expect(decideNextMove(input({ classification: { intent: 'smalltalk.thanks', confidence: 0.4, runnersUp: [] } }))).toEqual({
      action: 'smalltalk',
      intent: 'smalltalk.thanks',
    });
  });
});

describe('parseRating', () => {
  it.each([
    ['5', 5],
    [' 3 ', 3],
    ['4/5', 4],
    ['★★', 2],
    ['6', null],
    ['0', null],
    ['great', null],
  ])('reads %j as %j', (text, expected) => {
    expect(parseRating(text)).toBe(expected);
  });
});
