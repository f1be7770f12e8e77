import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT } from '../../../src/channels/web/chat-frames.js';
import { WebCustomerChannel, type ChatConnection } from '../../../src/channels/web/web-customer-channel.js';
import { silentLogger } from '../../../src/core/ports/logger.js';
import type { StoredMessage } from '../../../src/core/conversation.js';
import type { OutgoingReply } from '../../../src/core/reply.js';
import { WebMemoryStore } from '../../fakes/web-memory-store.js';

class RecordingConnection implements ChatConnection {
  /** Every frame but history frames, in order. */
  readonly sent: Array<Record<string, unknown>> = [];
  /** The history frames, in order. */
  readonly histories: Array<{ type: 'history'; messages: Array<Record<string, unknown>> }> = [];
  isOpen = true;
  constructor(readonly conversationId: string) {}
  send(data: string): boolean {
    if (!this.isOpen) return false;
    const frame = JSON.parse(data) as Record<string, unknown>;
    if (frame.type === 'history') {
      if (this.sent.length > 0) throw new Error('a history frame after a reply');
      this.histories.push(frame as RecordingConnection['histories'][number]);
    } else {
      this.sent.push(frame);
    }
    return true;
  }
  ids(): unknown[] {
    return this.sent.map((frame) => frame.id);
  }
}

let counter = 0;
function reply(conversationId: string, text = 'hello'): OutgoingReply {
  counter += 1;
  return { id: `r${counter}`, conversationId, from: 'bot', text, suggestions: [], links: [], act: 'answer', state: 'bot', createdAt: new Date().toISOString() };
}

