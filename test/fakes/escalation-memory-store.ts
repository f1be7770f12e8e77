import type { Conversation, StoredMessage } from '../../src/core/conversation.js';
import type { CaseStatus, EscalationCase, ExplanationRecord } from '../../src/core/escalation-case.js';
import type { NewOutboxItem, OutboxItem } from '../../src/core/outbox.js';
import type {
  ClaimResult,
  ConversationStore,
  ExplanationQuery,
  PendingDelivery,
  TurnWrite,
} from '../../src/core/ports/conversation-store.js';

const clone = <T>(value: T): T => structuredClone(value);

/** An in-memory ConversationStore for escalation tests: atomic by construction, head-of-line outbox per case. */
export class EscalationMemoryStore implements ConversationStore {
  readonly conversations = new Map<string, Conversation>();
  readonly messages: StoredMessage[] = [];
  readonly cases = new Map<string, EscalationCase>();
  readonly outbox: OutboxItem[] = [];
  readonly leases = new Map<string, number>();
  readonly deliveries: PendingDelivery[] = [];
  private readonly seenEvents = new Set<string>();
  private readonly explanations: ExplanationRecord[] = [];
  private seq = 0;

  async getConversation(id: string): Promise<Conversation | null> {
    const found = this.conversations.get(id);
    return found ? clone(found) : null;
  }

  async hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean> {
    return this.messages.some((m) => m.conversationId === conversationId && m.clientMessageId === clientMessageId);
  }

  async saveTurn(write: TurnWrite): Promise<void> {
    this.conversations.set(write.conversation.id, clone(write.conversation));
    for (const message of write.messages) {
      if (message.clientMessageId !== null && (await this.hasClientMessage(message.conversationId, message.clientMessageId))) continue;
      this.messages.push(clone(message));
    }
    this.explanations.push(...clone(write.explanations));
    if (write.openedCase) this.cases.set(write.openedCase.id, clone(write.openedCase));
    this.addOutbox(write.outbox);
  }

  async listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]> {
    const all = this.messages.filter((m) => m.conversationId === conversationId);
    return clone(limit === undefined ? all : all.slice(-limit));
  }

  async getCase(id: string): Promise<EscalationCase | null> {
    const found = this.cases.get(id);
    return found ? clone(found) : null;
  }

  async getCaseByRef(ref: string): Promise<EscalationCase | null> {
    for (const item of this.cases.values()) if (item.ref === ref) return clone(item);
    return null;
  }

  async listCases(statuses: CaseStatus[]): Promise<EscalationCase[]> {
    return clone([...this.cases.values()].filter((c) => statuses.includes(c.status)));
  }

  async claimCase(caseId: string, agent: { id: string; name: string }, at: string): Promise<ClaimResult> {
    const found = this.cases.get(caseId);
    if (!found) return { status: 'not_found' };
    if (found.status === 'claimed') return { status: 'already_claimed', case: clone(found) };
    if (found.status !== 'queued' && found.status !== 'callback') return { status: 'not_open', case: clone(found) };
    const claimed: EscalationCase = { ...found, status: 'claimed', agentId: agent.id, agentName: agent.name, claimedAt: at };
    this.cases.set(caseId, claimed);
    return { status: 'claimed', case: clone(claimed) };
  }

  async updateCase(update: { case: EscalationCase; conversation?: Conversation; messages?: StoredMessage[]; outbox?: NewOutboxItem[] }): Promise<void> {
    this.cases.set(update.case.id, clone(update.case));
    if (update.conversation) this.conversations.set(update.conversation.id, clone(update.conversation));
    this.messages.push(...clone(update.messages ?? []));
    this.addOutbox(update.outbox ?? []);
  }

  async listExplanations(query: ExplanationQuery): Promise<ExplanationRecord[]> {
    return clone(this.explanations.filter((e) => query.customerId === undefined || e.customerId === query.customerId));
  }

  async claimOutbox(limit: number, now: string, leaseMs: number): Promise<OutboxItem[]> {
    const nowMs = Date.parse(now);
    const heads = new Map<string, OutboxItem>();
    for (const item of this.outbox) {
      if (item.status !== 'pending' || heads.has(item.caseId)) continue;
      heads.set(item.caseId, item);
    }
    const leased: OutboxItem[] = [];
    for (const item of [...heads.values()].sort((a, b) => a.seq - b.seq)) {
      if (leased.length >= limit) break;
      if (Date.parse(item.nextAttemptAt) > nowMs) continue;
      const leaseEnd = this.leases.get(item.id);
      if (leaseEnd !== undefined && leaseEnd > nowMs) continue;
      this.leases.set(item.id, nowMs + leaseMs);
      leased.push(clone(item));
    }
    return leased;
  }

  async completeOutbox(id: string, result: Record<string, unknown>): Promise<void> {
    const item = this.item(id);
    item.status = 'done';
    item.result = clone(result);
    this.leases.delete(id);
  }

  async retryOutbox(id: string, nextAttemptAt: string, error: string): Promise<void> {
    const item = this.item(id);
    item.attempts += 1;
    item.nextAttemptAt = nextAttemptAt;
    item.lastError = error;
    this.leases.delete(id);
  }

  async deadLetterOutbox(id: string, error: string): Promise<void> {
    const item = this.item(id);
    item.attempts += 1;
    item.status = 'dead';
    item.lastError = error;
    this.leases.delete(id);
  }

  async outboxResults(caseId: string, topic: NewOutboxItem['topic']): Promise<Record<string, unknown>[]> {
    return clone(this.outbox.filter((i) => i.caseId === caseId && i.topic === topic && i.status === 'done' && i.result !== null).map((i) => i.result ?? {}));
  }

  async outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }> {
    const pending = this.outbox.filter((i) => i.status === 'pending');
    const oldest = pending[0];
    return {
      pending: pending.length,
      dead: this.outbox.filter((i) => i.status === 'dead').length,
      oldestPendingAgeMs: oldest ? Date.parse(now) - Date.parse(oldest.createdAt) : null,
    };
  }

  async markEventSeen(eventId: string): Promise<boolean> {
    if (this.seenEvents.has(eventId)) return false;
    this.seenEvents.add(eventId);
    return true;
  }

  async enqueueDelivery(delivery: PendingDelivery): Promise<void> {
    if (this.deliveries.some((d) => d.recipient === delivery.recipient && d.id === delivery.id)) return;
    this.deliveries.push(clone(delivery));
  }

  async listPendingDeliveries(recipient: string): Promise<PendingDelivery[]> {
    return clone(this.deliveries.filter((d) => d.recipient === recipient));
  }

  async ackDelivery(recipient: string, id: string): Promise<void> {
    const index = this.deliveries.findIndex((d) => d.recipient === recipient && d.id === id);
    if (index >= 0) this.deliveries.splice(index, 1);
  }

  async close(): Promise<void> {}

  private addOutbox(items: NewOutboxItem[]): void {
    for (const item of items) {
      this.seq += 1;
      this.outbox.push({ ...clone(item), seq: this.seq, status: 'pending', attempts: 0, nextAttemptAt: item.createdAt, lastError: null, result: null });
    }
  }

  private item(id: string): OutboxItem {
    const found = this.outbox.find((i) => i.id === id);
    if (!found) throw new Error(`no outbox item ${id}`);
    return found;
  }
}
