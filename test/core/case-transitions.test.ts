import { describe, expect, it } from 'vitest';
import { callbackRequestedCase, closedCase, conversationAfterCaseEvent, requeuedCase } from '../../src/core/case-transitions.js';
import { emptyContext } from '../../src/core/conversation-context.js';
import type { Conversation } from '../../src/core/conversation.js';
import type { EscalationCase } from '../../src/core/escalation-case.js';

const NOW = '2026-12-03T10:00:00.000Z';

const item: EscalationCase = {
  id: 'case-1', ref: 'C-1', conversationId: 'conv-1', customerRef: 'c***1', locale: 'en', intent: 'handover.request', decisionId: 'd-1',
  reasonsShown: [], trigger: 'asked_for_person', restricted: false, note: null, status: 'queued', agentId: null, agentName: null,
  rating: null, createdAt: '2026-12-03T09:00:00.000Z', claimedAt: null, resolvedAt: null,
};

const conversation: Conversation = {
  id: 'conv-1', channel: 'web', customerId: 'cust-1', locale: 'en', state: 'queued', caseId: 'case-1', consecutiveMisses: 0,
  lastIntent: 'handover.request', awaitingRating: false, botRating: null, context: emptyContext(), createdAt: item.createdAt, updatedAt: item.createdAt,
};

describe('case transitions: how a case event moves the case and its conversation', () => {
  it('moves the conversation to the agent on a claim, to a rating on resolve, and back to the bot on return or an unreachable desk', () => {
    expect(conversationAfterCaseEvent(conversation, item, 'claimed', NOW)).toMatchObject({ state: 'claimed', awaitingRating: false, updatedAt: NOW });
    expect(conversationAfterCaseEvent(conversation, item, 'resolved', NOW)).toMatchObject({ state: 'resolved', awaitingRating: true });
    expect(conversationAfterCaseEvent(conversation, item, 'returned', NOW)).toMatchObject({ state: 'bot', awaitingRating: false });
    expect(conversationAfterCaseEvent({ ...conversation, awaitingRating: true }, item, 'desk_unreachable', NOW)).toMatchObject({ state: 'bot', awaitingRating: false });
  });

  it('leaves the conversation alone when it belongs to a newer case, is gone, or the event does not move it', () => {
    expect(conversationAfterCaseEvent({ ...conversation, caseId: 'case-2' }, item, 'resolved', NOW)).toBeUndefined();
    expect(conversationAfterCaseEvent(null, item, 'claimed', NOW)).toBeUndefined();
    expect(conversationAfterCaseEvent(conversation, item, 'callback_requested', NOW)).toBeUndefined();
  });

  it('closes a case naming the first agent on it, and the closing agent only when nobody claimed it', () => {
    const claimed = { ...item, status: 'claimed' as const, agentId: 'U1', agentName: 'Amy' };
    expect(closedCase(claimed, 'resolved', NOW, { id: 'U2', name: 'Ben' })).toMatchObject({ status: 'resolved', agentId: 'U1', agentName: 'Amy', resolvedAt: NOW });
    expect(closedCase(item, 'returned', NOW, { id: 'U2', name: 'Ben' })).toMatchObject({ status: 'returned', agentId: 'U2', agentName: 'Ben' });
    expect(closedCase(item, 'returned', NOW)).toMatchObject({ status: 'returned', agentId: null, agentName: null, resolvedAt: NOW });
  });

  it('marks a callback request and puts it back in the queue for a claim', () => {
    const callback = callbackRequestedCase(item);
    expect(callback.status).toBe('callback');
    expect(requeuedCase(callback).status).toBe('queued');
  });
});