describe('WebCustomerChannel', () => {
  it('keeps every reply until acknowledged and sends it to every ready socket once', async () => {
    const store = new WebMemoryStore();
    const channel = new WebCustomerChannel({ store, logger: silentLogger });
    const tabOne = new RecordingConnection('web:c1');
    const tabTwo = new RecordingConnection('web:c1');
    const stranger = new RecordingConnection('web:c2');
    await Promise.all([channel.attach(tabOne), channel.attach(tabTwo), channel.attach(stranger)]);

    const first = reply('web:c1');
    await channel.deliver(first);
    expect(tabOne.ids()).toEqual([first.id]);
    expect(tabTwo.ids()).toEqual([first.id]);
    expect(stranger.sent).toEqual([]);
    expect(store.pendingIds('web:c1')).toEqual([first.id]);

    await channel.acknowledge(tabOne, first.id);
    expect(store.pendingIds('web:c1')).toEqual([]);
  });

  it('sends kept replies in order to a socket that attaches later, and never twice when a delivery races the attach', async () => {
    const store = new WebMemoryStore();
    const channel = new WebCustomerChannel({ store, logger: silentLogger });
    const kept = [reply('web:c1', 'one'), reply('web:c1', 'two')];
    for (const item of kept) await channel.deliver(item);

    const late = new RecordingConnection('web:c1');
    const racing = reply('web:c1', 'three');
    await Promise.all([channel.attach(late), channel.deliver(racing)]);
    expect(late.ids()).toEqual([kept[0]?.id, kept[1]?.id, racing.id]);

    // A redelivery on the same socket (e.g. a second attach flush) is suppressed until acknowledged.
    await channel.deliver({ ...racing });
    expect(late.ids()).toHaveLength(3);
  });

  it('stops sending to a detached socket; the other tab keeps receiving', async () => {
    const channel = new WebCustomerChannel({ store: new WebMemoryStore(), logger: silentLogger });
    const tabOne = new RecordingConnection('web:c1');
    const tabTwo = new RecordingConnection('web:c1');
    await channel.attach(tabOne);
    await channel.attach(tabTwo);
    channel.detach(tabOne);
    await channel.deliver(reply('web:c1'));
    expect(tabOne.sent).toEqual([]);
    expect(tabTwo.sent).toHaveLength(1);
    expect(channel.isConnected('web:c1')).toBe(true);
    channel.detach(tabTwo);
    expect(channel.isConnected('web:c1')).toBe(false);
    expect(channel.connectionCount()).toBe(0);
  });

  it('still sends live when the store fails, and fails loudly when the reply reached nobody', async () => {
    const store = new WebMemoryStore();
    store.enqueueDelivery = async () => {
      throw new Error('disk full');
    };
    const channel = new WebCustomerChannel({ store, logger: silentLogger });
    await expect(channel.deliver(reply('web:nobody'))).rejects.toMatchObject({ code: 'storage_unavailable' });
    const tab = new RecordingConnection('web:c1');
    await channel.attach(tab);
    await channel.deliver(reply('web:c1'));
    expect(tab.sent).toHaveLength(1);
  });

  it('sends a reply while it is being kept, and an ack that comes back before it is kept still lands', async () => {
    const store = new WebMemoryStore();
    let releaseKeeping: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      releaseKeeping = resolve;
    });
    // A store that takes its time to keep (a commit under load): the reply must not wait for it.
    const slowStore = {
      enqueueDelivery: async (delivery: Parameters<WebMemoryStore['enqueueDelivery']>[0]) => {
        await gate;
        await store.enqueueDelivery(delivery);
      },
      listPendingDeliveries: (recipient: string) => store.listPendingDeliveries(recipient),
      ackDelivery: (recipient: string, id: string) => store.ackDelivery(recipient, id),
      listMessages: (conversationId: string) => store.listMessages(conversationId),
    };
    const channel = new WebCustomerChannel({ store: slowStore, logger: silentLogger });
    const tab = new RecordingConnection('web:c1');
    await channel.attach(tab);

    const first = reply('web:c1');
    let isDelivered = false;
    const delivering = channel.deliver(first).then(() => {
      isDelivered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tab.ids()).toEqual([first.id]);
    expect(isDelivered).toBe(false);

    // The widget acks at once; the ack waits for the keeping write instead of finding nothing to ack.
    const acking = channel.acknowledge(tab, first.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.acks).toEqual([]);
    releaseKeeping();
    await Promise.all([delivering, acking]);
    expect(store.acks).toEqual([{ recipient: 'web:c1', id: first.id }]);
    expect(store.pendingIds('web:c1')).toEqual([]);
  });

  it('skips a kept payload that is not a valid reply frame', async () => {
    const store = new WebMemoryStore();
    await store.enqueueDelivery({ id: 'bad', recipient: 'web:c1', payload: { type: 'message', text: 5 }, createdAt: '2026-01-01T00:00:00Z' });
    const channel = new WebCustomerChannel({ store, logger: silentLogger });
    const tab = new RecordingConnection('web:c1');
    await channel.attach(tab);
    expect(tab.sent).toEqual([]);
  });

  it('opens each socket with the recent history: customer, bot and agent messages as stored, no system lines, kept replies left to arrive as themselves', async () => {
    const store = new WebMemoryStore();
    const at = (second: number) => `2026-03-14T09:00:${String(second).padStart(2, '0')}.000Z`;
    const message = (id: string, author: StoredMessage['author'], text: string, second: number, clientMessageId: string | null = null): StoredMessage => ({
      id,
      conversationId: 'web:c1',
      author,
      text,
      intent: null,
      confidence: null,
      clientMessageId,
      createdAt: at(second),
    });
    store.addMessages(
      message('g0', 'customer', '', 0),
      message('g1', 'bot', 'Hi, I am Candor.', 1),
      message('c1', 'customer', 'my phone is [phone]', 2, 'w1'),
      message('s1', 'system', 'Claimed by Mei.', 3),
      message('b1', 'bot', 'Mei from our team has joined.', 3),
      message('n1', 'system', 'Mei: note: check the file', 4),
      message('a1', 'agent', 'Hi, I am Mei.', 5),
      message('a2', 'agent', 'Still there?', 6),
      message('x1', 'customer', 'someone else', 7),
    );
    store.addMessages({ ...message('o1', 'customer', 'other conversation', 8), conversationId: 'web:c2' });
    const channel = new WebCustomerChannel({ store, logger: silentLogger });
    // a2 is still kept (not acknowledged): it comes as its own reply frame, not in the history.
    await channel.deliver({ ...reply('web:c1', 'Still there?'), id: 'a2', from: 'agent', agentName: 'Mei' });

    const tab = new RecordingConnection('web:c1');
    await channel.attach(tab);
    expect(tab.histories).toEqual([
      {
        type: 'history',
        messages: [
          { id: 'g1', from: 'bot', text: 'Hi, I am Candor.', createdAt: at(1) },
          { id: 'c1', from: 'customer', text: 'my phone is [phone]', createdAt: at(2), clientId: 'w1' },
          { id: 'b1', from: 'bot', text: 'Mei from our team has joined.', createdAt: at(3) },
          { id: 'a1', from: 'agent', text: 'Hi, I am Mei.', createdAt: at(5) },
          { id: 'x1', from: 'customer', text: 'someone else', createdAt: at(7) },
        ],
      },
    ]);
    expect(tab.ids()).toEqual(['a2']);
    expect(JSON.stringify(tab.histories)).not.toContain('note');

    // Another tab, later: the acknowledged reply is history now, and the history comes once per socket.
    await channel.acknowledge(tab, 'a2');
    const second = new RecordingConnection('web:c1');
    await channel.attach(second);
    await channel.deliver(reply('web:c1', 'live'));
    expect(second.histories).toHaveLength(1);
    expect(second.histories[0]?.messages.map((entry) => entry.id)).toEqual(['g1', 'c1', 'b1', 'a1', 'a2', 'x1']);
    expect(second.sent.map((frame) => frame.text)).toEqual(['live']);
  });

  it('sends at most the last HISTORY_LIMIT messages, and an empty history when the transcript cannot be read', async () => {
    const store = new WebMemoryStore();
    for (let index = 0; index < HISTORY_LIMIT + 5; index += 1) {
      store.addMessages({ id: `m${index}`, conversationId: 'web:c1', author: 'bot', text: `line ${index}`, intent: null, confidence: null, clientMessageId: null, createdAt: new Date(Date.UTC(2026, 2, 14, 9, 0, index)).toISOString() });
    }
    const channel = new WebCustomerChannel({ store, logger: silentLogger });
    const tab = new RecordingConnection('web:c1');
    await channel.attach(tab);
    const ids = tab.histories[0]?.messages.map((entry) => entry.id) ?? [];
    expect(ids).toHaveLength(HISTORY_LIMIT);
    expect(ids.at(-1)).toBe(`m${HISTORY_LIMIT + 4}`);

    store.failHistory = new Error('database down');
    const other = new RecordingConnection('web:c1');
    await channel.attach(other);
    expect(other.histories).toEqual([{ type: 'history', messages: [] }]);
  });
});
