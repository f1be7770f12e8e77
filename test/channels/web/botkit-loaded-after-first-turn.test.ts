import { describe, expect, it } from 'vitest';
import { BotkitLoadedAfterFirstTurn } from '../../../src/channels/web/botkit-loaded-after-first-turn.js';
import type { CustomerChannel, OutgoingReply } from '../../../src/core/reply.js';
import type { Logger } from '../../../src/core/ports/logger.js';
import type { IncomingMessage } from '../../../src/core/turn.js';
import { WebScriptedTurnHandler } from '../../fakes/web-scripted-turn-handler.js';

class RecordingChannel implements CustomerChannel {
  readonly delivered: OutgoingReply[] = [];
  async deliver(reply: OutgoingReply): Promise<void> {
    this.delivered.push(reply);
  }
}

const message = (text: string, id: string): IncomingMessage => ({ conversationId: 'web:c1', channel: 'web', customerId: 'c1', locale: 'en', text, clientMessageId: id });
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('Botkit loaded after the first turn', () => {
  it('answers the first turn before Botkit is imported, then runs every later turn through Botkit, with the same replies', async () => {
    const customerChannel = new RecordingChannel();
    const turns = new WebScriptedTurnHandler();
    const runner = new BotkitLoadedAfterFirstTurn({ turns, customerChannel, connections: { isConnected: () => true } });
    expect(runner.runsThroughBotkit()).toBe(false);
    expect(await runner.receive(message('hello', 'm1'))).toEqual({ status: 'handled', replies: 1 });
    expect(runner.runsThroughBotkit()).toBe(false);
    await runner.load();
    expect(runner.runsThroughBotkit()).toBe(true);
    expect(await runner.receive(message('hello', 'm2'))).toEqual({ status: 'handled', replies: 1 });
    const [first, second] = customerChannel.delivered;
    expect(second?.text).toBe(first?.text);
    expect(customerChannel.delivered.map((reply) => reply.text)).toEqual(['You said: hello', 'You said: hello']);
    await runner.shutdown();
  });

  it('starts loading Botkit by itself once the first turn is answered', async () => {
    let loads = 0;
    const runner = new BotkitLoadedAfterFirstTurn({
      turns: new WebScriptedTurnHandler(),
      customerChannel: new RecordingChannel(),
      connections: { isConnected: () => true },
      loadBotkit: async () => {
        loads += 1;
        return (deps) => ({ receive: async (m) => ({ status: 'handled', replies: (await deps.turns.handle(m)).replies.length }), shutdown: async () => undefined });
      },
    });
    await runner.receive(message('one', 'm1'));
    expect(loads).toBe(0);
    await settle();
    expect(loads).toBe(1);
    expect(runner.runsThroughBotkit()).toBe(true);
    await runner.receive(message('two', 'm2'));
    await settle();
    expect(loads).toBe(1);
  });

  it('reports a failed turn as a value on either path', async () => {
    const turns = new WebScriptedTurnHandler();
    const runner = new BotkitLoadedAfterFirstTurn({ turns, customerChannel: new RecordingChannel(), connections: { isConnected: () => true } });
    const failure = new Error('engine down');
    turns.failNext = failure;
    expect(await runner.receive(message('hi', 'm1'))).toEqual({ status: 'failed', error: failure });
    await runner.load();
    turns.failNext = failure;
    expect(await runner.receive(message('hi', 'm2'))).toEqual({ status: 'failed', error: failure });
    await runner.shutdown();
  });

  it('keeps answering without Botkit when it cannot be loaded, and says so in the log', async () => {
    const errors: string[] = [];
    const logger: Logger = { error: (_fields, text) => void errors.push(text), warn: () => undefined, info: () => undefined, debug: () => undefined };
    const runner = new BotkitLoadedAfterFirstTurn({
      turns: new WebScriptedTurnHandler(),
      customerChannel: new RecordingChannel(),
      connections: { isConnected: () => true },
      logger,
      loadBotkit: () => Promise.reject(new Error('Cannot find module botkit')),
    });
    await runner.load();
    expect(errors).toEqual(['Botkit could not be loaded; web turns keep running without it']);
    expect(await runner.receive(message('hello', 'm1'))).toEqual({ status: 'handled', replies: 1 });
    await runner.shutdown();
  });
});
