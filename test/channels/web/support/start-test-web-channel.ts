import { webConfigSchema } from '../../../../src/config/web-config.js';
import { createWebChannel, type WebChannel, type WebChannelConfig } from '../../../../src/channels/web/create-web-channel.js';
import type { Clock } from '../../../../src/core/ports/clock.js';
import type { TurnHandler } from '../../../../src/core/turn.js';
import { WebFakeComposer } from '../../../fakes/web-fake-composer.js';
import { WebFakeIntents } from '../../../fakes/web-fake-intents.js';
import { WebMemoryStore } from '../../../fakes/web-memory-store.js';
import { WebScriptedTurnHandler } from '../../../fakes/web-scripted-turn-handler.js';

/** The demo customers the test channel offers. */
export const TEST_DEMO_CUSTOMERS = [
  { id: 'demo-drop', displayName: 'Lin Wei — limit dropped', description: 'Limit decreased with four shown reasons.' },
  { id: 'demo-denied', displayName: 'Zhang Min — increase denied', description: 'Increase denied, income unverified.' },
];

/** A fixed secret so tests can forge tokens with other claims. */
export const TEST_TOKEN_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

/** A web channel on an ephemeral port with in-memory fakes, plus the fakes for assertions. */
export interface TestWebChannel {
  channel: WebChannel;
  turns: TurnHandler;
  store: WebMemoryStore;
  /** `ws://…/chat/socket` of the running channel. */
  socketUrl: string;
  close(): Promise<void>;
}

/** Starts the web channel with a scripted turn (or the given one) on 127.0.0.1 and an ephemeral port. */
export async function startTestWebChannel(options: { turns?: TurnHandler; env?: Record<string, string>; port?: number; clock?: Clock } = {}): Promise<TestWebChannel> {
  const webConfig = webConfigSchema.parse({ CHAT_TOKEN_SECRET: TEST_TOKEN_SECRET, ...options.env });
  const config: WebChannelConfig = { ...webConfig, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: options.port ?? 0 };
  const turns = options.turns ?? new WebScriptedTurnHandler();
  const store = new WebMemoryStore();
  const channel = await createWebChannel({
    config,
    turns,
    store,
    composer: new WebFakeComposer(),
    intents: new WebFakeIntents(),
    demoCustomers: TEST_DEMO_CUSTOMERS,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return {
    channel,
    turns,
    store,
    socketUrl: `${channel.url.replace(/^http/, 'ws')}/chat/socket`,
    close: () => channel.close(),
  };
}
