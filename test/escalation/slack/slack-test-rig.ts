import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConversationStore } from '../../../src/core/ports/conversation-store.js';
import { slackConfigSchema } from '../../../src/config/slack-config.js';
import { OutboxWorker } from '../../../src/escalation/outbox-worker.js';
import { createSlackEscalation, type SlackEscalation } from '../../../src/escalation/slack/create-slack-escalation.js';
import { SqliteConversationStore } from '../../../src/storage/sqlite/sqlite-conversation-store.js';
import { startSlackApiStub, type SlackApiStub } from '../../fakes/slack-api-stub.js';
import { sendSlackRequest, type SlackEndpointAnswer } from '../../fakes/slack-signed-request.js';
import { createEscalationKit, type EscalationKit } from '../escalation-test-kit.js';

/** The signing secret the rig's app verifies against. */
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const ESCALATION_CHANNEL = 'CESCALATE';
export const RESTRICTED_CHANNEL = 'CRESTRICT';

/** Candor's Slack side on a real local HTTP server, talking to the Slack API stub, with a running outbox worker. */
export interface SlackRig extends EscalationKit {
  stub: SlackApiStub;
  slack: SlackEscalation;
  worker: OutboxWorker;
  /** Base URL of Candor's HTTP server. */
  baseUrl: string;
  send(path: string, body: string, contentType: 'json' | 'form', options?: { timestamp?: number; signature?: string; headers?: Record<string, string> }): Promise<SlackEndpointAnswer>;
  close(): Promise<void>;
}

/** Starts the rig; the store defaults to a real SQLite store in memory. */
export async function startSlackRig(
  options: { store?: ConversationStore; unclaimedMinutes?: number; leaseMs?: number; startWorker?: boolean; agentGroupId?: string } = {},
): Promise<SlackRig> {
  const store = options.store ?? SqliteConversationStore.open({ path: ':memory:' });
  const kit = createEscalationKit({ store, unclaimedMinutes: options.unclaimedMinutes ?? 5 });
  const stub = await startSlackApiStub({
    users: { U1AMY: { real_name: 'Amy Chen', first_name: 'Amy' }, U2LI: { real_name: 'Li Wei' } },
    usergroups: { SAGENTS: ['U1AMY'] },
  });
  const config = slackConfigSchema.parse({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_ESCALATION_CHANNEL_ID: ESCALATION_CHANNEL,
    SLACK_RESTRICTED_CHANNEL_ID: RESTRICTED_CHANNEL,
    SLACK_ONCALL_GROUP_ID: 'SONCALL1',
    SLACK_API_URL: stub.url,
    SLACK_TIMEOUT_MS: '1000',
    SLACK_CHANNEL_MIN_INTERVAL_MS: '20',
    ...(options.agentGroupId === undefined ? {} : { SLACK_AGENT_GROUP_ID: options.agentGroupId }),
  });
  const slack = createSlackEscalation({ config, store, cases: kit.cases, clock: kit.clock, publicBaseUrl: 'https://help.example.com/' });
  const server: Server = createServer((request, response) => {
    if (!slack.handleRequest(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await slack.start();
  const worker = new OutboxWorker({
    store,
    desk: slack.desk,
    clock: kit.clock,
    pollMs: 20,
    leaseMs: options.leaseMs ?? 2_000,
    backoffBaseMs: 100,
    backoffMaxMs: 400,
    jitterRatio: 0,
    maxAgeMs: 60_000,
    probeMs: 50,
  });
  if (options.startWorker !== false) worker.start();
  return {
    ...kit,
    stub,
    slack,
    worker,
    baseUrl,
    send: (path, body, contentType, extra = {}) => sendSlackRequest(`${baseUrl}${path}`, body, { secret: SIGNING_SECRET, contentType, ...extra }),
    async close() {
      await worker.stop();
      await slack.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stub.close();
      await store.close();
    },
  };
}
