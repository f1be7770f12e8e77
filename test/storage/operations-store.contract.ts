import { eraseCustomer, purgeAuditRecords, purgeTranscripts } from '../../src/core/retention-passes.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationStore } from '../../src/core/ports/conversation-store.js';
import { aCase, aConversation, aMessage, anExplanation, anItem, aTurn, type ContractTarget } from './conversation-store.contract.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
/** An instant `days` (and `seconds`) after T0. */
const day = (days: number, seconds = 0): string => new Date(T0 + days * DAY + seconds * 1000).toISOString();

function counter(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}${(n += 1)}`;
}

/** Stores a conversation with customer messages (text, intent) and, optionally, a case whose card was posted. */
async function seedConversation(
  store: ConversationStore,
  id: string,
  options: {
    customerId: string | null;
    at: number;
    lastAt?: number;
    texts?: [string, string | null][];
    caseId?: string;
    cardPosted?: boolean;
    explanationAt?: number;
    explanationCustomer?: string;
    botRating?: number;
  },
): Promise<void> {
  const lastAt = options.lastAt ?? options.at;
  const conversation = aConversation(id, {
    customerId: options.customerId,
    createdAt: day(options.at),
    updatedAt: day(lastAt),
    ...(options.caseId ? { state: 'queued' as const, caseId: options.caseId } : {}),
    ...(options.botRating ? { botRating: options.botRating } : {}),
  });
  const messages = (options.texts ?? []).map(([text, intent], i) =>
    aMessage(`${id}-m${i}`, id, { text, intent, confidence: intent === null ? null : 0.9, createdAt: day(options.at, i) }),
  );
  messages.push(aMessage(`${id}-bot`, id, { author: 'bot', text: 'a bot reply', createdAt: day(lastAt) }));
  const explanations =
    options.explanationAt === undefined
      ? []
      : [anExplanation(`${id}-e`, id, { customerId: options.explanationCustomer ?? options.customerId ?? 'x', createdAt: day(options.explanationAt) })];
  const opened = options.caseId
    ? aCase(options.caseId, id, { ref: `C-${options.caseId.toUpperCase()}`, createdAt: day(options.at, 30), note: 'engine said no' })
    : undefined;
  const outbox = options.caseId
    ? [
        anItem(`${options.caseId}-created`, options.caseId, { topic: 'case.created', payload: {}, createdAt: day(options.at, 30) }),
        anItem(`${options.caseId}-msg`, options.caseId, { topic: 'case.message', payload: { messageId: 'm', text: 'my phone is [PHONE]' }, createdAt: day(options.at, 31) }),
      ]
    : [];
  await store.saveTurn(aTurn(id, { conversation, messages, explanations, ...(opened ? { openedCase: opened } : {}), outbox }));
  if (options.caseId && options.cardPosted) await deliverAll(store, day(options.at, 40));
}

/** Plays the outbox worker: leases and completes everything due, as a desk that posted to channel C1. */
async function deliverAll(store: ConversationStore, now: string): Promise<string[]> {
  const done: string[] = [];
  for (;;) {
    const items = await store.claimOutbox(50, now, 1000);
    if (items.length === 0) return done;
    for (const item of items) {
      await store.completeOutbox(item.id, { channel: 'C1', ts: `${item.seq}.0` });
      done.push(`${item.topic}:${item.caseId}`);
    }
  }
}

/** The analytics, retention and erasure behaviour every ConversationStore must have; both store test files run it. */
export function runOperationsStoreContract(name: string, target: ContractTarget): void {
  describe(`${name}: operations contract (analytics, retention, erasure)`, () => {
    const opened: ConversationStore[] = [];
    async function freshStore(): Promise<ConversationStore> {
      const store = await (await target.newLocation()).open();
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('answers a ping', async () => {
      const store = await freshStore();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('summarises conversations, cases, intents and unrecognised texts inside a range only', async () => {
      const store = await freshStore();
      await seedConversation(store, 'before', { customerId: 'c0', at: 0, texts: [['weather?', 'oos']] });
      await seedConversation(store, 'a', { customerId: 'c1', at: 5, texts: [['why did my limit drop', 'limit.why_dropped'], ['weather?', 'oos'], ['hi', 'smalltalk.greeting']], botRating: 4 });
      await seedConversation(store, 'b', { customerId: null, at: 6, texts: [['weather?', 'oos'], ['pizza', 'oos'], ['limit down?', 'limit.why_dropped']], caseId: 'k-b' });
      await seedConversation(store, 'c', { customerId: 'c3', at: 7, texts: [] });
      await seedConversation(store, 'after', { customerId: 'c4', at: 10, texts: [['pizza', 'oos']], caseId: 'k-after' });
      const range = { from: day(5), to: day(10) };

      expect(await store.summarizeConversations(range)).toEqual([
        { id: 'a', channel: 'web', createdAt: day(5), customerMessages: 3, caseCount: 0, botRating: 4 },
        { id: 'b', channel: 'web', createdAt: day(6), customerMessages: 3, caseCount: 1, botRating: null },
        { id: 'c', channel: 'web', createdAt: day(7), customerMessages: 0, caseCount: 0, botRating: null },
      ]);
      expect((await store.listCasesCreated(range)).map((c) => c.id)).toEqual(['k-b']);
      expect(await store.countCustomerIntents(range)).toEqual([
        { value: 'oos', count: 3 },
        { value: 'limit.why_dropped', count: 2 },
        { value: 'smalltalk.greeting', count: 1 },
      ]);
      expect(await store.topCustomerTexts(range, 'oos', 10)).toEqual([
        { value: 'weather?', count: 2 },
        { value: 'pizza', count: 1 },
      ]);
      expect(await store.topCustomerTexts(range, 'oos', 1)).toEqual([{ value: 'weather?', count: 2 }]);
      expect(await store.summarizeConversations({ from: day(20), to: day(30) })).toEqual([]);
    });

    it('anonymises inactive conversations, deletes old message bodies and queues Slack thread deletion, and a second run changes nothing', async () => {
      const store = await freshStore();
      const newId = counter('r');
      await seedConversation(store, 'web:cust-1', {
        customerId: 'cust-1',
        at: 0,
        texts: [['my id is [ID]', 'limit.why_dropped']],
        caseId: 'k-old',
        cardPosted: true,
        explanationAt: 0,
      });
      await seedConversation(store, 'web:cust-2', { customerId: 'cust-2', at: 1, lastAt: 100, texts: [['old words', 'oos']] });
      await store.saveTurn(aTurn('web:cust-2', {
        conversation: aConversation('web:cust-2', { customerId: 'cust-2', createdAt: day(1), updatedAt: day(100) }),
        messages: [aMessage('fresh', 'web:cust-2', { text: 'new words', createdAt: day(100) })],
      }));
      await store.enqueueDelivery({ id: 'd-old', recipient: 'web:cust-1', payload: { text: 'kept reply' }, createdAt: day(0) });
      await store.enqueueDelivery({ id: 'd-new', recipient: 'web:cust-2', payload: { text: 'kept reply' }, createdAt: day(100) });
      await store.markEventSeen('Ev-old', day(0));

      const first = await purgeTranscripts(store, { before: day(90), now: day(120), newId });
      expect(first).toEqual({
        messagesDeleted: 3,
        conversationsAnonymized: 1,
        casesScrubbed: 1,
        casesClosed: 1,
        threadDeletionsQueued: 1,
        deliveriesDeleted: 1,
        eventsDeleted: 1,
      });

      expect(await store.getConversation('web:cust-1')).toBeNull();
      const oldCase = await store.getCase('k-old');
      expect(oldCase).toMatchObject({ customerRef: null, reasonsShown: [], note: null, trigger: 'asked_for_person', status: 'returned', resolvedAt: day(120) });
      const shellId = oldCase!.conversationId;
      expect(shellId).toMatch(/^redacted:/);
      expect(shellId).not.toContain('cust-1');
      expect(await store.getConversation(shellId)).toMatchObject({ customerId: null, state: 'bot', createdAt: day(0), updatedAt: day(0) });
      expect(await store.listMessages(shellId)).toEqual([]);
      const [record] = await store.listExplanations({ customerId: 'cust-1' });
      expect(record).toMatchObject({ conversationId: shellId, customerId: 'cust-1', decisionId: 'dec-1' });
      expect((await store.listMessages('web:cust-2')).map((m) => m.text)).toEqual(['a bot reply', 'new words']);
      expect(await store.getConversation('web:cust-2')).toMatchObject({ customerId: 'cust-2' });
      expect((await store.listPendingDeliveries('web:cust-2')).map((d) => d.id)).toEqual(['d-new']);
      expect(await store.listPendingDeliveries('web:cust-1')).toEqual([]);
      expect(await store.markEventSeen('Ev-old', day(121))).toBe(true);

      const due = await store.claimOutbox(10, day(121), 1000);
      expect(due.map((item) => [item.topic, item.caseId])).toEqual([['case.delete_thread', 'k-old']]);
      await store.retryOutbox(due[0]!.id, day(121), 'retry later');

      const second = await purgeTranscripts(store, { before: day(90), now: day(121), newId });
      expect(second).toEqual({ messagesDeleted: 0, conversationsAnonymized: 0, casesScrubbed: 0, casesClosed: 0, threadDeletionsQueued: 0, deliveriesDeleted: 0, eventsDeleted: 0 });
      expect((await store.getCase('k-old'))?.conversationId).toBe(shellId);
      expect((await store.outboxStats(day(121))).pending).toBe(1);
    });

    it('closes the open cases of purged conversations and drops their undelivered items, so only the thread deletions go to Slack', async () => {
      const store = await freshStore();
      const newId = counter('p');
      // One case whose card was posted, one whose card and line were still waiting for Slack.
      await seedConversation(store, 'web:posted', { customerId: 'c1', at: 0, texts: [['help', 'agent.request']], caseId: 'k-posted', cardPosted: true });
      await seedConversation(store, 'web:waiting', { customerId: 'c2', at: 0, texts: [['help', 'agent.request']], caseId: 'k-waiting' });
      const first = await purgeTranscripts(store, { before: day(90), now: day(120), newId });
      expect(first).toMatchObject({ conversationsAnonymized: 2, casesClosed: 2, threadDeletionsQueued: 2 });
      expect(await store.listCases(['queued', 'claimed', 'callback'])).toEqual([]);
      expect(await deliverAll(store, day(121))).toEqual(['case.delete_thread:k-posted', 'case.delete_thread:k-waiting']);
      expect(await store.outboxStats(day(121))).toEqual({ pending: 0, dead: 0, oldestPendingAgeMs: null });
      expect((await purgeTranscripts(store, { before: day(90), now: day(122), newId })).casesClosed).toBe(0);
    });

    it('deletes expired audit records and then the shells nothing holds, never one with a pending thread deletion', async () => {
      const store = await freshStore();
      const newId = counter('a');
      await seedConversation(store, 'web:old', { customerId: 'old', at: 0, texts: [['x', 'oos']], caseId: 'k1', cardPosted: true, explanationAt: 0 });
      await seedConversation(store, 'web:kept', { customerId: 'kept', at: 0, texts: [['y', 'oos']], explanationAt: 50 });
      await purgeTranscripts(store, { before: day(90), now: day(100), newId });

      // The thread deletion is still pending: the expired record goes, the shell of its case stays.
      const pendingRun = await purgeAuditRecords(store, { before: day(40) });
      expect(pendingRun).toEqual({ explanationsDeleted: 1, conversationsDeleted: 0, casesDeleted: 0 });
      expect(await store.getCase('k1')).not.toBeNull();

      expect(await deliverAll(store, day(101))).toEqual(['case.delete_thread:k1']);
      const afterDelivery = await purgeAuditRecords(store, { before: day(40) });
      expect(afterDelivery).toEqual({ explanationsDeleted: 0, conversationsDeleted: 1, casesDeleted: 1 });
      expect(await store.getCase('k1')).toBeNull();
      expect(await store.listExplanations({ customerId: 'kept' })).toHaveLength(1);
      expect(await purgeAuditRecords(store, { before: day(40) })).toEqual({ explanationsDeleted: 0, conversationsDeleted: 0, casesDeleted: 0 });
      expect(await store.outboxStats(day(102))).toEqual({ pending: 0, dead: 0, oldestPendingAgeMs: null });
    });

    it('erases a customer, keeping only explanation records inside audit retention, and a second run removes the rest once Slack is done', async () => {
      const store = await freshStore();
      const newId = counter('f');
      await seedConversation(store, 'web:cust-9', { customerId: 'cust-9', at: 300, lastAt: 301, texts: [['call me on [PHONE]', 'agent.request']], caseId: 'k9', cardPosted: true, explanationAt: 300 });
      await seedConversation(store, 'cli:cust-9', { customerId: 'cust-9', at: 310, texts: [['hello', 'smalltalk.greeting']], caseId: 'k9b', cardPosted: true });
      await seedConversation(store, 'web:old-9', { customerId: 'cust-9', at: 1, texts: [['ancient', 'oos']], explanationAt: 1 });
      await seedConversation(store, 'web:other', { customerId: 'other', at: 300, texts: [['mine', 'oos']], caseId: 'k-other', cardPosted: true, explanationAt: 300 });

      const first = await eraseCustomer(store, { customerId: 'cust-9', now: day(320), auditBefore: day(100), newId });
      expect(first).toMatchObject({
        conversationsFound: 3,
        conversationsAnonymized: 3,
        messagesDeleted: 6,
        casesScrubbed: 2,
        threadDeletionsQueued: 2,
        explanationsDeleted: 1,
        conversationsDeleted: 1,
        casesDeleted: 0,
        keptConversations: 2,
        casesAwaitingThreadDeletion: 2,
      });
      expect(first.keptExplanations.map((record) => [record.customerId, record.createdAt])).toEqual([['cust-9', day(300)]]);
      expect(await store.getConversation('web:cust-9')).toBeNull();
      expect(await store.getConversation('cli:cust-9')).toBeNull();
      expect(await store.getCase('k9')).toMatchObject({ customerRef: null, reasonsShown: [], note: null });
      expect(await store.getConversation('web:other')).toMatchObject({ customerId: 'other' });
      expect(await store.getCase('k-other')).toMatchObject({ customerRef: 'cus…42' });
      expect(await store.listMessages('web:other')).toHaveLength(2);

      expect((await deliverAll(store, day(321))).sort()).toEqual(['case.delete_thread:k9', 'case.delete_thread:k9b']);
      // The next retention pass removes the shell that only waited for Slack.
      expect(await purgeAuditRecords(store, { before: day(100) })).toEqual({ explanationsDeleted: 0, conversationsDeleted: 1, casesDeleted: 1 });
      const second = await eraseCustomer(store, { customerId: 'cust-9', now: day(322), auditBefore: day(100), newId });
      expect(second).toMatchObject({
        conversationsFound: 1,
        conversationsAnonymized: 0,
        messagesDeleted: 0,
        casesScrubbed: 0,
        threadDeletionsQueued: 0,
        explanationsDeleted: 0,
        conversationsDeleted: 0,
        keptConversations: 1,
        casesAwaitingThreadDeletion: 0,
      });
      expect(second.keptExplanations).toHaveLength(1);
      expect(await store.getCase('k9b')).toBeNull();
      expect(await store.getCase('k9')).not.toBeNull();
      const third = await eraseCustomer(store, { customerId: 'cust-9', now: day(323), auditBefore: day(100), newId });
      expect(third).toMatchObject({ conversationsFound: 1, conversationsAnonymized: 0, conversationsDeleted: 0, keptConversations: 1 });
      expect(await eraseCustomer(store, { customerId: 'nobody', now: day(323), auditBefore: day(100), newId })).toMatchObject({
        conversationsFound: 0,
        keptExplanations: [],
        keptConversations: 0,
      });
    });
  });
}
