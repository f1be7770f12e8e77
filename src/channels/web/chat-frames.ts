import { z } from 'zod';
import { LOCALES, type Locale } from '../../core/locale.js';
import { normalizeKeepingCjkPunctuation } from '../../core/normalize-keeping-cjk-punctuation.js';
import type { StoredMessage } from '../../core/conversation.js';
import type { NoticeId } from '../../core/ports/reply-composer.js';
import type { OutgoingReply } from '../../core/reply.js';
import { rememberResults } from '../../runtime/remember-results.js';

/** The longest customer message, counted in code points after NFKC normalisation. */
export const MAX_TEXT_CHARS = 2000;

/** Deep-link aliases look like `limit-drop`; anything else is treated as an unknown topic. */
const TOPIC_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Control characters other than tab and newline are dropped from customer text. */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

const localeSchema = z.enum(LOCALES);
const clientMessageIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const topicSchema = z.string().max(100);

const helloFrameSchema = z.object({
  type: z.literal('hello'),
  locale: localeSchema.optional(),
  /** True on the first connection of a chat: the server opens it with a greeting or the deep-link topic. */
  start: z.boolean().optional(),
  topic: topicSchema.optional(),
});

const messageFrameSchema = z.object({
  type: z.literal('message'),
  id: clientMessageIdSchema,
  // Bounded by the socket's maxPayload anyway; the real limit is checked after normalisation.
  text: z.string().max(MAX_TEXT_CHARS * 8),
  topic: topicSchema.optional(),
  locale: localeSchema.optional(),
});

const ackFrameSchema = z.object({ type: z.literal('ack'), id: z.string().min(1).max(128) });
const typingFrameSchema = z.object({ type: z.literal('typing') });

const clientFrameSchema = z.discriminatedUnion('type', [helloFrameSchema, messageFrameSchema, ackFrameSchema, typingFrameSchema]);

/** A frame the widget may send; any other field (notably `user`) is dropped by the schema. */
export type ClientFrame =
  | { type: 'hello'; locale?: Locale; start?: boolean; topic?: string }
  | { type: 'message'; id: string; text: string; topic?: string; locale?: Locale }
  | { type: 'ack'; id: string }
  | { type: 'typing' };

/**
 * The outcome of reading one client frame. A refused message frame whose id could be read carries it,
 * so the widget can mark that message as not sent.
 */
export type FrameParse = { ok: true; frame: ClientFrame } | { ok: false; notice: NoticeId; id?: string };

/** Parses, validates and normalises one text frame from a client; never throws. */
export function parseClientFrame(raw: string): FrameParse {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, notice: 'invalid_frame' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, notice: 'invalid_frame' };
  const parsed = clientFrameSchema.safeParse(value);
  if (!parsed.success) {
    const isLongText = (value as { type?: unknown }).type === 'message' && parsed.error.issues.some((issue) => issue.path[0] === 'text' && issue.code === 'too_big');
    return refusal(isLongText ? 'text_too_long' : 'invalid_frame', value);
  }
  const finished = finishFrame(parsed.data);
  return finished.ok || parsed.data.type !== 'message' ? finished : { ...finished, id: parsed.data.id };
}

/** A refusal, with the message id when the frame was a message whose id is well-formed. */
function refusal(notice: NoticeId, value: object): FrameParse {
  const { type, id } = value as { type?: unknown; id?: unknown };
  if (type !== 'message' || !clientMessageIdSchema.safeParse(id).success) return { ok: false, notice };
  return { ok: false, notice, id: id as string };
}

function finishFrame(frame: ClientFrame): FrameParse {
  if (frame.type === 'hello') {
    return { ok: true, frame: { type: 'hello', locale: frame.locale, start: frame.start, topic: cleanTopic(frame.topic) } };
  }
  if (frame.type !== 'message') return { ok: true, frame };

  const text = normaliseText(frame.text);
  if (countCodePoints(text) > MAX_TEXT_CHARS) return { ok: false, notice: 'text_too_long' };
  const topic = cleanTopic(frame.topic);
  if (text === '' && frame.topic === undefined) return { ok: false, notice: 'invalid_frame' };
  return { ok: true, frame: { type: 'message', id: frame.id, text, topic, locale: frame.locale } };
}

/** NFKC-normalises customer text (Chinese punctuation kept as written), drops control characters and trims it. */
export function normaliseText(text: string): string {
  return normalizeKeepingCjkPunctuation(text).replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, '').trim();
}

function countCodePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function cleanTopic(topic: string | undefined): string | undefined {
  return topic !== undefined && TOPIC_PATTERN.test(topic) ? topic : undefined;
}

const suggestionFrameSchema = z.object({
  label: z.string(),
  topic: z.string().optional(),
  text: z.string().optional(),
});

