import { emptyContext } from '../../src/core/conversation-context.js';
import type { Conversation, StoredMessage } from '../../src/core/conversation.js';
import type { EscalationCase, EscalationTrigger, ShownReason } from '../../src/core/escalation-case.js';
import type { Locale } from '../../src/core/locale.js';
import type { OutboxTopic } from '../../src/core/outbox.js';
import type { ConversationStore } from '../../src/core/ports/conversation-store.js';
import { redactPii } from '../../src/core/redact-pii.js';
import { CaseService } from '../../src/escalation/case-service.js';
import { OffsetClock, SequentialIds } from '../fakes/escalation-clock.js';
import { RecordingCustomerChannel } from '../fakes/escalation-customer-channel.js';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';
import { EscalationReplyComposer } from '../fakes/escalation-reply-composer.js';

/** The parts escalation tests share: a store, the case service and its fakes. */
export interface EscalationKit {
  store: ConversationStore;
  composer: EscalationReplyComposer;
  customers: RecordingCustomerChannel;
  clock: OffsetClock;
  ids: SequentialIds;
  cases: CaseService;
}

/** Builds a kit over the given store (a real in-memory SQLite store by default) with the real PII redactor. */
export function createEscalationKit(options: { store?: ConversationStore; unclaimedMinutes?: number } = {}): EscalationKit {
  const store = options.store ?? SqliteConversationStore.open({ path: ':memory:' });
  const composer = new EscalationReplyComposer();
  const customers = new RecordingCustomerChannel();
  const clock = new OffsetClock();
  const ids = new SequentialIds(`t${Math.random().toString(36).slice(2, 6)}`);
  const cases = new CaseService({
    store,
    composer,
    customers,
    redactor: { redact: redactPii },
    clock,
    ids,
    unclaimedMinutes: options.unclaimedMinutes ?? 5,
  });
  return { store, composer, customers, clock, ids, cases };
}

/** What a test case looks like when the core opens it. */
export interface OpenCaseInput {
  customerTexts?: string[];
  restricted?: boolean;
  trigger?: EscalationTrigger;
  locale?: Locale;
  reasons?: ShownReason[];
  note?: string | null;
}

/** Writes a case exactly as the core's escalating turn does: conversation queued, transcript, the case and its `case.created` outbox item in one saveTurn. */
export async function openTestCase(kit: EscalationKit, input: OpenCaseInput = {}): Promise<EscalationCase> {
  const now = kit.clock.now().toISOString();
  const conversationId = `conv-${kit.ids.next()}`;
  const caseId = kit.ids.next();
  const locale = input.locale ?? 'en';
  const conversation: Conversation = {
    id: conversationId,
    channel: 'test',
    customerId: 'demo-drop',
    locale,
    state: 'queued',
    caseId,
    consecutiveMisses: 0,
    lastIntent: 'agent.request',
    awaitingRating: false,
    botRating: null,
    context: emptyContext(),
    createdAt: now,
    updatedAt: now,
  };
  const messages: StoredMessage[] = [];
  for (const text of input.customerTexts ?? ['I want to talk to a person']) {
    messages.push(message(kit, conversationId, 'customer', text, now));
    messages.push(message(kit, conversationId, 'bot', 'Let me find someone for you.', now));
  }
  const restricted = input.restricted ?? false;
  const opened: EscalationCase = {
    id: caseId,
    ref: `C-${caseId.slice(-6).toUpperCase()}`,
    conversationId,
    customerRef: 'cust-7f3a9c',
    locale,
    intent: 'agent.request',
    decisionId: 'dec-001',
    reasonsShown: restricted ? [] : (input.reasons ?? [{ code: 'PAY_LATE_RECENT', text: 'A recent repayment on this line was late.' }]),
    trigger: input.trigger ?? (restricted ? 'restricted_reason' : 'asked_for_person'),
    restricted,
    note: input.note ?? null,
    status: 'queued',
    agentId: null,
    agentName: null,
    rating: null,
    createdAt: now,
    claimedAt: null,
    resolvedAt: null,
  };
  await kit.store.saveTurn({
    conversation,
    messages,
    explanations: [],
    openedCase: opened,
    outbox: [{ id: kit.ids.next(), topic: 'case.created', caseId, payload: {}, createdAt: now }],
  });
  return opened;
}

/** A customer message while the case is open, stored with its `case.message` outbox item as the core relays it. */
export async function customerSays(kit: EscalationKit, conversationId: string, text: string): Promise<StoredMessage> {
  const conversation = await kit.store.getConversation(conversationId);
  if (conversation === null || conversation.caseId === null) throw new Error('no open case');
  const now = kit.clock.now().toISOString();
  const stored = message(kit, conversationId, 'customer', text, now);
  await kit.store.saveTurn({
    conversation: { ...conversation, updatedAt: now },
    messages: [stored],
    explanations: [],
    outbox: [{ id: kit.ids.next(), topic: 'case.message', caseId: conversation.caseId, payload: { messageId: stored.id, text: stored.text }, createdAt: now }],
  });
  return stored;
}

function message(kit: EscalationKit, conversationId: string, author: StoredMessage['author'], text: string, now: string): StoredMessage {
  return { id: kit.ids.next(), conversationId, author, text: redactPii(text), intent: null, confidence: null, clientMessageId: null, createdAt: now };
}

/** Polls until the check passes or the time is up. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Wraps a store so that, once per listed topic, marking an item done "crashes" right after the desk posted it (the lease then runs out and the item is retried). */
export function crashOnceBeforeDone(store: ConversationStore, topics: OutboxTopic[]): { store: ConversationStore; crashes: OutboxTopic[] } {
  const crashes: OutboxTopic[] = [];
  const topicOf = new Map<string, OutboxTopic>();
  const wrapped: ConversationStore = Object.create(store) as ConversationStore;
  wrapped.claimOutbox = async (limit, now, leaseMs) => {
    const items = await store.claimOutbox(limit, now, leaseMs);
    for (const item of items) topicOf.set(item.id, item.topic);
    return items;
  };
  wrapped.completeOutbox = async (id, result) => {
    const topic = topicOf.get(id);
    if (topic !== undefined && topics.includes(topic) && !crashes.includes(topic)) {
      crashes.push(topic);
      throw new Error('simulated crash before marking done');
    }
    return store.completeOutbox(id, result);
  };
  return { store: wrapped, crashes };
}
