import { createHmac } from 'node:crypto';

/** The answer Candor's Slack endpoint gave. */
export interface SlackEndpointAnswer {
  status: number;
  body: string;
}

/** Signs a body the way Slack does (v0 HMAC-SHA256 over `v0:{timestamp}:{body}`). */
export function signSlackBody(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Posts a signed request to Candor's Slack endpoint, as Slack would; options allow a wrong secret, an old timestamp or retry headers. */
export async function sendSlackRequest(
  url: string,
  body: string,
  options: { secret: string; contentType: 'json' | 'form'; timestamp?: number; signature?: string; headers?: Record<string, string> },
): Promise<SlackEndpointAnswer> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? signSlackBody(options.secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}

/** An Events API envelope around one event. */
export function eventEnvelope(eventId: string, event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'legacy-token-unused',
    team_id: 'TCANDOR',
    api_app_id: 'ACANDOR',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'TCANDOR', user_id: 'UCANDORBOT', is_bot: true }],
    event,
  });
}

/** A block_actions payload for one button press on a card. */
export function buttonPress(input: { actionId: string; caseId: string; user: string; channel: string; messageTs: string }): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'TCANDOR', domain: 'candor-test' },
    user: { id: input.user, username: input.user.toLowerCase(), name: input.user.toLowerCase(), team_id: 'TCANDOR' },
    api_app_id: 'ACANDOR',
    token: 'legacy-token-unused',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    trigger_id: '1.2.3',
    channel: { id: input.channel, name: 'escalations' },
    message: { ts: input.messageTs, type: 'message', text: 'card' },
    actions: [{ type: 'button', action_id: input.actionId, block_id: 'case_actions', value: input.caseId, action_ts: String(Date.now() / 1000) }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** A slash-command form body. */
export function slashCommand(input: { text: string; user: string; channel: string }): string {
  return new URLSearchParams({
    token: 'legacy-token-unused',
    team_id: 'TCANDOR',
    team_domain: 'candor-test',
    channel_id: input.channel,
    channel_name: 'escalations',
    user_id: input.user,
    user_name: input.user.toLowerCase(),
    command: '/candor',
    text: input.text,
    api_app_id: 'ACANDOR',
    response_url: 'http://127.0.0.1:9/unused',
    trigger_id: '1.2.3',
  }).toString();
}
