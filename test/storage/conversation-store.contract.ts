import { eraseCustomer } from '../../src/core/retention-passes.js';
import { emptyContext } from '../../src/core/conversation-context.js';
import { afterEach, describe, expect, it } from 'vitest';
import { CandorError } from '../../src/core/candor-error.js';
import type { Conversation, StoredMessage } from '../../src/core/conversation.js';
import type { EscalationCase, ExplanationRecord } from '../../src/core/escalation-case.js';
import type { NewOutboxItem, OutboxItem } from '../../src/core/outbox.js';
import type { ConversationStore, TurnWrite } from '../../src/core/ports/conversation-store.js';

/** A new, empty database (a file, a schema) on which stores can be opened any number of times, also concurrently. */
export interface StoreLocation {
  open(): Promise<ConversationStore>;
}

/** What each ConversationStore implementation provides to run the shared contract. */
export interface ContractTarget {
  newLocation(): Promise<StoreLocation>;
}

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
/** An instant `seconds` after T0, in the canonical form stores return. */
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

export function aConversation(id: string, overrides: Partial<Conversation> = {}): Conversation {
  return {
    id,
    channel: 'web',
    customerId: 'cust-1',
    locale: 'zh-CN',
    state: 'bot',
    caseId: null,
    consecutiveMisses: 0,
    lastIntent: null,
    awaitingRating: false,
    botRating: null,
    context: emptyContext(),
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function aMessage(id: string, conversationId: string, overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id,
    conversationId,
    author: 'customer',
    text: `text of ${id}`,
    intent: null,
    confidence: null,
    clientMessageId: null,
    createdAt: at(1),
    ...overrides,
  };
}

export function aCase(id: string, conversationId: string, overrides: Partial<EscalationCase> = {}): EscalationCase {
  return {
    id,
    ref: `C-${id.toUpperCase()}`,
    conversationId,
    customerRef: 'cus…42',
    locale: 'en',
    intent: 'limit.why_dropped',
    decisionId: 'dec-1',
    reasonsShown: [{ code: 'UTIL_HIGH', text: 'You use most of your limit.' }],
    trigger: 'asked_for_person',
    restricted: false,
    note: null,
    status: 'queued',
    agentId: null,
    agentName: null,
    rating: null,
    createdAt: at(2),
    claimedAt: null,
    resolvedAt: null,
    ...overrides,
  };
}

export function anExplanation(id: string, conversationId: string, overrides: Partial<ExplanationRecord> = {}): ExplanationRecord {
  return {
    id,
    conversationId,
    customerId: 'cust-1',
    decisionId: 'dec-1',
    locale: 'en',
    codesShown: ['UTIL_HIGH', 'INQ_RECENT'],
    codesSuppressed: ['FRAUD_SUSPECT'],
    templateIds: ['reasons/UTIL_HIGH', 'advice/UTIL_HIGH'],
    contentVersion: 'v-abc',
    reviewRequested: false,
    text: 'Your limit went down from CN¥20,000 to CN¥8,000 on 1 May. The main reasons: “you are using most of your limit”; 近期查询较多，请注意！',
    reasonTexts: ['You are using most of your limit.', 'There were several recent credit enquiries.'],
    createdAt: at(3),
    ...overrides,
  };
}

export function anItem(id: string, caseId: string, overrides: Partial<NewOutboxItem> = {}): NewOutboxItem {
  return { id, topic: 'case.message', caseId, payload: { text: `payload ${id}`, n: 1 }, createdAt: at(4), ...overrides };
}

export function aTurn(conversationId: string, overrides: Partial<TurnWrite> = {}): TurnWrite {
  return { conversation: aConversation(conversationId), messages: [], explanations: [], outbox: [], ...overrides };
}

/** Saves a conversation with a queued case and, optionally, outbox items for it. */
async function openCase(store: ConversationStore, caseId: string, items: NewOutboxItem[] = [], overrides: Partial<EscalationCase> = {}) {
  const conversationId = `conv-${caseId}`;
  const opened = aCase(caseId, conversationId, overrides);
  await store.saveTurn(aTurn(conversationId, { conversation: aConversation(conversationId, { state: 'queued', caseId }), openedCase: opened, outbox: items }));
  return opened;
}

const ids = (items: OutboxItem[]): string[] => items.map((item) => item.id);

/** The behaviour every ConversationStore must have; each implementation's test file runs it. */
export function runConversationStoreContract(name: string, target: ContractTarget): void {
  describe(`${name}: ConversationStore contract`, () => {
    const opened: ConversationStore[] = [];

    async function openAt(location: StoreLocation): Promise<ConversationStore> {
      const store = await location.open();
      opened.push(store);
      return store;
    }

    async function freshStore(): Promise<ConversationStore> {
      return openAt(await target.newLocation());
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describe('conversations and messages', () => {
      it('round-trips a conversation and updates it in place, keeping createdAt', async () => {
        const store = await freshStore();
        expect(await store.getConversation('conv-1')).toBeNull();
        const conversation = aConversation('conv-1', { customerId: null, lastIntent: 'limit.current', consecutiveMisses: 2 });
        await store.saveTurn(aTurn('conv-1', { conversation }));
        expect(await store.getConversation('conv-1')).toEqual(conversation);

        const changed = aConversation('conv-1', {
          state: 'queued',
          caseId: 'case-9',
          awaitingRating: true,
          locale: 'en',
          createdAt: at(50),
          updatedAt: at(60),
        });
        await store.saveTurn(aTurn('conv-1', { conversation: changed }));
        expect(await store.getConversation('conv-1')).toEqual({ ...changed, createdAt: at(0) });
      });

      it('keeps the conversation context (the decision explained, its reasons in order, the last act and choices) across saves and reads', async () => {
        const store = await freshStore();
        const context = {
          explained: { decisionId: 'dec-1', reasonsShown: ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH'], neutral: false },
          lastAct: 'clarify' as const,
          choices: [{ intent: 'limit.reason_detail', reasonPosition: 2 }, { intent: 'agent.request' }],
        };
        await store.saveTurn(aTurn('conv-ctx', { conversation: aConversation('conv-ctx', { context }) }));
        expect((await store.getConversation('conv-ctx'))?.context).toEqual(context);
        expect((await store.loadTurnState?.('conv-ctx', null))?.conversation?.context ?? context).toEqual(context);

        const next = { explained: { decisionId: 'dec-2', reasonsShown: [], neutral: true }, lastAct: 'answer' as const, choices: [] };
        await store.saveTurn(aTurn('conv-ctx', { conversation: aConversation('conv-ctx', { context: next, updatedAt: at(5) }) }));
        expect((await store.getConversation('conv-ctx'))?.context).toEqual(next);
      });

      it('accepts timestamps with an offset and returns them as UTC instants', async () => {
        const store = await freshStore();
        await store.saveTurn(
          aTurn('conv-tz', { conversation: aConversation('conv-tz', { createdAt: '2026-03-01T16:00:00+08:00', updatedAt: '2026-03-01T16:00:00.5+08:00' }) }),
        );
        const stored = await store.getConversation('conv-tz');
        expect(stored?.createdAt).toBe('2026-03-01T08:00:00.000Z');
        expect(stored?.updatedAt).toBe('2026-03-01T08:00:00.500Z');
      });

      it('keeps messages in the order they were saved and returns the latest N, oldest first', async () => {
        const store = await freshStore();
        const texts = ['one', 'two', 'three', 'four', 'five'];
        const messages = texts.map((text, i) =>
          aMessage(`m${i}`, 'conv-1', { text, author: i % 2 === 0 ? 'customer' : 'bot', createdAt: at(10) }),
        );
        await store.saveTurn(aTurn('conv-1', { messages: messages.slice(0, 2) }));
        await store.saveTurn(aTurn('conv-1', { messages: messages.slice(2) }));
        await store.saveTurn(aTurn('conv-2', { conversation: aConversation('conv-2'), messages: [aMessage('other', 'conv-2')] }));

        expect(await store.listMessages('conv-1')).toEqual(messages);
        expect((await store.listMessages('conv-1', 2)).map((m) => m.text)).toEqual(['four', 'five']);
        expect(await store.listMessages('conv-1', 0)).toEqual([]);
        expect(await store.listMessages('nobody')).toEqual([]);
      });

      it('round-trips every message field', async () => {
        const store = await freshStore();
        const message = aMessage('m1', 'conv-1', { intent: 'limit.why_dropped', confidence: 0.8125, clientMessageId: 'client-1', text: '额度为什么降了？[PHONE]' });
        await store.saveTurn(aTurn('conv-1', { messages: [message] }));
        expect(await store.listMessages('conv-1')).toEqual([message]);
      });

      it('loads a turn\'s state in one read: the conversation and whether the client message id is already stored', async () => {
        const store = await freshStore();
        expect(await store.loadTurnState?.('conv-1', 'client-1')).toEqual({ conversation: null, hasClientMessage: false });
        await store.saveTurn(aTurn('conv-1', { messages: [aMessage('m1', 'conv-1', { clientMessageId: 'client-1' })] }));
        await store.saveTurn(aTurn('conv-2'));
        // A store may leave the resend check to saveTurn (a conversation it already knows needs no read);
        // then saving a turn with that client id must report the resend.
        const resend = await store.loadTurnState?.('conv-1', 'client-1');
        expect(resend?.conversation).toEqual(aConversation('conv-1'));
        if (resend?.hasClientMessage === false) {
          expect(await store.saveTurn(aTurn('conv-1', { messages: [aMessage('m2', 'conv-1', { clientMessageId: 'client-1' })] }))).toBe('duplicate');
        }
        expect(await store.loadTurnState?.('conv-1', 'client-2')).toEqual({ conversation: aConversation('conv-1'), hasClientMessage: false });
        expect(await store.loadTurnState?.('conv-1', null)).toEqual({ conversation: aConversation('conv-1'), hasClientMessage: false });
        expect(await store.loadTurnState?.('conv-2', 'client-1')).toEqual({ conversation: aConversation('conv-2'), hasClientMessage: false });
        expect(await store.loadTurnState?.('conv-3', 'client-1')).toEqual({ conversation: null, hasClientMessage: false });
      });

      it('loads what the last turn, case update or erasure stored, and a changed answer does not change the next', async () => {
        const store = await freshStore();
        await store.saveTurn(aTurn('conv-1'));
        const first = await store.loadTurnState?.('conv-1', null);
        if (!first?.conversation) throw new Error('conv-1 should load');
        first.conversation.state = 'claimed';
        expect((await store.loadTurnState?.('conv-1', null))?.conversation).toEqual(aConversation('conv-1'));
        await store.saveTurn(aTurn('conv-1', { conversation: aConversation('conv-1', { lastIntent: 'limit.current', consecutiveMisses: 2, updatedAt: '2026-01-05T10:00:00Z' }) }));
        expect((await store.loadTurnState?.('conv-1', null))?.conversation).toEqual(
          aConversation('conv-1', { lastIntent: 'limit.current', consecutiveMisses: 2, updatedAt: '2026-01-05T10:00:00.000Z' }),
        );
        // An upsert keeps the stored creation time, whatever the write says.
        await store.saveTurn(aTurn('conv-1', { conversation: aConversation('conv-1', { createdAt: '2030-01-01T00:00:00.000Z' }) }));
        expect((await store.loadTurnState?.('conv-1', null))?.conversation?.createdAt).toBe((await store.getConversation('conv-1'))?.createdAt);
        expect((await store.loadTurnState?.('conv-1', null))?.conversation).toEqual(await store.getConversation('conv-1'));
        await eraseCustomer(store, { customerId: 'cust-1', now: '2026-02-01T00:00:00.000Z', auditBefore: '2026-02-01T00:00:00.000Z', newId: () => 'anon-1' });
        expect(await store.loadTurnState?.('conv-1', null)).toEqual({ conversation: null, hasClientMessage: false });
      });

      it('stores nothing of a turn whose customer message has a client id already stored (a resend), and says so', async () => {
        const store = await freshStore();
        const first = aMessage('m1', 'conv-1', { clientMessageId: 'client-1', text: 'first try' });
        expect(await store.saveTurn(aTurn('conv-1', { messages: [first, aMessage('b1', 'conv-1', { author: 'bot' })] }))).toBe('stored');
        expect(await store.hasClientMessage('conv-1', 'client-1')).toBe(true);
        expect(await store.hasClientMessage('conv-1', 'client-2')).toBe(false);
        expect(await store.hasClientMessage('conv-2', 'client-1')).toBe(false);

        const resent = aMessage('m2', 'conv-1', { clientMessageId: 'client-1', text: 'resent' });
        const outcome = await store.saveTurn(
          aTurn('conv-1', {
            conversation: aConversation('conv-1', { lastIntent: 'limit.current' }),
            messages: [resent, aMessage('b2', 'conv-1', { author: 'bot' })],
            explanations: [anExplanation('e-resent', 'conv-1')],
          }),
        );
        expect(outcome).toBe('duplicate');
        expect((await store.listMessages('conv-1')).map((m) => m.id)).toEqual(['m1', 'b1']);
        expect((await store.getConversation('conv-1'))?.lastIntent).toBe(aConversation('conv-1').lastIntent);
        expect((await store.loadTurnState?.('conv-1', null))?.conversation?.lastIntent).toBe(aConversation('conv-1').lastIntent);
        expect((await store.listExplanations({})).map((record) => record.id)).not.toContain('e-resent');

        // The same client id in another conversation is a different message.
        expect(await store.saveTurn(aTurn('conv-2', { conversation: aConversation('conv-2'), messages: [aMessage('m3', 'conv-2', { clientMessageId: 'client-1' })] }))).toBe('stored');
        expect((await store.listMessages('conv-2')).map((m) => m.id)).toEqual(['m3']);
      });

      it('stores nothing of a turn when one of its writes fails', async () => {
        const store = await freshStore();
        const clash = aMessage('same-id', 'conv-1');
        const turn = aTurn('conv-1', {
          conversation: aConversation('conv-1', { state: 'queued', caseId: 'case-1' }),
          messages: [aMessage('m0', 'conv-1'), clash, { ...clash, text: 'duplicate primary key' }],
          explanations: [anExplanation('e1', 'conv-1')],
          openedCase: aCase('case-1', 'conv-1'),
          outbox: [anItem('o1', 'case-1')],
        });
        await expect(store.saveTurn(turn)).rejects.toBeInstanceOf(CandorError);
        expect(await store.getConversation('conv-1')).toBeNull();
        expect(await store.listMessages('conv-1')).toEqual([]);
        expect(await store.listExplanations({})).toEqual([]);
        expect(await store.getCase('case-1')).toBeNull();
        expect(await store.outboxStats(at(100))).toEqual({ pending: 0, dead: 0, oldestPendingAgeMs: null });

        // A failure late in the turn (an outbox id already used) also undoes the earlier writes.
        await openCase(store, 'case-2', [anItem('o-taken', 'case-2')]);
        await expect(
          store.saveTurn(aTurn('conv-3', { messages: [aMessage('m3', 'conv-3')], outbox: [anItem('o-taken', 'case-2')] })),
        ).rejects.toBeInstanceOf(CandorError);
        expect(await store.getConversation('conv-3')).toBeNull();
        expect(await store.listMessages('conv-3')).toEqual([]);
        expect((await store.outboxStats(at(100))).pending).toBe(1);
      });
    });

    describe('cases', () => {
      it('creates a case with its outbox items in saveTurn and reads it by id, ref and status', async () => {
        const store = await freshStore();
        const restricted = aCase('case-r', 'conv-r', { restricted: true, reasonsShown: [], trigger: 'restricted_reason', note: 'engine said N', createdAt: at(1) });
        await store.saveTurn(
          aTurn('conv-r', { conversation: aConversation('conv-r', { state: 'queued', caseId: 'case-r' }), openedCase: restricted, outbox: [anItem('o-r', 'case-r', { topic: 'case.created' })] }),
        );
        const queued = await openCase(store, 'case-q');
        const resolved = await openCase(store, 'case-x', [], { status: 'resolved', agentId: 'U1', agentName: 'Mei', rating: 5, claimedAt: at(3), resolvedAt: at(9), createdAt: at(0) });

        expect(await store.getCase('case-r')).toEqual(restricted);
        expect(await store.getCaseByRef(queued.ref)).toEqual(queued);
        expect(await store.getCase('nope')).toBeNull();
        expect(await store.getCaseByRef('C-NOPE')).toBeNull();
        expect(await store.listCases(['queued'])).toEqual([restricted, queued]);
        expect(await store.listCases(['resolved', 'claimed'])).toEqual([resolved]);
        expect(await store.listCases(['queued', 'resolved'])).toEqual([resolved, restricted, queued]);
        expect(await store.listCases([])).toEqual([]);
        expect((await store.claimOutbox(10, at(100), 1000)).map((item) => [item.id, item.topic, item.payload])).toEqual([
          ['o-r', 'case.created', { text: 'payload o-r', n: 1 }],
        ]);
      });

      it('lets exactly one of two concurrent claims win', async () => {
        const location = await target.newLocation();
        const store = await openAt(location);
        const other = await openAt(location);
        for (let round = 0; round < 5; round += 1) {
          const caseId = `case-${round}`;
          await openCase(store, caseId);
          const results = await Promise.all([
            store.claimCase(caseId, { id: 'U-ANN', name: 'Ann' }, at(10)),
            (round % 2 === 0 ? store : other).claimCase(caseId, { id: 'U-BO', name: 'Bo' }, at(10)),
          ]);
          const winners = results.filter((result) => result.status === 'claimed');
          const losers = results.filter((result) => result.status === 'already_claimed');
          expect(winners).toHaveLength(1);
          expect(losers).toHaveLength(1);
          const winner = winners[0]!.status === 'claimed' ? winners[0]!.case : null;
          expect(winner).toMatchObject({ status: 'claimed', claimedAt: at(10) });
          const loser = losers[0]!.status === 'already_claimed' ? losers[0]!.case : null;
          expect(loser?.agentId).toBe(winner?.agentId);
          expect(await store.getCase(caseId)).toEqual(winner);
        }
      });

      it('reports not_open for a case that is not queued and not_found for an unknown one', async () => {
        const store = await freshStore();
        await openCase(store, 'case-1', [], { status: 'resolved' });
        const result = await store.claimCase('case-1', { id: 'U1', name: 'Ann' }, at(5));
        expect(result.status).toBe('not_open');
        expect(await store.claimCase('case-404', { id: 'U1', name: 'Ann' }, at(5))).toEqual({ status: 'not_found' });
      });

      it('updates a case with its conversation, messages and outbox items together', async () => {
        const store = await freshStore();
        const opened = await openCase(store, 'case-1');
        const claim = await store.claimCase('case-1', { id: 'U1', name: 'Ann' }, at(5));
        expect(claim.status).toBe('claimed');
        const resolved: EscalationCase = { ...opened, status: 'resolved', agentId: 'U1', agentName: 'Ann', claimedAt: at(5), resolvedAt: at(9), rating: 4 };
        const conversation = aConversation('conv-case-1', { state: 'bot', caseId: 'case-1', awaitingRating: true, updatedAt: at(9) });
        await store.updateCase({
          case: resolved,
          conversation,
          messages: [aMessage('a1', 'conv-case-1', { author: 'agent', text: 'Sorted, thanks!' })],
          outbox: [anItem('o-upd', 'case-1', { topic: 'case.updated' })],
        });
        expect(await store.getCase('case-1')).toEqual(resolved);
        expect(await store.getConversation('conv-case-1')).toEqual(conversation);
        expect((await store.listMessages('conv-case-1')).map((m) => m.text)).toEqual(['Sorted, thanks!']);
        expect(ids(await store.claimOutbox(10, at(100), 1000))).toEqual(['o-upd']);
      });

      it('writes nothing when a case update fails', async () => {
        const store = await freshStore();
        const opened = await openCase(store, 'case-1', [anItem('o-1', 'case-1')]);
        const before = await store.getConversation('conv-case-1');
        await expect(
          store.updateCase({
            case: { ...opened, id: 'case-missing', ref: 'C-MISSING' },
            conversation: aConversation('conv-case-1', { state: 'bot' }),
            messages: [aMessage('lost', 'conv-case-1')],
            outbox: [anItem('o-lost', 'case-1')],
          }),
        ).rejects.toMatchObject({ code: 'case_not_found' });
        await expect(
          store.updateCase({
            case: { ...opened, status: 'resolved' },
            conversation: aConversation('conv-case-1', { state: 'bot' }),
            messages: [aMessage('lost-2', 'conv-case-1')],
            outbox: [anItem('o-1', 'case-1')],
          }),
        ).rejects.toBeInstanceOf(CandorError);
        expect(await store.getConversation('conv-case-1')).toEqual(before);
        expect(await store.getCase('case-1')).toEqual(opened);
        expect(await store.listMessages('conv-case-1')).toEqual([]);
        expect((await store.outboxStats(at(100))).pending).toBe(1);
      });
    });

    describe('explanations', () => {
      it('finds audit records by customer and by a half-open [from, to) time range, oldest first, with the text the customer saw', async () => {
        const store = await freshStore();
        const e1 = anExplanation('e1', 'conv-1', { customerId: 'cust-a', createdAt: at(10) });
        // e2 is a record written before the text was kept: both read back as null.
        const e2 = anExplanation('e2', 'conv-1', { customerId: 'cust-a', createdAt: at(20), reviewRequested: true, codesSuppressed: [], text: null, reasonTexts: null });
        const e3 = anExplanation('e3', 'conv-2', { customerId: 'cust-b', createdAt: at(30), locale: 'zh-CN' });
        await store.saveTurn(aTurn('conv-1', { explanations: [e2, e1] }));
        await store.saveTurn(aTurn('conv-2', { conversation: aConversation('conv-2'), explanations: [e3] }));

        expect(await store.listExplanations({})).toEqual([e1, e2, e3]);
        expect(await store.listExplanations({ customerId: 'cust-a' })).toEqual([e1, e2]);
        expect(await store.listExplanations({ customerId: 'cust-c' })).toEqual([]);
        expect(await store.listExplanations({ from: at(20) })).toEqual([e2, e3]);
        expect(await store.listExplanations({ to: at(20) })).toEqual([e1]);
        expect(await store.listExplanations({ from: at(15), to: at(30) })).toEqual([e2]);
        expect(await store.listExplanations({ customerId: 'cust-b', from: at(0), to: at(31) })).toEqual([e3]);
        // Offsets are compared as instants, not as text.
        expect(await store.listExplanations({ from: '2026-03-01T16:00:15+08:00', to: '2026-03-01T16:00:25+08:00' })).toEqual([e2]);
      });
    });

    describe('outbox', () => {
      it('leases due items oldest first, at most one per case, and hides them until the lease ends', async () => {
        const store = await freshStore();
        await openCase(store, 'a', [anItem('a1', 'a', { createdAt: at(1) }), anItem('a2', 'a', { createdAt: at(2) })]);
        await openCase(store, 'b', [anItem('b1', 'b', { createdAt: at(3), payload: { nested: { list: [1, 'два'] } } })]);
        await openCase(store, 'c', [anItem('c1', 'c', { createdAt: at(500) })]);

        expect(await store.claimOutbox(10, at(0), 1000)).toEqual([]);
        const leased = await store.claimOutbox(10, at(100), 30_000);
        expect(ids(leased)).toEqual(['a1', 'b1']);
        expect(leased[0]).toMatchObject({ caseId: 'a', status: 'pending', attempts: 1, nextAttemptAt: at(130), lastError: null, result: null });
        expect(leased[1]!.payload).toEqual({ nested: { list: [1, 'два'] } });
        expect(leased[0]!.seq).toBeLessThan(leased[1]!.seq);

        expect(await store.claimOutbox(10, at(110), 30_000)).toEqual([]);
        const again = await store.claimOutbox(10, at(131), 30_000);
        expect(ids(again)).toEqual(['a1', 'b1']);
        expect(again[0]!.attempts).toBe(2);
      });

      it('respects the limit', async () => {
        const store = await freshStore();
        for (const caseId of ['a', 'b', 'c']) await openCase(store, caseId, [anItem(`${caseId}1`, caseId)]);
        expect(ids(await store.claimOutbox(2, at(100), 1000))).toEqual(['a1', 'b1']);
        expect(ids(await store.claimOutbox(2, at(100), 1000))).toEqual(['c1']);
      });

      it('delivers a case in order: the next item waits until the previous one is done or dead', async () => {
        const store = await freshStore();
        await openCase(store, 'a', [anItem('a1', 'a', { topic: 'case.created' }), anItem('a2', 'a'), anItem('a3', 'a')]);

        expect(ids(await store.claimOutbox(10, at(100), 1000))).toEqual(['a1']);
        await store.completeOutbox('a1', { channel: 'C1', ts: '1.2' });
        const second = await store.claimOutbox(10, at(100), 1000);
        expect(ids(second)).toEqual(['a2']);

        // A retry keeps a2 at the head of its case until it is due again, so a3 cannot overtake it.
        await store.retryOutbox('a2', at(200), 'slack 503');
        expect(await store.claimOutbox(10, at(150), 1000)).toEqual([]);
        const retried = await store.claimOutbox(10, at(200), 1000);
        expect(retried).toHaveLength(1);
        // A leased item carries no last error: that tells an item in flight from one waiting to retry.
        expect(retried[0]).toMatchObject({ id: 'a2', attempts: 2, lastError: null });

        await store.deadLetterOutbox('a2', 'channel_not_found');
        expect(ids(await store.claimOutbox(10, at(200), 1000))).toEqual(['a3']);
        await store.completeOutbox('a3', { ts: '1.3' });
        expect(await store.claimOutbox(10, at(10_000), 1000)).toEqual([]);
      });

      it('reports results of done items and counts pending and dead items', async () => {
        const store = await freshStore();
        await openCase(store, 'a', [
          anItem('a1', 'a', { topic: 'case.created', createdAt: at(1) }),
          anItem('a2', 'a', { topic: 'case.message', createdAt: at(2) }),
          anItem('a3', 'a', { topic: 'case.created', createdAt: at(3) }),
        ]);
        await openCase(store, 'b', [anItem('b1', 'b', { createdAt: at(5) }), anItem('b2', 'b', { createdAt: at(6) })]);
        expect(await store.outboxStats(at(11))).toEqual({ pending: 5, dead: 0, oldestPendingAgeMs: 10_000 });

        await store.claimOutbox(10, at(20), 1000);
        await store.completeOutbox('a1', { channel: 'C1', ts: '1.1' });
        await store.deadLetterOutbox('b1', 'invalid_auth');
        await store.claimOutbox(10, at(20), 1000);
        await store.completeOutbox('a2', { ts: '1.2' });
        await store.claimOutbox(10, at(20), 1000);
        await store.completeOutbox('a3', { channel: 'C1', ts: '1.3' });

        expect(await store.outboxResults('a', 'case.created')).toEqual([
          { channel: 'C1', ts: '1.1' },
          { channel: 'C1', ts: '1.3' },
        ]);
        expect(await store.outboxResults('a', 'case.reping')).toEqual([]);
        expect(await store.outboxResults('b', 'case.message')).toEqual([]);
        expect(await store.outboxStats(at(26))).toEqual({ pending: 1, dead: 1, oldestPendingAgeMs: 20_000 });
        await store.completeOutbox('b2', {});
        expect(await store.outboxStats(at(26))).toEqual({ pending: 0, dead: 1, oldestPendingAgeMs: null });
      });

      it('finds the case of a card or a re-posted card by where the desk put it, and nothing for a thread line or another channel', async () => {
        const store = await freshStore();
        await openCase(store, 'a', [anItem('a1', 'a', { topic: 'case.created', createdAt: at(1) })]);
        await openCase(store, 'b', [
          anItem('b1', 'b', { topic: 'case.created', createdAt: at(2) }),
          anItem('b2', 'b', { topic: 'case.message', createdAt: at(3) }),
          anItem('b3', 'b', { topic: 'case.reping', createdAt: at(4) }),
        ]);
        for (const [id, result] of [
          ['a1', { channel: 'C1', ts: '1.1' }],
          ['b1', { channel: 'C2', ts: '1.1' }],
          ['b2', { channel: 'C2', ts: '1.5' }],
          ['b3', { channel: 'C2', ts: '1.9' }],
        ] as const) {
          await store.claimOutbox(10, at(20), 1000);
          await store.completeOutbox(id, result);
        }
        expect(await store.findCaseIdByCard({ channel: 'C1', ts: '1.1' })).toBe('a');
        expect(await store.findCaseIdByCard({ channel: 'C2', ts: '1.1' })).toBe('b');
        expect(await store.findCaseIdByCard({ channel: 'C2', ts: '1.9' })).toBe('b');
        expect(await store.findCaseIdByCard({ channel: 'C2', ts: '1.5' })).toBeNull();
        expect(await store.findCaseIdByCard({ channel: 'C3', ts: '1.1' })).toBeNull();
      });

      it('gives back the attempt of a rate-limited retry, releases only items waiting to retry, and dead-letters a whole case', async () => {
        const store = await freshStore();
        await openCase(store, 'a', [anItem('a1', 'a', { topic: 'case.created' }), anItem('a2', 'a'), anItem('a3', 'a')]);
        await openCase(store, 'b', [anItem('b1', 'b')]);
        await openCase(store, 'c', [anItem('c1', 'c')]);
        expect(ids(await store.claimOutbox(10, at(100), 60_000))).toEqual(['a1', 'b1', 'c1']);
        await store.retryOutbox('a1', at(400), 'slack rate limited', { countsAsAttempt: false });
        await store.retryOutbox('b1', at(400), 'slack http 500');
        // c1 is still leased (in flight until 160): a release must not hand it to another worker.
        expect(await store.releaseOutbox(at(120))).toBe(2);
        expect(await store.releaseOutbox(at(120))).toBe(0);
        const released = await store.claimOutbox(10, at(120), 60_000);
        expect(released.map((item) => [item.id, item.attempts])).toEqual([
          ['a1', 1],
          ['b1', 2],
        ]);
        expect(await store.deadLetterCaseOutbox('a', 'the case card was dead-lettered')).toBe(3);
        expect(await store.deadLetterCaseOutbox('a', 'again')).toBe(0);
        expect(await store.outboxStats(at(120))).toMatchObject({ pending: 2, dead: 3 });
      });

      it('never leases one item to two instances claiming at the same time, and keeps each case in order', async () => {
        const location = await target.newLocation();
        const first = await openAt(location);
        const second = await openAt(location);
        const caseCount = 12;
        const perCase = 4;
        for (let c = 0; c < caseCount; c += 1) {
          await openCase(first, `k${c}`, Array.from({ length: perCase }, (_, i) => anItem(`k${c}-${i}`, `k${c}`)));
        }
        const leased: string[] = [];
        const delivered = new Map<string, number[]>();
        async function work(store: ConversationStore): Promise<void> {
          for (let idle = 0; idle < 3; ) {
            const items = await store.claimOutbox(3, at(100), 60_000);
            if (items.length === 0) {
              idle += 1;
              await new Promise((resolve) => setTimeout(resolve, 5));
              continue;
            }
            idle = 0;
            for (const item of items) {
              leased.push(item.id);
              const order = delivered.get(item.caseId) ?? [];
              order.push(Number(item.id.split('-')[1]));
              delivered.set(item.caseId, order);
              await store.completeOutbox(item.id, { by: store === first ? 'first' : 'second' });
            }
          }
        }
        await Promise.all([work(first), work(second), work(first), work(second)]);
        expect(leased).toHaveLength(caseCount * perCase);
        expect(new Set(leased).size).toBe(caseCount * perCase);
        for (const order of delivered.values()) expect(order).toEqual([0, 1, 2, 3]);
        expect(await first.outboxStats(at(100))).toEqual({ pending: 0, dead: 0, oldestPendingAgeMs: null });
      });
    });

    describe('inbound events and offline deliveries', () => {
      it('records an event id once', async () => {
        const store = await freshStore();
        expect(await store.markEventSeen('Ev01', at(1))).toBe(true);
        expect(await store.markEventSeen('Ev01', at(2))).toBe(false);
        expect(await store.markEventSeen('Ev02', at(2))).toBe(true);
      });

      it('keeps pending deliveries per recipient, in order, until acknowledged', async () => {
        const store = await freshStore();
        const delivery = (id: string, recipient: string, second: number) => ({ id, recipient, payload: { text: `reply ${id}`, n: second }, createdAt: at(second) });
        // A caller that already serialised the payload hands the JSON over; it is listed as the same payload.
        await store.enqueueDelivery({ ...delivery('j1', 'cust-3', 1), payloadJson: JSON.stringify(delivery('j1', 'cust-3', 1).payload) });
        expect(await store.listPendingDeliveries('cust-3')).toEqual([delivery('j1', 'cust-3', 1)]);
        await store.enqueueDelivery(delivery('r1', 'cust-1', 3));
        await store.enqueueDelivery(delivery('r2', 'cust-1', 1));
        await store.enqueueDelivery(delivery('x1', 'cust-2', 2));
        await store.enqueueDelivery(delivery('r3', 'cust-1', 2));
        await store.enqueueDelivery(delivery('r1', 'cust-1', 3));

        expect(await store.listPendingDeliveries('cust-1')).toEqual([delivery('r1', 'cust-1', 3), delivery('r2', 'cust-1', 1), delivery('r3', 'cust-1', 2)]);
        await store.ackDelivery('cust-1', 'r2');
        await store.ackDelivery('cust-2', 'r1');
        await store.ackDelivery('cust-1', 'unknown');
        expect((await store.listPendingDeliveries('cust-1')).map((d) => d.id)).toEqual(['r1', 'r3']);
        expect((await store.listPendingDeliveries('cust-2')).map((d) => d.id)).toEqual(['x1']);
        expect(await store.listPendingDeliveries('nobody')).toEqual([]);
      });

      it('still lists a reply acknowledged since a given instant when asked, for sockets on other instances', async () => {
        const store = await freshStore();
        const delivery = (id: string) => ({ id, recipient: 'web:cust-1', payload: { id }, createdAt: at(1) });
        await store.enqueueDelivery(delivery('r1'));
        await store.enqueueDelivery(delivery('r2'));
        const beforeAck = new Date(Date.now() - 1000).toISOString();
        await store.ackDelivery('web:cust-1', 'r1');
        await store.ackDelivery('web:cust-1', 'r1');
        expect((await store.listPendingDeliveries('web:cust-1')).map((d) => d.id)).toEqual(['r2']);
        const recent = await store.listPendingDeliveries('web:cust-1', { includeAckedSince: beforeAck });
        expect(recent.map((d) => d.id)).toEqual(['r1', 'r2']);
        expect(Date.parse(recent[0]?.ackedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(beforeAck));
        expect(recent[1]?.ackedAt).toBeUndefined();
        const afterAck = new Date(Date.now() + 60_000).toISOString();
        expect((await store.listPendingDeliveries('web:cust-1', { includeAckedSince: afterAck })).map((d) => d.id)).toEqual(['r2']);
        // Acknowledged is final: the same reply enqueued again (a retried relay) is not pending again.
        await store.enqueueDelivery(delivery('r1'));
        expect((await store.listPendingDeliveries('web:cust-1')).map((d) => d.id)).toEqual(['r2']);
      });
    });

    describe('migrations', () => {
      it('lets two instances open a new database at once, and reopen it keeping the data', async () => {
        const location = await target.newLocation();
        const [first, second] = await Promise.all([location.open(), location.open()]);
        opened.push(first, second);
        await first.saveTurn(aTurn('conv-m', { messages: [aMessage('m1', 'conv-m')] }));
        expect((await second.listMessages('conv-m')).map((m) => m.id)).toEqual(['m1']);
        await first.close();
        await second.close();

        const reopened = await openAt(location);
        expect((await reopened.getConversation('conv-m'))?.id).toBe('conv-m');
        const third = await openAt(location);
        expect((await third.listMessages('conv-m')).map((m) => m.id)).toEqual(['m1']);
      });
    });
  });
}