const linkFrameSchema = z.object({ label: z.string(), url: z.string() });

/** A reply as it travels to the widget: exactly the customer-facing fields of an OutgoingReply. */
export const replyFrameSchema = z.object({
  type: z.literal('message'),
  id: z.string().min(1),
  from: z.enum(['bot', 'agent']),
  agentName: z.string().optional(),
  text: z.string(),
  suggestions: z.array(suggestionFrameSchema),
  links: z.array(linkFrameSchema),
  event: z.enum(['agent_joined', 'agent_left', 'bot_back', 'queued', 'resolved']).optional(),
  /** What the reply does; a `clarify` reply's choices are its suggestions. Replies kept before acts existed read as answers. */
  act: z.enum(['answer', 'clarify', 'out_of_scope', 'handover', 'relay', 'rating']).default('answer'),
  /** The id of the customer's message this reply answers: that message is stored (no separate receipt is sent). */
  inReplyTo: clientMessageIdSchema.optional(),
  state: z.enum(['bot', 'queued', 'claimed', 'resolved']),
  /** When the reply was written (ISO 8601); replies kept before it was sent have none. */
  createdAt: z.string().optional(),
});

/** A reply frame. */
export type ReplyFrame = z.infer<typeof replyFrameSchema>;

/** The most recent messages a history frame carries. */
export const HISTORY_LIMIT = 50;

/** One message of the conversation's recent history, as the widget shows it on a reload or in another tab. */
export const historyEntrySchema = z.object({
  /** The stored message's id; a bot or agent entry has the id its reply frame had. */
  id: z.string().min(1),
  from: z.enum(['customer', 'bot', 'agent']),
  /** The text as stored, that is redacted. */
  text: z.string(),
  createdAt: z.string(),
  /** For a customer entry: the id the widget gave the message, so it can recognise its own. */
  clientId: z.string().optional(),
});

/** A history entry. */
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** The conversation's recent history, oldest first; sent once per socket, before any kept reply. */
export const historyFrameSchema = z.object({ type: z.literal('history'), messages: z.array(historyEntrySchema) });

/** A history frame. */
export type HistoryFrame = z.infer<typeof historyFrameSchema>;

/** A frame the server sends besides replies. */
export type ServiceFrame =
  | { type: 'session'; anonymous: boolean; resume?: string }
  | HistoryFrame
  /** Someone is writing a reply; today only the bot while a turn runs. */
  | { type: 'typing'; from: 'bot' | 'agent'; agentName?: string }
  /** The customer message with this client id is stored (answered, or passed on to a person). */
  | { type: 'delivered'; id: string }
  /** A refusal or failure; `id` names the customer message that was not sent, when there was one. */
  | { type: 'error'; code: NoticeId; text: string; id?: string };

/**
 * The history entry of a stored message, or null for what the customer never sees: system lines
 * (case events, internal notes) and the empty customer message of a greeting.
 */
export function toHistoryEntry(message: StoredMessage): HistoryEntry | null {
  if (message.author === 'system' || message.text === '') return null;
  const entry: HistoryEntry = { id: message.id, from: message.author, text: message.text, createdAt: message.createdAt };
  if (message.author === 'customer' && message.clientMessageId !== null) entry.clientId = message.clientMessageId;
  return entry;
}

/** Copies only the customer-facing fields of a reply, field by field, so nothing internal can ride along. */
export function toReplyFrame(reply: OutgoingReply): ReplyFrame {
  const frame: ReplyFrame = {
    type: 'message',
    id: reply.id,
    from: reply.from,
    text: reply.text,
    suggestions: reply.suggestions.map((suggestion) => {
      const copy: ReplyFrame['suggestions'][number] = { label: suggestion.label };
      if (suggestion.topic !== undefined) copy.topic = suggestion.topic;
      if (suggestion.text !== undefined) copy.text = suggestion.text;
      return copy;
    }),
    links: reply.links.filter((link) => isSafeLinkUrl(link.url)).map((link) => ({ label: link.label, url: link.url })),
    act: reply.act,
    state: reply.state,
    createdAt: reply.createdAt,
  };
  if (reply.agentName !== undefined) frame.agentName = reply.agentName;
  if (reply.inReplyTo !== undefined) frame.inReplyTo = reply.inReplyTo;
  if (reply.event !== undefined) frame.event = reply.event;
  return frame;
}

/**
 * Only web links (and same-site paths) may be shown as links; `javascript:` and friends never. Verdicts
 * are remembered: help links come from content, so a few URLs recur in every reply.
 */
export const isSafeLinkUrl: (url: string) => boolean = rememberResults(checkLinkUrl, 1_000);

function checkLinkUrl(url: string): boolean {
  if (url.startsWith('/') && !url.startsWith('//')) return true;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}
