import type { Conversation, ConversationState } from './conversation.js';
import type { EscalationCase } from './escalation-case.js';

/** What happens to a case after the core opened it: an agent claims, resolves or returns it, the desk stays unreachable, the customer asks for a callback. */
export type CaseEvent = 'claimed' | 'resolved' | 'returned' | 'desk_unreachable' | 'callback_requested';

/** Where each case event leaves the conversation, and whether the conversation then waits for a rating. */
const CONVERSATION_AFTER: Record<CaseEvent, { state: ConversationState; awaitingRating: boolean } | null> = {
  claimed: { state: 'claimed', awaitingRating: false },
  resolved: { state: 'resolved', awaitingRating: true },
  returned: { state: 'bot', awaitingRating: false },
  desk_unreachable: { state: 'bot', awaitingRating: false },
  callback_requested: null,
};

/**
 * The case's conversation after a case event, or undefined when the event leaves the conversation as it
 * is, or the conversation is gone or already belongs to a newer case (an old case never moves it).
 */
export function conversationAfterCaseEvent(conversation: Conversation | null, item: EscalationCase, event: CaseEvent, now: string): Conversation | undefined {
  const after = CONVERSATION_AFTER[event];
  if (after === null || conversation === null || conversation.caseId !== item.id) return undefined;
  return { ...conversation, state: after.state, awaitingRating: after.awaitingRating, updatedAt: now };
}

/** A case closed by an agent (resolved or handed back to the bot), or by the desk staying unreachable; the first agent on it stays named. */
export function closedCase(item: EscalationCase, status: 'resolved' | 'returned', now: string, agent?: { id: string; name: string }): EscalationCase {
  return {
    ...item,
    status,
    agentId: item.agentId ?? agent?.id ?? null,
    agentName: item.agentName ?? agent?.name ?? null,
    resolvedAt: now,
  };
}

/** A queued case the customer asked to be called back about; it stays open for agents. */
export function callbackRequestedCase(item: EscalationCase): EscalationCase {
  return { ...item, status: 'callback' };
}

/** A callback request put back in the queue so that the store's atomic claim can take it. */
export function requeuedCase(item: EscalationCase): EscalationCase {
  return { ...item, status: 'queued' };
}
