import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CandorError } from '../../src/core/candor-error.js';
import { PostgresConversationStore } from '../../src/storage/postgres/postgres-conversation-store.js';
import { PostgresDeliveryStore } from '../../src/storage/postgres/postgres-delivery-store.js';
import { PostgresTurnStore } from '../../src/storage/postgres/postgres-turn-store.js';
import { aConversation, aMessage, anExplanation, aTurn, at } from './conversation-store.contract.js';
import { openCountingPostgres, type CountingPostgres } from '../support/counting-postgres-connection.js';
import { TEST_DATABASE_URL, type TestSchemas } from '../support/postgres-test-database.js';

let db: CountingPostgres;
let pool: pg.Pool;
let sent: string[];
let schemas: TestSchemas;
let turns: PostgresTurnStore;
let deliveries: PostgresDeliveryStore;

beforeAll(async () => {
  db = await openCountingPostgres({ max: 4 });
  ({ pool, sent, schemas } = db);
  turns = new PostgresTurnStore(db.connection);
  deliveries = new PostgresDeliveryStore(db.connection);
});

afterAll(async () => {
  await db?.close();
});

beforeEach(() => {
  sent.length = 0;
});

/** A customer turn: its message with a client id, one bot reply and an audit record. */
function customerTurn(conversationId: string, clientId: string, tag: string) {
  return aTurn(conversationId, {
    conversation: aConversation(conversationId, { lastIntent: `intent-${tag}`, updatedAt: at(10) }),
    messages: [aMessage(`m-${tag}`, conversationId, { clientMessageId: clientId }), aMessage(`b-${tag}`, conversationId, { author: 'bot' })],
    explanations: [anExplanation(`e-${tag}`, conversationId)],
  });
}

/** The transactions that wrote the conversations' messages (xmin: one per commit). */
async function writingTransactions(conversationIds: string[]): Promise<number> {
  const { rows } = await pool.query('SELECT count(DISTINCT xmin::text) AS n FROM messages WHERE conversation_id = ANY($1)', [conversationIds]);
  sent.length = 0;
  return Number(rows[0].n);
}

