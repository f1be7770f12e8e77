import { webApi } from '@slack/bolt';
import { silentLogger, type Logger } from '../../core/ports/logger.js';
import type { CaseCardView, DeliveryKey, DeskLocation, DeskOutcome, EscalationDesk, ThreadLine } from '../escalation-desk.js';
import { buildCaseCard, CARD_EVENT_TYPE, LINE_EVENT_TYPE } from './case-card.js';
import type { ChannelRateLimiter } from './channel-rate-limiter.js';
import { escapeSlackText, escapeSlackTextWithin, SAFE_POST_OPTIONS, truncateText } from './slack-text.js';

/** The channels cases go to. */
export interface SlackDeskChannels {
  escalation: string;
  /** Cases with an N-class reason. */
  restricted: string;
}

/** What the Slack desk needs. */
export interface SlackEscalationDeskOptions {
  client: webApi.WebClient;
  channels: SlackDeskChannels;
  limiter: ChannelRateLimiter;
  /** User group mentioned on a re-posted card, e.g. `S0123ONCALL`. */
  oncallGroupId?: string;
  logger?: Logger;
}

/** Slack errors that no retry can fix. */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'message_not_found',
  'cant_update_message',
  'restricted_action',
]);

// Look back this far before an item's creation when searching for an earlier post of it (clock skew).
const LOOKBACK_SECONDS = 120;

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/** Posts cases to Slack through the Web API, idempotently: every post carries its outbox item id in metadata and is looked for before posting again. */
export class SlackEscalationDesk implements EscalationDesk {
  private readonly client: webApi.WebClient;
  private readonly channels: SlackDeskChannels;
  private readonly limiter: ChannelRateLimiter;
  private readonly oncallGroupId: string | undefined;
  private readonly logger: Logger;

  constructor(options: SlackEscalationDeskOptions) {
    this.client = options.client;
    this.channels = options.channels;
    this.limiter = options.limiter;
    this.oncallGroupId = options.oncallGroupId;
    this.logger = options.logger ?? silentLogger;
  }

  /** The channel a case belongs in. */
  channelFor(view: CaseCardView): string {
    return view.case.restricted ? this.channels.restricted : this.channels.escalation;
  }

  postCase(view: CaseCardView, key: DeliveryKey): Promise<DeskOutcome<DeskLocation>> {
    return this.postCard(view, key, undefined);
  }

  repostCase(view: CaseCardView, _previous: DeskLocation | null, key: DeliveryKey): Promise<DeskOutcome<DeskLocation>> {
    const mention = this.oncallGroupId === undefined ? '<!here>' : `<!subteam^${this.oncallGroupId}>`;
    return this.postCard(view, key, mention);
  }

  updateCard(card: DeskLocation, view: CaseCardView): Promise<DeskOutcome<DeskLocation>> {
    return this.call(card.channel, async () => {
      const message = buildCaseCard(view);
      await this.limiter.acquire(card.channel);
      await this.client.chat.update({ channel: card.channel, ts: card.ts, text: message.text, blocks: message.blocks, ...SAFE_POST_OPTIONS });
      return card;
    });
  }

  postThreadMessage(card: DeskLocation, line: ThreadLine, key: DeliveryKey & { caseId: string }): Promise<DeskOutcome<DeskLocation>> {
    return this.call(card.channel, async () => {
      const earlier = await this.findEarlierPost(card.channel, key, card.ts);
      if (earlier !== undefined) return { channel: card.channel, ts: earlier };
      const who = line.author === 'customer' ? 'Customer' : line.author === 'note' ? `Note by ${line.agentName ?? 'an agent'} (console)` : `${line.agentName ?? 'Agent'} (console)`;
      // The speaker is Candor's own context line; the text is one plain_text block, so nothing in it
      // (a `*Alex (console):*` line, a newline, bold or links) can pass for another speaker.
      const body = escapeSlackTextWithin(line.text, 3_000) || '(empty)';
      const fallback = `*${escapeSlackText(who)}:* ${escapeSlackText(truncateText(line.text.replace(/\s+/g, ' '), 3_500))}`;
      await this.limiter.acquire(card.channel);
      const posted = await this.client.chat.postMessage({
        channel: card.channel,
        thread_ts: card.ts,
        text: fallback,
        blocks: [
          { type: 'context', elements: [{ type: 'mrkdwn', text: `*${escapeSlackText(who)}*` }] },
          { type: 'section', text: { type: 'plain_text', text: body, emoji: false } },
        ],
        metadata: { event_type: LINE_EVENT_TYPE, event_payload: { case_id: key.caseId, item_id: key.itemId } },
        ...SAFE_POST_OPTIONS,
      });
      return { channel: card.channel, ts: requireTs(posted.ts) };
    });
  }

