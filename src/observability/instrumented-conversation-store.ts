import type { Conversation, StoredMessage } from '../core/conversation.js';
import type { CaseStatus, EscalationCase, ExplanationRecord } from '../core/escalation-case.js';
import type { NewOutboxItem, OutboxItem } from '../core/outbox.js';
import type {
  ClaimResult,
  ConversationStore,
  ConversationSummary,
  CountedValue,
  ExplanationQuery,
  PendingDelivery,
  TimeRange,
  RetentionPass,
  TurnState,
  SaveTurnOutcome,
  TurnWrite,
} from '../core/ports/conversation-store.js';
import type { CandorMetrics } from './candor-metrics.js';

const OUTCOMES: ReadonlySet<CaseStatus> = new Set(['resolved', 'returned', 'callback']);

/**
 * A ConversationStore decorator that records case metrics where cases change: time to claim on a
 * won claim, the outcome and resolution time when a case leaves the queue, and CSAT when a rating
 * is first stored. Everything else passes straight through.
 */
export class InstrumentedConversationStore implements ConversationStore {
  constructor(
    private readonly inner: ConversationStore,
    private readonly metrics: CandorMetrics,
  ) {}

  async claimCase(caseId: string, agent: { id: string; name: string }, at: string): Promise<ClaimResult> {
    const result = await this.inner.claimCase(caseId, agent, at);
    if (result.status === 'claimed' && result.case.claimedAt !== null) {
      this.metrics.timeToClaimSeconds.observe(secondsBetween(result.case.createdAt, result.case.claimedAt));
    }
    return result;
  }

  async updateCase(update: { case: EscalationCase; conversation?: Conversation; messages?: StoredMessage[]; outbox?: NewOutboxItem[] }): Promise<void> {
    const before = await this.inner.getCase(update.case.id);
    await this.inner.updateCase(update);
    const after = update.case;
    if (before === null) return;
    if (before.status !== after.status && OUTCOMES.has(after.status)) {
      this.metrics.caseOutcomes.inc({ outcome: after.status });
      if (after.status === 'resolved' && after.resolvedAt !== null) this.metrics.resolutionSeconds.observe(secondsBetween(after.createdAt, after.resolvedAt));
    }
    if (before.rating === null && after.rating !== null) this.metrics.csatRatings.inc({ rating: String(after.rating), handled: 'agent' });
  }

  getConversation(id: string): Promise<Conversation | null> {
    return this.inner.getConversation(id);
  }
  async loadTurnState(conversationId: string, clientMessageId: string | null): Promise<TurnState> {
    if (this.inner.loadTurnState) return this.inner.loadTurnState(conversationId, clientMessageId);
    const conversation = await this.inner.getConversation(conversationId);
    const hasClientMessage = conversation !== null && clientMessageId !== null && (await this.inner.hasClientMessage(conversationId, clientMessageId));
    return { conversation, hasClientMessage };
  }
  hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean> {
    return this.inner.hasClientMessage(conversationId, clientMessageId);
  }
  saveTurn(write: TurnWrite): Promise<SaveTurnOutcome> {
    return this.inner.saveTurn(write);
  }
  listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]> {
    return this.inner.listMessages(conversationId, limit);
  }
  getCase(id: string): Promise<EscalationCase | null> {
    return this.inner.getCase(id);
  }
  getCaseByRef(ref: string): Promise<EscalationCase | null> {
    return this.inner.getCaseByRef(ref);
  }
  listCases(statuses: CaseStatus[]): Promise<EscalationCase[]> {
    return this.inner.listCases(statuses);
  }
  listExplanations(query: ExplanationQuery): Promise<ExplanationRecord[]> {
    return this.inner.listExplanations(query);
  }
  claimOutbox(limit: number, now: string, leaseMs: number): Promise<OutboxItem[]> {
    return this.inner.claimOutbox(limit, now, leaseMs);
  }
  completeOutbox(id: string, result: Record<string, unknown>): Promise<void> {
    return this.inner.completeOutbox(id, result);
  }
  retryOutbox(id: string, nextAttemptAt: string, error: string, options?: { countsAsAttempt?: boolean }): Promise<void> {
    return this.inner.retryOutbox(id, nextAttemptAt, error, options);
  }
  releaseOutbox(now: string): Promise<number> {
    return this.inner.releaseOutbox(now);
  }
  deadLetterOutbox(id: string, error: string): Promise<void> {
    return this.inner.deadLetterOutbox(id, error);
  }
  deadLetterCaseOutbox(caseId: string, error: string): Promise<number> {
    return this.inner.deadLetterCaseOutbox(caseId, error);
  }
  outboxResults(caseId: string, topic: NewOutboxItem['topic']): Promise<Record<string, unknown>[]> {
    return this.inner.outboxResults(caseId, topic);
  }
  findCaseIdByCard(card: { channel: string; ts: string }): Promise<string | null> {
    return this.inner.findCaseIdByCard(card);
  }
  outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }> {
    return this.inner.outboxStats(now);
  }
  markEventSeen(eventId: string, at: string): Promise<boolean> {
    return this.inner.markEventSeen(eventId, at);
  }
  enqueueDelivery(delivery: PendingDelivery): Promise<void> {
    return this.inner.enqueueDelivery(delivery);
  }
  listPendingDeliveries(recipient: string, options?: { includeAckedSince?: string }): Promise<PendingDelivery[]> {
    return this.inner.listPendingDeliveries(recipient, options);
  }
  ackDelivery(recipient: string, id: string): Promise<void> {
    return this.inner.ackDelivery(recipient, id);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  summarizeConversations(range: TimeRange): Promise<ConversationSummary[]> {
    return this.inner.summarizeConversations(range);
  }
  listCasesCreated(range: TimeRange): Promise<EscalationCase[]> {
    return this.inner.listCasesCreated(range);
  }
  countCustomerIntents(range: TimeRange): Promise<CountedValue[]> {
    return this.inner.countCustomerIntents(range);
  }
  topCustomerTexts(range: TimeRange, intent: string, limit: number): Promise<CountedValue[]> {
    return this.inner.topCustomerTexts(range, intent, limit);
  }
  runRetentionPass<T>(pass: RetentionPass<T>): Promise<T> {
    return this.inner.runRetentionPass(pass);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Wraps a store so case claims, outcomes and ratings reach the metrics. */
export function instrumentConversationStore(store: ConversationStore, metrics: CandorMetrics): ConversationStore {
  return new InstrumentedConversationStore(store, metrics);
}

function secondsBetween(fromIso: string, toIso: string): number {
  return Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);
}
