import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresOutboxStore } from '../../src/storage/postgres/postgres-outbox-store.js';
import { PostgresTurnStore } from '../../src/storage/postgres/postgres-turn-store.js';
import { aCase, aConversation, aMessage, anExplanation, anItem, aTurn, at } from './conversation-store.contract.js';
import { openCountingPostgres, type CountingPostgres } from '../support/counting-postgres-connection.js';

let db: CountingPostgres;
let sent: string[];
let turns: PostgresTurnStore;
let outbox: PostgresOutboxStore;

beforeAll(async () => {
  db = await openCountingPostgres({ max: 2 });
  ({ sent } = db);
  turns = new PostgresTurnStore(db.connection);
  outbox = new PostgresOutboxStore(db.connection);
});

afterAll(async () => {
  await db?.close();
});

beforeEach(() => {
  sent.length = 0;
});

describe('a turn on Postgres', () => {
  it('is one round trip: the conversation, the customer message, the replies and the audit record in one statement', async () => {
    const turn = aTurn('conv-1', {
      conversation: aConversation('conv-1', { lastIntent: 'limit.why_dropped' }),
      messages: [aMessage('m1', 'conv-1', { clientMessageId: 'client-1' }), aMessage('b1', 'conv-1', { author: 'bot' }), aMessage('b2', 'conv-1', { author: 'bot' })],
      explanations: [anExplanation('e1', 'conv-1')],
    });
    expect(await turns.saveTurn(turn)).toBe('stored');
    expect(sent).toEqual(['candor_save_turn']);

    // The next turn of the same conversation updates it, still in one round trip.
    sent.length = 0;
    const next = aTurn('conv-1', {
      conversation: aConversation('conv-1', { lastIntent: 'limit.current', updatedAt: at(60) }),
      messages: [aMessage('m2', 'conv-1', { clientMessageId: 'client-2' }), aMessage('b3', 'conv-1', { author: 'bot' })],
    });
    expect(await turns.saveTurn(next)).toBe('stored');
    expect(sent).toHaveLength(1);
    expect((await turns.listMessages('conv-1')).map((message) => message.id)).toEqual(['m1', 'b1', 'b2', 'm2', 'b3']);
    expect((await turns.getConversation('conv-1'))?.lastIntent).toBe('limit.current');
  });

  it('finds a resend in the same round trip and stores nothing of it', async () => {
    await turns.saveTurn(aTurn('conv-2', { conversation: aConversation('conv-2'), messages: [aMessage('m1-2', 'conv-2', { clientMessageId: 'client-1' })] }));
    sent.length = 0;
    const resend = aTurn('conv-2', {
      conversation: aConversation('conv-2', { lastIntent: 'limit.current' }),
      messages: [aMessage('m2-2', 'conv-2', { clientMessageId: 'client-1' }), aMessage('b1-2', 'conv-2', { author: 'bot' })],
      explanations: [anExplanation('e-resent', 'conv-2')],
    });
    expect(await turns.saveTurn(resend)).toBe('duplicate');
    expect(sent).toHaveLength(1);
    expect((await turns.listMessages('conv-2')).map((message) => message.id)).toEqual(['m1-2']);
    expect((await turns.getConversation('conv-2'))?.lastIntent).toBe(aConversation('conv-2').lastIntent);
  });

  it('opens a case with its outbox items in the same round trip, the items in their order', async () => {
    const turn = aTurn('conv-3', {
      conversation: aConversation('conv-3', { state: 'queued', caseId: 'case-3' }),
      messages: [aMessage('m1-3', 'conv-3', { clientMessageId: 'client-1' }), aMessage('b1-3', 'conv-3', { author: 'bot' })],
      openedCase: aCase('case-3', 'conv-3'),
      outbox: [anItem('o-1', 'case-3', { topic: 'case.created' }), anItem('o-2', 'case-3', { topic: 'case.message' })],
    });
    expect(await turns.saveTurn(turn)).toBe('stored');
    expect(sent).toHaveLength(1);
    const claimed = await outbox.claimOutbox(10, at(1000), 1000);
    expect(claimed.map((item) => item.id)).toEqual(['o-1']);
  });

  it('writes a turn of another shape (a client id after the first message) statement by statement, in order', async () => {
    const turn = aTurn('conv-4', {
      conversation: aConversation('conv-4'),
      messages: [aMessage('b0-4', 'conv-4', { author: 'bot' }), aMessage('m1-4', 'conv-4', { clientMessageId: 'client-1' })],
    });
    expect(await turns.saveTurn(turn)).toBe('stored');
    expect(sent.length).toBeGreaterThan(1);
    expect((await turns.listMessages('conv-4')).map((message) => message.id)).toEqual(['b0-4', 'm1-4']);
  });
});