describe('group commit of turns on Postgres', () => {
  it('writes the turns of different conversations asked for together in one statement and one commit', async () => {
    const ids = ['g1-a', 'g1-b', 'g1-c', 'g1-d', 'g1-e'];
    const outcomes = await Promise.all(ids.map((id) => turns.saveTurn(customerTurn(id, 'client-1', id))));
    expect(outcomes).toEqual(['stored', 'stored', 'stored', 'stored', 'stored']);
    expect(sent).toEqual(['candor_save_turn']);
    expect(await writingTransactions(ids)).toBe(1);
    for (const id of ids) {
      expect((await turns.listMessages(id)).map((message) => message.id)).toEqual([`m-${id}`, `b-${id}`]);
      expect((await turns.getConversation(id))?.lastIntent).toBe(`intent-${id}`);
    }
  });

  it('answers duplicate for a resend in a batch, for that turn only, and stores nothing of it', async () => {
    expect(await turns.saveTurn(customerTurn('g2-a', 'client-1', 'g2-a1'))).toBe('stored');
    sent.length = 0;
    const resend = aTurn('g2-a', {
      conversation: aConversation('g2-a', { lastIntent: 'changed-by-resend', updatedAt: at(20) }),
      messages: [aMessage('m-g2-a2', 'g2-a', { clientMessageId: 'client-1' }), aMessage('b-g2-a2', 'g2-a', { author: 'bot' })],
      explanations: [anExplanation('e-g2-a2', 'g2-a')],
    });
    const outcomes = await Promise.all([turns.saveTurn(customerTurn('g2-b', 'client-1', 'g2-b')), turns.saveTurn(resend), turns.saveTurn(customerTurn('g2-c', 'client-1', 'g2-c'))]);
    expect(outcomes).toEqual(['stored', 'duplicate', 'stored']);
    expect(sent).toEqual(['candor_save_turn']);
    expect((await turns.listMessages('g2-a')).map((message) => message.id)).toEqual(['m-g2-a1', 'b-g2-a1']);
    expect((await turns.getConversation('g2-a'))?.lastIntent).toBe('intent-g2-a1');
    expect((await pool.query("SELECT id FROM explanations WHERE conversation_id = 'g2-a'")).rows.map((row) => row.id)).toEqual(['e-g2-a1']);
    expect((await turns.listMessages('g2-c')).map((message) => message.id)).toEqual(['m-g2-c', 'b-g2-c']);
  });

  it('fails a failing turn alone: the batch is tried again turn by turn and the others are stored', async () => {
    await turns.saveTurn(customerTurn('g3-x', 'client-1', 'g3-x'));
    // Its bot message reuses a stored message id: a unique violation, a bug rather than an outage.
    const failing = aTurn('g3-b', {
      conversation: aConversation('g3-b'),
      messages: [aMessage('m-g3-b', 'g3-b', { clientMessageId: 'client-1' }), aMessage('b-g3-x', 'g3-b', { author: 'bot' })],
    });
    sent.length = 0;
    const settled = await Promise.allSettled([
      turns.saveTurn(customerTurn('g3-a', 'client-1', 'g3-a')),
      turns.saveTurn(failing),
      turns.saveTurn(customerTurn('g3-c', 'client-1', 'g3-c')),
    ]);
    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const failure = (settled[1] as PromiseRejectedResult).reason;
    expect(failure).toBeInstanceOf(CandorError);
    expect((failure as CandorError).code).toBe('internal');
    // The batch, then each of its three turns alone.
    expect(sent).toEqual(['candor_save_turn', 'candor_save_turn', 'candor_save_turn', 'candor_save_turn']);
    expect((await turns.listMessages('g3-a')).map((message) => message.id)).toEqual(['m-g3-a', 'b-g3-a']);
    expect((await turns.listMessages('g3-c')).map((message) => message.id)).toEqual(['m-g3-c', 'b-g3-c']);
    expect(await turns.getConversation('g3-b')).toBeNull();
    expect(await turns.listMessages('g3-b')).toEqual([]);
  });

  it('never puts two turns of one conversation in a batch: the second goes in the next, in order', async () => {
    const outcomes = await Promise.all([
      turns.saveTurn(customerTurn('g4-a', 'client-1', 'g4-a1')),
      turns.saveTurn(customerTurn('g4-b', 'client-1', 'g4-b')),
      turns.saveTurn(customerTurn('g4-a', 'client-2', 'g4-a2')),
    ]);
    expect(outcomes).toEqual(['stored', 'stored', 'stored']);
    expect(sent).toEqual(['candor_save_turn', 'candor_save_turn']);
    expect((await turns.listMessages('g4-a')).map((message) => message.id)).toEqual(['m-g4-a1', 'b-g4-a1', 'm-g4-a2', 'b-g4-a2']);
    expect((await turns.getConversation('g4-a'))?.lastIntent).toBe('intent-g4-a2');
  });

  it('reads the states of turns asked for together in one statement: the conversation, or null, and whether the message is a resend', async () => {
    await turns.saveTurn(customerTurn('g6-a', 'client-1', 'g6-a'));
    sent.length = 0;
    const [known, resent, unknown, noClientId] = await Promise.all([
      turns.loadTurnState('g6-a', 'client-2'),
      turns.loadTurnState('g6-a', 'client-1'),
      turns.loadTurnState('g6-none', 'client-1'),
      turns.loadTurnState('g6-a', null),
    ]);
    expect(sent).toEqual(['candor_load_turn_states']);
    expect(known).toEqual({ conversation: await turns.getConversation('g6-a'), hasClientMessage: false });
    expect(known.conversation?.lastIntent).toBe('intent-g6-a');
    expect(resent.hasClientMessage).toBe(true);
    expect(unknown).toEqual({ conversation: null, hasClientMessage: false });
    expect(noClientId.hasClientMessage).toBe(false);
  });

  it('resolves each turn only once its batch is committed: another connection sees it at once', async () => {
    const ids = ['g5-a', 'g5-b', 'g5-c'];
    await Promise.all(
      ids.map(async (id) => {
        await turns.saveTurn(customerTurn(id, 'client-1', id));
        const other = await pool.query('SELECT count(*) AS n FROM messages WHERE conversation_id = $1', [id]);
        expect(Number(other.rows[0].n)).toBe(2);
      }),
    );
  });
});

