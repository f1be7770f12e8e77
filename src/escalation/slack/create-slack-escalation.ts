import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, webApi, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import { z } from 'zod';
import { CandorError } from '../../core/candor-error.js';
import type { Clock } from '../../core/ports/clock.js';
import type { CaseStore } from '../../core/ports/case-store.js';
import type { IntentDirectory } from '../../core/ports/intent-directory.js';
import type { OutboxStore } from '../../core/ports/outbox-store.js';
import { silentLogger, type Logger } from '../../core/ports/logger.js';
import type { SlackConfig } from '../../config/slack-config.js';
import type { CaseActionResult, CaseService } from '../case-service.js';
import { AgentDirectory } from './agent-directory.js';
import { AgentGroup } from './agent-group.js';
import { answerCandorCommand } from './candor-command.js';
import { CARD_ACTIONS, CARD_EVENT_TYPE, describeStatus } from './case-card.js';
import { ChannelRateLimiter } from './channel-rate-limiter.js';
import { SlackEscalationDesk } from './slack-escalation-desk.js';
import { escapeSlackText, slackTextToPlain } from './slack-text.js';

/** The HTTP paths Slack is configured to call (events, interactivity, slash commands); all accept any of the three. */
export const SLACK_PATHS = ['/slack/events', '/slack/actions', '/slack/commands'] as const;

/** What the Slack escalation app needs. */
export interface SlackEscalationDeps {
  config: SlackConfig;
  /** Inbound events already seen, and the case of each card Candor posted (thread replies name their card). */
  store: Pick<CaseStore, 'markEventSeen'> & Pick<OutboxStore, 'findCaseIdByCard'>;
  cases: CaseService;
  clock: Clock;
  logger?: Logger;
  /** Base of deep links for `/candor faq`. */
  publicBaseUrl?: string;
  /** Checks `/candor faq` topics against the intents' aliases. */
  topics?: IntentDirectory;
}

