import { describe, expect, it } from 'vitest';
import { newConversation, type Conversation } from '../../src/core/conversation.js';
import { decideNextMove, DEFAULT_POLICY_SETTINGS, parseRating, type PolicyInput } from '../../src/core/dialogue-policy.js';
import type { Classification } from '../../src/core/ports/intent-classifier.js';
import type { IntentProfile } from '../../src/core/ports/intent-directory.js';

const profiles: Record<string, IntentProfile> = {
  'limit.why_dropped': { id: 'limit.why_dropped', needsDecision: true, escalate: null, aliases: ['limit-drop'] },
  'limit.how_to_increase': { id: 'limit.how_to_increase', needsDecision: true, escalate: null, aliases: ['how-to-increase'] },
  'agent.request': { id: 'agent.request', needsDecision: false, escalate: 'asked_for_person', aliases: ['talk-to-a-person'] },
  'smalltalk.thanks': { id: 'smalltalk.thanks', needsDecision: false, escalate: null, aliases: [] },
  'limit.reason_detail': { id: 'limit.reason_detail', needsDecision: true, escalate: null, aliases: ['reason-detail'] },
  'limit.what_to_do': { id: 'limit.what_to_do', needsDecision: true, escalate: null, aliases: ['what-to-do'] },
  'limit.next_review': { id: 'limit.next_review', needsDecision: true, escalate: null, aliases: ['next-review'] },
  'limit.increase_denied': { id: 'limit.increase_denied', needsDecision: true, escalate: null, aliases: ['increase-denied'] },
  'limit.utilisation': { id: 'limit.utilisation', needsDecision: false, escalate: null, aliases: ['utilisation'] },
  'account.documents_status': { id: 'account.documents_status', needsDecision: false, escalate: null, aliases: ['documents'] },
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
    reference: { kind: 'none' },
    reasonTopic: null,
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

describe('decideNextMove with a conversation context', () => {
  const explained = { decisionId: 'dec-1', reasonsShown: ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE'], neutral: false };
  const afterExplanation = conversation({ lastIntent: 'limit.why_dropped', context: { explained, lastAct: 'answer', choices: [] } });
  const classified = (intent: string, confidence = 0.9): Classification => ({ intent, confidence, runnersUp: [{ intent: 'limit.why_dropped', confidence: 0.05 }] });

  it('answers a reason named by position, by "the last one", or by what it is about', () => {
    const detail = (reference: PolicyInput['reference']) =>
      decideNextMove(input({ conversation: afterExplanation, classification: classified('limit.reason_detail'), reference }));
    expect(detail({ kind: 'position', position: 2 })).toMatchObject({ action: 'follow_up', move: { kind: 'reason_detail', position: 2 } });
    expect(detail({ kind: 'last' })).toMatchObject({ action: 'follow_up', move: { kind: 'reason_detail', position: 4 } });
    expect(detail({ kind: 'topic', codes: ['UTIL_HIGH'] })).toMatchObject({ action: 'follow_up', move: { kind: 'reason_detail', position: 3 } });
  });

  it('asks which reason when the follow-up names one that was not shown, or several', () => {
    const detail = (reference: PolicyInput['reference']) =>
      decideNextMove(input({ conversation: afterExplanation, classification: classified('limit.reason_detail'), reference }));
    expect(detail({ kind: 'position', position: 5 })).toMatchObject({ move: { kind: 'which_reason', positions: [1, 2, 3, 4] } });
    expect(detail({ kind: 'topic', codes: ['INCOME_UNSTABLE'] })).toMatchObject({ move: { kind: 'which_reason', positions: [1, 2, 3, 4] } });
    expect(detail({ kind: 'topic', codes: ['UTIL_HIGH', 'PAY_LATE_RECENT'] })).toMatchObject({ move: { kind: 'which_reason', positions: [1, 3] } });
    expect(detail({ kind: 'unmatched' })).toMatchObject({ move: { kind: 'which_reason', positions: [1, 2, 3, 4] } });
  });

  it('takes a bare "why?" right after an explanation as its top reason, and after a reason detail asks which', () => {
    const why = input({ conversation: afterExplanation, text: 'why?', classification: classified('limit.reason_detail') });
    expect(decideNextMove(why)).toMatchObject({ move: { kind: 'reason_detail', position: 1 } });
    const afterDetail = conversation({ lastIntent: 'limit.reason_detail', context: { explained, lastAct: 'answer', choices: [] } });
    expect(decideNextMove({ ...why, conversation: afterDetail })).toMatchObject({ move: { kind: 'which_reason' } });
  });

  it('reads a shown reason named in words the classifier did not place as a question about that reason', () => {
    const unsure = input({ conversation: afterExplanation, text: 'the utilisation one?', classification: { intent: 'oos', confidence: 0.2, runnersUp: [] }, reference: { kind: 'topic', codes: ['UTIL_HIGH'] } });
    expect(decideNextMove(unsure)).toMatchObject({ action: 'follow_up', intent: { id: 'limit.reason_detail' }, move: { kind: 'reason_detail', position: 3 } });
    // A clear request for a person stays one, even when it names a reason.
    const person = { ...unsure, classification: classified('agent.request') };
    expect(decideNextMove(person)).toMatchObject({ action: 'answer', intent: { id: 'agent.request' } });
  });

  it('takes "what is utilisation" or "I uploaded my payslip" after an explanation as about its reasons, and answers it in general otherwise', () => {
    const utilisation = input({ conversation: afterExplanation, text: 'what is utilisation', classification: classified('limit.utilisation'), reference: { kind: 'topic', codes: ['UTIL_HIGH'] } });
    expect(decideNextMove(utilisation)).toMatchObject({ action: 'follow_up', intent: { id: 'limit.reason_detail' }, move: { kind: 'reason_detail', position: 3 } });
    // Named but not among the reasons shown: which of the shown ones was meant.
    expect(decideNextMove({ ...utilisation, reference: { kind: 'topic', codes: ['INCOME_UNVERIFIED'] } })).toMatchObject({ action: 'follow_up', move: { kind: 'which_reason' } });
    const documents = input({ conversation: afterExplanation, classification: classified('account.documents_status'), reference: { kind: 'topic', codes: ['INQ_RECENT'] } });
    expect(decideNextMove(documents)).toMatchObject({ action: 'follow_up', move: { kind: 'reason_detail', position: 2 } });
    // With nothing explained, or after a neutral explanation, the general answer.
    expect(decideNextMove({ ...utilisation, conversation: conversation() })).toMatchObject({ action: 'answer', intent: { id: 'limit.utilisation' } });
    const neutral = conversation({ context: { explained: { decisionId: 'dec-2', reasonsShown: [], neutral: true }, lastAct: 'answer', choices: [] } });
    expect(decideNextMove({ ...utilisation, conversation: neutral })).toMatchObject({ action: 'answer', intent: { id: 'limit.utilisation' } });
  });

  it('answers "what do I do now" and "how long until it comes back" from the decision in context', () => {
    expect(decideNextMove(input({ conversation: afterExplanation, classification: classified('limit.what_to_do') }))).toMatchObject({ move: { kind: 'what_to_do' } });
    expect(decideNextMove(input({ conversation: afterExplanation, classification: classified('limit.next_review') }))).toMatchObject({ move: { kind: 'next_review' } });
    // Without a decision in context, the next review is the ordinary answer about the latest decision.
    expect(decideNextMove(input({ classification: classified('limit.next_review') }))).toMatchObject({ action: 'answer', intent: { id: 'limit.next_review' } });
  });

  it('asks what the customer means when a follow-up comes before anything was explained', () => {
    expect(decideNextMove(input({ text: 'what about the second reason?', classification: classified('limit.reason_detail'), reference: { kind: 'position', position: 2 } }))).toMatchObject({
      action: 'follow_up',
      move: { kind: 'no_context', intents: ['limit.why_dropped', 'limit.increase_denied', 'account.frozen'] },
    });
  });

  it('follows a reason quick reply, and picks an offered choice by its number or position', () => {
    expect(decideNextMove(input({ conversation: afterExplanation, text: '', classification: null, reasonTopic: 3 }))).toMatchObject({ move: { kind: 'reason_detail', position: 3 } });
    const offered = conversation({ context: { explained, lastAct: 'clarify', choices: [{ intent: 'limit.why_dropped' }, { intent: 'limit.increase_denied' }] } });
    expect(decideNextMove(input({ conversation: offered, text: '2', classification: outOfScope, reference: { kind: 'position', position: 2 } }))).toMatchObject({
      action: 'answer',
      intent: { id: 'limit.increase_denied' },
    });
    const reasons = conversation({ context: { explained, lastAct: 'clarify', choices: [{ intent: 'limit.reason_detail', reasonPosition: 2 }, { intent: 'limit.reason_detail', reasonPosition: 4 }] } });
    expect(decideNextMove(input({ conversation: reasons, text: 'the last one', classification: outOfScope, reference: { kind: 'last' } }))).toMatchObject({ move: { kind: 'reason_detail', position: 4 } });
  });

  it('asks which of two close intents was meant when the margin between them is under the calibrated one', () => {
    const close: Classification = { intent: 'limit.why_dropped', confidence: 0.52, runnersUp: [{ intent: 'limit.increase_denied', confidence: 0.44 }] };
    const settings = { ...DEFAULT_POLICY_SETTINGS, clarifyMargin: 0.1 };
    expect(decideNextMove(input({ classification: close }), settings)).toEqual({ action: 'clarify', intents: ['limit.why_dropped', 'limit.increase_denied'], miss: false });
    expect(decideNextMove(input({ classification: close }), { ...settings, clarifyMargin: 0.05 })).toMatchObject({ action: 'answer' });
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
