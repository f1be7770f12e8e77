import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { slackConfigSchema } from '../../src/config/slack-config.js';
import { createEscalation, type Escalation } from '../../src/escalation/create-escalation.js';
import { startSlackApiStub, type SlackApiStub } from '../fakes/slack-api-stub.js';
import { slashCommand, sendSlackRequest } from '../fakes/slack-signed-request.js';
import { createEscalationKit, openTestCase, waitFor, type EscalationKit } from './escalation-test-kit.js';

let escalation: Escalation | undefined;
let stub: SlackApiStub | undefined;
afterEach(async () => {
  await escalation?.stop();
  await stub?.close();
  escalation = undefined;
  stub = undefined;
});

function build(kit: EscalationKit, env: Record<string, string>): Promise<Escalation> {
  return createEscalation({
    config: slackConfigSchema.parse({ ESCALATION_UNCLAIMED_CHECK_MS: '100', ESCALATION_OUTBOX_POLL_MS: '20', ...env }),
    store: kit.store,
    cases: kit.cases,
    clock: kit.clock,
  });
}

describe('createEscalation', () => {
  it('without Slack drains the outbox, ignores Slack paths and re-pings unclaimed cases on its timer', async () => {
    const kit = createEscalationKit();
    escalation = await build(kit, {});
    expect(escalation.requestPaths).toEqual([]);
    expect(escalation.slack).toBeNull();
    await escalation.start();
    const opened = await openTestCase(kit);
    await waitFor(async () => (await kit.store.outboxStats(kit.clock.now().toISOString())).pending === 0, 3_000, 'outbox drained');
    kit.clock.advance(6 * 60_000);
    await waitFor(() => kit.customers.to(opened.conversationId).some((r) => r.text.includes('We can call you back')), 3_000, 're-ping');
    const server = createServer((request, response) => {
      if (!escalation?.handleRequest(request, response)) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const answer = await fetch(`http://127.0.0.1:${port}/slack/commands`, { method: 'POST', body: 'x' });
    expect(answer.status).toBe(404);
    server.close();
  });

  it('with Slack configured posts cards and answers signed requests through handleRequest', async () => {
    stub = await startSlackApiStub();
    const kit = createEscalationKit();
    escalation = await build(kit, {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'shh-secret',
      SLACK_ESCALATION_CHANNEL_ID: 'CESC',
      SLACK_RESTRICTED_CHANNEL_ID: 'CRES',
      SLACK_API_URL: stub.url,
    });
    expect(escalation.requestPaths).toEqual(['/slack/events', '/slack/actions', '/slack/commands']);
    await escalation.start();
    const opened = await openTestCase(kit);
    await waitFor(() => (stub?.topLevel('CESC').length ?? 0) === 1, 3_000, 'card');
    const server = createServer((request, response) => {
      if (!escalation?.handleRequest(request, response)) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const answer = await sendSlackRequest(`http://127.0.0.1:${port}/slack/commands`, slashCommand({ text: 'queue', user: 'U1', channel: 'CESC' }), {
      secret: 'shh-secret',
      contentType: 'form',
    });
    expect(answer.body).toContain(opened.ref);
    server.closeAllConnections();
    server.close();
  });
});