/** The running Slack side: the desk for the outbox worker and the HTTP handler for Slack's requests. */
export interface SlackEscalation {
  app: App;
  desk: SlackEscalationDesk;
  /** Handles a request when its path is one of SLACK_PATHS (POST) and returns true; otherwise returns false and leaves it alone. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Checks the token (auth.test) and, in Socket Mode, connects; a Slack outage at start-up is retried in the background. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const messageEventSchema = z.object({
  type: z.literal('message'),
  channel: z.string(),
  user: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  app_id: z.string().optional(),
});

const envelopeSchema = z.object({ event_id: z.string().min(1) });

/** The message a thread hangs under, as `conversations.history` gives it: who posted it, and a card's metadata. */
const threadParentSchema = z.object({
  bot_id: z.string().optional(),
  metadata: z.object({ event_type: z.string().optional(), event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/** What an agent is told when their thread reply names no case Candor knows. */
export const NO_CASE_FOR_THREAD = 'Not sent to the customer: Candor cannot tell which case this thread belongs to. Reply in the thread under the case card.';

/** How far a request's signed timestamp may be from now, either way (Slack's own guidance for replay protection). */
const SLACK_TIMESTAMP_SKEW_SECONDS = 300;

/** Builds the Bolt app (HTTP receiver with signature verification, or Socket Mode), its listeners, and the Slack desk. */
export function createSlackEscalation(deps: SlackEscalationDeps): SlackEscalation {
  const { config, store, cases, clock } = deps;
  const logger = deps.logger ?? silentLogger;
  const token = config.SLACK_BOT_TOKEN;
  const escalationChannel = config.SLACK_ESCALATION_CHANNEL_ID;
  const restrictedChannel = config.SLACK_RESTRICTED_CHANNEL_ID;
  if (token === undefined || escalationChannel === undefined || restrictedChannel === undefined) {
    throw new CandorError('config_invalid', 'Slack needs SLACK_BOT_TOKEN, SLACK_ESCALATION_CHANNEL_ID and SLACK_RESTRICTED_CHANNEL_ID');
  }
  const channels = new Set([escalationChannel, restrictedChannel]);
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: config.SLACK_API_URL,
    timeout: config.SLACK_TIMEOUT_MS,
    // The outbox retries; the client must fail fast instead of sleeping through rate limits.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  };
  const client = new webApi.WebClient(token, clientOptions);
  const limiter = new ChannelRateLimiter(config.SLACK_CHANNEL_MIN_INTERVAL_MS);
  const desk = new SlackEscalationDesk({
    client,
    channels: { escalation: escalationChannel, restricted: restrictedChannel },
    limiter,
    ...(config.SLACK_ONCALL_GROUP_ID === undefined ? {} : { oncallGroupId: config.SLACK_ONCALL_GROUP_ID }),
    logger,
  });
  const agents = new AgentDirectory(client, config.SLACK_AGENT_ALIASES, logger);
  const agentGroup = new AgentGroup(client, config.SLACK_AGENT_GROUP_ID, logger);
  const caseOfThreadCache = new Map<string, string>();
  let identity: Promise<{ botId: string; botUserId: string }> | null = null;

  /** auth.test once, cached on success; a failure is forgotten so the next request asks again. */
  function botIdentity(): Promise<{ botId: string; botUserId: string }> {
    if (identity === null) {
      identity = client.auth.test().then((result) => {
        if (result.user_id === undefined || result.bot_id === undefined) throw new CandorError('unauthorized', 'auth.test returned no bot identity');
        return { botId: result.bot_id, botUserId: result.user_id };
      });
      identity.catch(() => {
        identity = null;
      });
    }
    return identity;
  }

  const boltLogger = createBoltLogger(logger);
  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | null = null;
  if (config.SLACK_SOCKET_MODE) {
    receiver = new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN ?? '', logger: boltLogger });
  } else {
    httpReceiver = new HTTPReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET ?? '',
      endpoints: [...SLACK_PATHS],
      signatureVerification: true,
      processBeforeResponse: false,
      logger: boltLogger,
    });
    receiver = httpReceiver;
  }
  const app = new App({
    receiver,
    logger: boltLogger,
    convoStore: false,
    clientOptions,
    authorize: async function authorizeSingleWorkspace() {
      const { botId, botUserId } = await botIdentity();
      return { botToken: token, botId, botUserId };
    },
  });

  async function tellAgent(channel: string | undefined, user: string, text: string, threadTs?: string): Promise<void> {
    if (channel === undefined) return;
    try {
      await client.chat.postEphemeral({ channel, user, text: escapeSlackText(text), ...(threadTs === undefined ? {} : { thread_ts: threadTs }) });
    } catch (error) {
      logger.warn({ slackUser: user, err: error instanceof Error ? error.message : String(error) }, 'ephemeral reply failed');
    }
  }

  function explain(result: CaseActionResult): string | null {
    switch (result.status) {
      case 'ok':
        return null;
      case 'not_found':
        return 'That case no longer exists.';
      case 'already_claimed':
        return `Case ${result.case.ref} is already claimed by ${result.case.agentName ?? 'another agent'}.`;
      case 'not_open':
        return `Case ${result.case.ref} is closed (${describeStatus(result.case)}).`;
      case 'empty_text':
        return 'Nothing to send.';
    }
  }

  const buttonActions: Array<[string, (caseId: string, userId: string) => Promise<CaseActionResult>]> = [
    [CARD_ACTIONS.claim, async (caseId, userId) => cases.claim(caseId, await agents.resolve(userId))],
    [CARD_ACTIONS.resolve, async (caseId, userId) => cases.resolve(caseId, await agents.resolve(userId))],
    [CARD_ACTIONS.returnToBot, async (caseId, userId) => cases.returnToBot(caseId, await agents.resolve(userId))],
  ];
  for (const [actionId, perform] of buttonActions) {
    app.action(actionId, async function onCardButton({ ack, body, action }) {
      // Acknowledge first: Slack wants an answer within 3 s; the case work and the card update follow.
      await ack();
      const caseId = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
      const channel = 'channel' in body ? body.channel?.id : undefined;
      if (caseId === undefined) return;
      try {
        const result = await perform(caseId, body.user.id);
        const problem = explain(result);
        if (problem !== null) await tellAgent(channel, body.user.id, problem);
        logger.info({ action: actionId, caseId, outcome: result.status }, 'card button handled');
      } catch (error) {
        logger.error({ action: actionId, caseId, err: error }, 'card button failed');
        await tellAgent(channel, body.user.id, 'Something went wrong; please try again.');
      }
    });
  }

  /**
   * The case a thread belongs to: the card's ts as Candor stored it when posting (a first post or a re-post),
   * else the card's metadata in Slack's history (a post whose result is not stored yet); cached per process.
   * `not_a_case` is a thread under someone else's message; `unknown` one under a post of Candor's without a case.
   */
  async function caseOfThread(channel: string, threadTs: string): Promise<{ caseId: string } | { missing: 'not_a_case' | 'unknown' }> {
    const key = `${channel}:${threadTs}`;
    const cached = caseOfThreadCache.get(key);
    if (cached !== undefined) return { caseId: cached };
    let caseId = await store.findCaseIdByCard({ channel, ts: threadTs });
    if (caseId === null) {
      const history = await client.conversations.history({ channel, latest: threadTs, oldest: threadTs, inclusive: true, limit: 1, include_all_metadata: true });
      const found = threadParentSchema.safeParse((history.messages ?? [])[0]);
      const parent = found.success ? found.data : undefined;
      const fromMetadata = parent?.metadata?.event_type === CARD_EVENT_TYPE ? parent.metadata.event_payload?.['case_id'] : undefined;
      if (typeof fromMetadata !== 'string') {
        const isOwnPost = parent === undefined || parent.bot_id === (await botIdentity()).botId;
        return { missing: isOwnPost ? 'unknown' : 'not_a_case' };
      }
      caseId = fromMetadata;
    }
    if (caseOfThreadCache.size > 5_000) caseOfThreadCache.clear();
    caseOfThreadCache.set(key, caseId);
    return { caseId };
  }

  app.event('message', async function onThreadReply({ event, body, context }) {
    const parsed = messageEventSchema.safeParse(event);
    if (!parsed.success) return;
    const message = parsed.data;
    // Only plain human replies in a case thread: no edits, deletions, broadcasts, bot posts or top-level chatter.
    if (!channels.has(message.channel) || message.subtype !== undefined || message.bot_id !== undefined) return;
    if (message.user === undefined || message.user === context.botUserId) return;
    if (message.thread_ts === undefined || message.thread_ts === message.ts) return;
    const envelope = envelopeSchema.safeParse(body);
    if (!envelope.success) return;
    // Slack has its 200 already and will not retry, so every failure from here on, the dedupe's own
    // write included (a database outage), must reach the agent as "not sent".
    try {
      if (!(await store.markEventSeen(envelope.data.event_id, clock.now().toISOString()))) {
        logger.info({ eventId: envelope.data.event_id }, 'duplicate Slack event ignored');
        return;
      }
      const thread = await caseOfThread(message.channel, message.thread_ts);
      if ('missing' in thread) {
        // Agents also talk among themselves in threads under their own messages: that is not a reply to a customer.
        if (thread.missing === 'not_a_case') return;
        logger.warn({ eventId: envelope.data.event_id, channel: message.channel, threadTs: message.thread_ts, slackUser: message.user }, 'thread reply not sent: no case for this thread');
        await tellAgent(message.channel, message.user, NO_CASE_FOR_THREAD, message.thread_ts);
        return;
      }
      const agent = await agents.resolve(message.user);
      const result = await cases.agentReply(thread.caseId, agent, slackTextToPlain(message.text ?? ''), { fromDesk: true });
      const problem = explain(result);
      if (problem !== null) {
        // The outcome only: the agent's words stay out of the log.
        logger.warn({ eventId: envelope.data.event_id, caseId: thread.caseId, outcome: result.status, slackUser: message.user }, 'thread reply not sent to the customer');
        await tellAgent(message.channel, message.user, `Not sent to the customer: ${problem}`, message.thread_ts);
      }
    } catch (error) {
      logger.error({ eventId: envelope.data.event_id, err: error }, 'relaying a thread reply failed');
      await tellAgent(message.channel, message.user, 'Not sent to the customer: something went wrong; please send it again.', message.thread_ts);
    }
  });

  app.command('/candor', async function onCandorCommand({ command, ack }) {
    try {
      const text = await answerCandorCommand(command.text, command.channel_id, {
        cases,
        restrictedChannelId: restrictedChannel,
        mayReadCases: async () => channels.has(command.channel_id) || (await agentGroup.has(command.user_id)),
        ...(deps.publicBaseUrl === undefined ? {} : { publicBaseUrl: deps.publicBaseUrl }),
        ...(deps.topics === undefined ? {} : { topics: deps.topics }),
      });
      await ack({ response_type: 'ephemeral', text });
    } catch (error) {
      logger.error({ err: error }, '/candor failed');
      await ack({ response_type: 'ephemeral', text: 'Something went wrong; please try again.' });
    }
  });

  app.error(async function onBoltError(error) {
    logger.error({ code: error.code, err: error.message }, 'Slack listener error');
  });

  let retryTimer: NodeJS.Timeout | null = null;
  let isStopped = false;

  async function start(): Promise<void> {
    isStopped = false;
    const attempt = async (delayMs: number): Promise<void> => {
      try {
        await botIdentity();
        logger.info({}, 'Slack token verified');
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error), retryInMs: delayMs }, 'Slack auth.test failed; will retry');
        if (!isStopped) retryTimer = setTimeout(() => void attempt(Math.min(delayMs * 2, 300_000)), delayMs);
      }
    };
    await attempt(5_000);
    if (config.SLACK_SOCKET_MODE) await app.start();
  }

  async function stop(): Promise<void> {
    isStopped = true;
    if (retryTimer !== null) clearTimeout(retryTimer);
    if (config.SLACK_SOCKET_MODE) await app.stop();
  }

  function handleRequest(request: IncomingMessage, response: ServerResponse): boolean {
    if (httpReceiver === null || request.method !== 'POST') return false;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!(SLACK_PATHS as readonly string[]).includes(path)) return false;
    // Bolt refuses requests signed more than 5 minutes ago but not ones dated in the future; bound both.
    const sentAt = Number(request.headers['x-slack-request-timestamp']);
    if (!Number.isFinite(sentAt) || Math.abs(clock.now().getTime() / 1000 - sentAt) > SLACK_TIMESTAMP_SKEW_SECONDS) {
      logger.warn({ path }, 'Slack request refused: its timestamp is more than 5 minutes from now');
      request.resume();
      response.writeHead(401).end();
      return true;
    }
    httpReceiver.requestListener(request, response);
    return true;
  }

  return { app, desk, handleRequest, start, stop };
}

/** Bolt's logger interface over Candor's: only warnings and errors, as short strings (Bolt's debug output can hold tokens). */
function createBoltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.WARN;
  const line = (parts: unknown[]): string => parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ').slice(0, 500);
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...parts: unknown[]) => logger.warn({ component: 'bolt' }, line(parts)),
    error: (...parts: unknown[]) => logger.error({ component: 'bolt' }, line(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
