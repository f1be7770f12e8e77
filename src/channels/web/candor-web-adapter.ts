import { randomUUID } from 'node:crypto';
import { ActivityTypes, TurnContext, type Activity, type Middleware, type MiddlewareHandler, type ResourceResponse } from 'botbuilder';
import { WebAdapter } from 'botbuilder-adapter-web';
import { Botkit, BotWorker, type BotkitMessage } from 'botkit';
import { CandorError } from '../../core/candor-error.js';
import type { CustomerChannel } from '../../core/reply.js';
import type { IncomingMessage, TurnHandler } from '../../core/turn.js';
import { runWebTurn, type WebTurnOutcome, type WebTurnRunner } from './web-turn-runner.js';

/** Where the verified message rides on a Botkit turn; never taken from the client's frame. */
const CANDOR_MESSAGE = Symbol('candor.incomingMessage');
/** Where the Botkit handler leaves the turn's outcome for the socket that sent the message. */
const CANDOR_OUTCOME = Symbol('candor.turnOutcome');

export type { WebTurnOutcome } from './web-turn-runner.js';

/** Answers the connection registry's question for the adapter without exposing sockets. */
export interface ConnectionLookup {
  isConnected(conversationId: string): boolean;
}

/**
 * botbuilder-adapter-web's adapter with its unsafe parts replaced: no module-level client map,
 * no socket server of its own (the channel's gateway verifies identity first), and outbound
 * activities go through Candor's CustomerChannel so they are kept for offline customers.
 */
export class CandorWebAdapter extends WebAdapter {
  private readonly customerChannel: CustomerChannel;
  private readonly connections: ConnectionLookup;
  private logic: ((context: TurnContext) => Promise<void>) | null = null;

  constructor(deps: { customerChannel: CustomerChannel; connections: ConnectionLookup }) {
    super();
    this.customerChannel = deps.customerChannel;
    this.connections = deps.connections;
  }

  /** Botkit calls this when the adapter is plugged in; the channel's gateway owns the sockets instead. */
  override init(): void {
    // Deliberately no socket server: the stock one trusts the frame's `user` field.
  }

  /** Refuses BotBuilder middleware: turns run the Botkit logic directly (see `receive`), so it would never run. */
  override use(..._middlewares: (MiddlewareHandler | Middleware)[]): this {
    throw new CandorError('internal', 'the web adapter runs no BotBuilder middleware; add behaviour to the turn handler or the channel instead');
  }

  /** Sets the turn logic the adapter runs for each verified message. */
  useLogic(logic: (context: TurnContext) => Promise<void>): void {
    this.logic = logic;
  }

  /** Runs one verified customer message through the BotBuilder middleware and the Botkit handler. */
  async receive(message: IncomingMessage): Promise<WebTurnOutcome> {
    const logic = this.logic;
    if (!logic) throw new CandorError('internal', 'the web adapter has no turn logic');
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      id: message.clientMessageId,
      timestamp: new Date(),
      channelId: 'websocket',
      conversation: { id: message.conversationId, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: message.conversationId, name: '' },
      recipient: { id: 'candor', name: 'Candor' },
      text: message.text,
      locale: message.locale,
    };
    const context = new TurnContext(this, activity);
    context.turnState.set(CANDOR_MESSAGE, message);
    // What runMiddleware would set before the pipeline.
    context.locale = message.locale;
    try {
      // The logic runs directly rather than through BotBuilder's middleware pipeline, which this adapter
      // never has (use() refuses it). Under load, a turn run through runMiddleware (which wraps the context
      // in a revocable Proxy) left a fifth to a quarter more memory in V8's old generation, whose
      // collections set p99, and cost 10–15 µs more CPU.
      await logic(context);
    } catch (error) {
      return { status: 'failed', error };
    }
    return (context.turnState.get(CANDOR_OUTCOME) as WebTurnOutcome | undefined) ?? { status: 'failed', error: new CandorError('internal', 'no handler answered the web turn') };
  }

  /** Sends activities a Botkit worker says (e.g. `bot.say`) through the CustomerChannel, never dropping them. */
  override async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const conversationId = activity.conversation?.id;
      if (activity.type !== ActivityTypes.Message || !conversationId || typeof activity.text !== 'string') continue;
      const id = randomUUID();
      await this.customerChannel.deliver({
        id,
        conversationId,
        from: 'bot',
        text: activity.text,
        suggestions: [],
        links: [],
        act: 'answer',
        state: 'bot',
        createdAt: new Date().toISOString(),
      });
      responses.push({ id });
    }
    return responses;
  }

  /** True when the conversation has an open socket. */
  override isConnected(conversationId: string): boolean {
    return this.connections.isConnected(conversationId);
  }

  /** Raw sockets are not handed out; send through the CustomerChannel instead. */
  override getConnection(): never {
    throw new CandorError('internal', 'Candor does not expose raw chat sockets; deliver through the CustomerChannel');
  }
}

/**
 * Builds the Botkit controller for the web channel. Turns take a lean path: a BotWorker and the
 * `message` event, without Botkit's dialog stack or conversation-state storage, which Candor keeps
 * in its own store (this avoids a state read, JSON hashing and a JSON copy per turn).
 */
export function createWebBotkit(deps: { adapter: CandorWebAdapter; turns: TurnHandler; customerChannel: CustomerChannel }): Botkit {
  const controller = new Botkit({ adapter: deps.adapter, disable_webserver: true, disable_console: true });

  controller.on('message', async function handleWebMessage(_bot: BotWorker, botkitMessage: BotkitMessage) {
    const context = botkitMessage.context as TurnContext;
    const message = context.turnState.get(CANDOR_MESSAGE) as IncomingMessage;
    context.turnState.set(CANDOR_OUTCOME, await runWebTurn(deps, message));
  });

  deps.adapter.useLogic(async function runLeanBotkitTurn(context: TurnContext) {
    const activity = context.activity;
    const bot = new BotWorker(controller, { context, activity, adapter: deps.adapter });
    const botkitMessage: BotkitMessage = {
      type: 'message',
      text: activity.text,
      user: activity.from.id,
      channel: activity.conversation.id,
      reference: TurnContext.getConversationReference(activity) as BotkitMessage['reference'],
      context,
      incoming_message: activity,
    };
    await controller.trigger('message', bot, botkitMessage);
  });

  return controller;
}

/** Botkit as the web channel's turn runner: Candor's adapter and a lean controller over it. */
export function createBotkitTurnRunner(deps: { turns: TurnHandler; customerChannel: CustomerChannel; connections: ConnectionLookup }): WebTurnRunner {
  const adapter = new CandorWebAdapter({ customerChannel: deps.customerChannel, connections: deps.connections });
  const controller = createWebBotkit({ adapter, turns: deps.turns, customerChannel: deps.customerChannel });
  return {
    receive: (message) => adapter.receive(message),
    shutdown: () => controller.shutdown(),
  };
}