describe('group commit of kept replies and acknowledgements on Postgres', () => {
  const reply = (recipient: string, id: string) => ({ id, recipient, payload: { type: 'reply', id, text: `text of ${id}` }, createdAt: at(30) });

  it('keeps the replies and records the acknowledgements asked for together in one statement and one commit', async () => {
    await deliveries.enqueueDelivery(reply('d1-a', 'r-a1'));
    sent.length = 0;
    await Promise.all([
      deliveries.enqueueDelivery(reply('d1-b', 'r-b1')),
      deliveries.enqueueDelivery({ ...reply('d1-c', 'r-c1'), payloadJson: JSON.stringify(reply('d1-c', 'r-c1').payload) }),
      deliveries.ackDelivery('d1-a', 'r-a1'),
      deliveries.enqueueDelivery(reply('d1-a', 'r-a2')),
    ]);
    expect(sent).toEqual(['candor_write_deliveries']);
    expect((await deliveries.listPendingDeliveries('d1-a')).map((delivery) => delivery.id)).toEqual(['r-a2']);
    expect((await deliveries.listPendingDeliveries('d1-b')).map((delivery) => delivery.payload)).toEqual([reply('d1-b', 'r-b1').payload]);
    expect((await deliveries.listPendingDeliveries('d1-c')).map((delivery) => delivery.payload)).toEqual([reply('d1-c', 'r-c1').payload]);
    const acked = await deliveries.listPendingDeliveries('d1-a', { includeAckedSince: at(0) });
    expect(acked.map((delivery) => [delivery.id, delivery.ackedAt !== undefined])).toEqual([
      ['r-a1', true],
      ['r-a2', false],
    ]);
  });

  it('fails a keep that cannot be stored alone, and keeps the others of its batch', async () => {
    sent.length = 0;
    const settled = await Promise.allSettled([
      deliveries.enqueueDelivery(reply('d2-a', 'r-a1')),
      deliveries.enqueueDelivery({ ...reply('d2-b', 'r-b1'), payloadJson: '{"not json' }),
      deliveries.enqueueDelivery(reply('d2-c', 'r-c1')),
    ]);
    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sent).toHaveLength(4);
    expect((await deliveries.listPendingDeliveries('d2-a')).map((delivery) => delivery.id)).toEqual(['r-a1']);
    expect(await deliveries.listPendingDeliveries('d2-b')).toEqual([]);
    expect((await deliveries.listPendingDeliveries('d2-c')).map((delivery) => delivery.id)).toEqual(['r-c1']);
  });
});

describe('closing a Postgres store with writes queued for a group commit', () => {
  it('commits the queued turns, keeps and acknowledgements before the pool ends', async () => {
    const schema = schemas.next();
    const store = await PostgresConversationStore.open({ connectionString: TEST_DATABASE_URL, schema });
    await store.enqueueDelivery({ id: 'r-old', recipient: 'close-a', payload: { n: 0 }, createdAt: at(30) });
    // Asked for and not awaited: close() must not end the pool under them.
    const writes = Promise.all([
      store.saveTurn(customerTurn('close-a', 'client-1', 'close-a')),
      store.saveTurn(customerTurn('close-b', 'client-1', 'close-b')),
      store.enqueueDelivery({ id: 'r-new', recipient: 'close-a', payload: { n: 1 }, createdAt: at(31) }),
      store.ackDelivery('close-a', 'r-old'),
    ]);
    await store.close();
    expect(await writes).toEqual(['stored', 'stored', undefined, undefined]);
    const reopened = await PostgresConversationStore.open({ connectionString: TEST_DATABASE_URL, schema });
    try {
      expect((await reopened.listMessages('close-b')).map((message) => message.id)).toEqual(['m-close-b', 'b-close-b']);
      expect((await reopened.listPendingDeliveries('close-a')).map((delivery) => delivery.id)).toEqual(['r-new']);
    } finally {
      await reopened.close();
    }
  });
});