  deleteThread(card: DeskLocation): Promise<DeskOutcome<DeskLocation>> {
    return this.call(card.channel, async () => {
      const replies = await this.client.conversations.replies({ channel: card.channel, ts: card.ts, include_all_metadata: true, limit: 200 });
      const own = (replies.messages ?? []) as HistoryMessage[];
      for (const message of own) {
        const type = message.metadata?.event_type;
        if (message.ts === undefined || message.ts === card.ts || (type !== LINE_EVENT_TYPE && type !== CARD_EVENT_TYPE)) continue;
        await this.limiter.acquire(card.channel);
        await this.client.chat.delete({ channel: card.channel, ts: message.ts });
      }
      await this.limiter.acquire(card.channel);
      await this.client.chat.delete({ channel: card.channel, ts: card.ts });
      return card;
    });
  }

  /** Reads the newest message of the escalation channel: it answers only when Slack and the channel do. */
  probe(): Promise<DeskOutcome<null>> {
    return this.call(this.channels.escalation, async () => {
      await this.client.conversations.history({ channel: this.channels.escalation, limit: 1 });
      return null;
    });
  }

  private postCard(view: CaseCardView, key: DeliveryKey, mention: string | undefined): Promise<DeskOutcome<DeskLocation>> {
    const channel = this.channelFor(view);
    return this.call(channel, async () => {
      const earlier = await this.findEarlierPost(channel, key, undefined);
      if (earlier !== undefined) {
        this.logger.info({ caseId: view.case.id, outboxId: key.itemId }, 'card already posted by an earlier attempt');
        return { channel, ts: earlier };
      }
      const message = buildCaseCard(view, mention === undefined ? {} : { repostMention: mention });
      await this.limiter.acquire(channel);
      const posted = await this.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        metadata: { event_type: CARD_EVENT_TYPE, event_payload: { case_id: view.case.id, case_ref: view.case.ref, item_id: key.itemId } },
        ...SAFE_POST_OPTIONS,
      });
      return { channel, ts: requireTs(posted.ts) };
    });
  }

  /** Finds a message an earlier attempt of this outbox item posted (a crash after posting, before marking done). */
  private async findEarlierPost(channel: string, key: DeliveryKey, threadTs: string | undefined): Promise<string | undefined> {
    const oldest = String(Math.max(0, Date.parse(key.createdAt) / 1000 - LOOKBACK_SECONDS));
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const response =
        threadTs === undefined
          ? await this.client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) })
          : await this.client.conversations.replies({ channel, ts: threadTs, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) });
      const messages = (response.messages ?? []) as HistoryMessage[];
      const match = messages.find((message) => message.metadata?.event_payload?.['item_id'] === key.itemId);
      if (match?.ts !== undefined) return match.ts;
      cursor = response.response_metadata?.next_cursor || undefined;
      if (cursor === undefined) return undefined;
    }
    return undefined;
  }

  /** Runs Web API calls and turns Slack's failures into a retry hint; a 429 also pauses the channel. */
  private async call<T>(channel: string, work: () => Promise<T>): Promise<DeskOutcome<T>> {
    try {
      return { ok: true, value: await work() };
    } catch (error) {
      if (error instanceof Error && 'code' in error) {
        if (error.code === webApi.ErrorCode.RateLimitedError) {
          const retryAfterMs = Math.max(1, Number((error as webApi.WebAPIRateLimitedError).retryAfter)) * 1_000;
          this.limiter.pause(channel, retryAfterMs);
          return { ok: false, error: 'slack rate limited', retryAfterMs };
        }
        if (error.code === webApi.ErrorCode.PlatformError) {
          const slackError = String((error as webApi.WebAPIPlatformError).data.error);
          return { ok: false, error: `slack error: ${slackError}`, permanent: PERMANENT_ERRORS.has(slackError) };
        }
        if (error.code === webApi.ErrorCode.HTTPError) {
          return { ok: false, error: `slack http ${(error as webApi.WebAPIHTTPError).statusCode}` };
        }
        if (error.code === webApi.ErrorCode.RequestError) return { ok: false, error: 'slack unreachable' };
      }
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
}

function requireTs(ts: string | undefined): string {
  if (ts === undefined || ts === '') throw new Error('Slack returned no ts');
  return ts;
}
