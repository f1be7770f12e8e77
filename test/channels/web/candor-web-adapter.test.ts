import { describe, expect, it } from 'vitest';
import { CandorWebAdapter, createWebBotkit } from '../../../src/channels/web/candor-web-adapter.js';
import type { CustomerChannel, OutgoingReply } from '../../../src/core/reply.js';
import { WebScriptedTurnHandler } from '../../fakes/web-scripted-turn-handler.js';

class RecordingChannel implements CustomerChannel {
  readonly delivered: OutgoingReply[] = [];
  async deliver(reply: OutgoingReply): Promise<void> {
    this.delivered.push(reply);
  }
}

function build() {
  const customerChannel = new RecordingChannel();
  const adapter = new CandorWebAdapter({ customerChannel, connections: { isConnected: (id) => id === 'web:online' } });
  const turns = new WebScriptedTurnHandler();
  const controller = createWebBotkit({ adapter, turns, customerChannel });
  return { customerChannel, adapter, turns, controller };
}

describe('CandorWebAdapter with Botkit', () => {
  it('runs a verified message through Botkit to the turn and delivers the replies', async () => {
    const { adapter, turns, customerChannel, controller } = build();
    const outcome = await adapter.receive({ conversationId: 'web:c1', channel: 'web', customerId: 'c1', locale: 'en', text: 'hello', clientMessageId: 'm1' });
    expect(outcome).toEqual({ status: 'handled', replies: 1 });
    expect(turns.received).toEqual([{ conversationId: 'web:c1', channel: 'web', customerId: 'c1', locale: 'en', text: 'hello', clientMessageId: 'm1' }]);
    expect(customerChannel.delivered.map((reply) => [reply.conversationId, reply.text])).toEqual([['web:c1', 'You said: hello']]);
    await controller.shutdown();
  });

  it('gives Botkit\'s message handlers the BotBuilder context with the message\'s locale, and refuses BotBuilder middleware it would not run', async () => {
    const { adapter, controller } = build();
    const seen: unknown[] = [];
    controller.on('message', async (_bot, message) => {
      const context = message.context as { locale?: string; activity: { text?: string } };
      seen.push([context.locale, context.activity.text]);
    });
    expect(await adapter.receive({ conversationId: 'web:c2', channel: 'web', customerId: 'c2', locale: 'zh-CN', text: '额度', clientMessageId: 'm2' })).toEqual({ status: 'handled', replies: 1 });
    expect(seen).toEqual([['zh-CN', '额度']]);
    expect(() => adapter.use(async (_context, next) => next())).toThrow(/no BotBuilder middleware/);
    await controller.shutdown();
  });

  it('reports a failed turn as a value with the original error', async () => {
    const { adapter, turns } = build();
    const failure = new Error('engine down');
    turns.failNext = failure;
    expect(await adapter.receive({ conversationId: 'web:c1', channel: 'web', customerId: null, locale: 'en', text: 'hi' })).toEqual({ status: 'failed', error: failure });
  });

  it('sends what a Botkit worker says through the CustomerChannel instead of dropping it', async () => {
    const { adapter, controller, customerChannel } = build();
    const bot = await controller.spawn({});
    await bot.changeContext({ conversation: { id: 'web:offline', isGroup: false, conversationType: 'personal', name: '' }, channelId: 'websocket', serviceUrl: '' , bot: { id: 'candor', name: 'Candor' }, user: { id: 'web:offline', name: '' } });
    await bot.say('kept for later');
    expect(customerChannel.delivered.map((reply) => [reply.conversationId, reply.text])).toEqual([['web:offline', 'kept for later']]);
    expect(adapter.isConnected('web:online')).toBe(true);
    expect(adapter.isConnected('web:offline')).toBe(false);
    expect(() => adapter.getConnection()).toThrow(/CustomerChannel/);
  });
});
