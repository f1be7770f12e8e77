import type { Conversation, ConversationState, StoredMessage } from '../core/conversation.js';
import { OPEN_CASE_STATUSES, type EscalationCase } from '../core/escalation-case.js';
import { callbackRequestedCase, closedCase, conversationAfterCaseEvent, requeuedCase, type CaseEvent } from '../core/case-transitions.js';
import { InProcessConversationLock } from '../core/in-process-conversation-lock.js';
import type { NewOutboxItem, OutboxTopic } from '../core/outbox.js';
import type { Clock, IdGenerator } from '../core/ports/clock.js';
import type { ConversationLock } from '../core/ports/conversation-lock.js';
import type { CaseStore } from '../core/ports/case-store.js';
import type { TurnStore } from '../core/ports/turn-store.js';
import type { OperationsQueries } from '../core/ports/operations-queries.js';
import { CLAIM_WAIT_WINDOW_MS, estimateClaimWait } from './estimate-claim-wait.js';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import type { ComposedReply, ReplyComposer, ReplyRequest } from '../core/ports/reply-composer.js';
import { replyActOf } from '../core/reply-act-of.js';
import type { CustomerChannel, OutgoingReply, ReplyAct, ReplyEvent } from '../core/reply.js';

/** What the case service reads and writes: cases, the conversations and transcripts they belong to, and recent cases (for wait estimates). */
export type CaseServiceStore = CaseStore & Pick<TurnStore, 'getConversation' | 'listMessages'> & Pick<OperationsQueries, 'listCasesCreated'>;

/** Removes personal data from text before it is stored or sent to Slack (the project's PII redactor). */
export interface TextRedactor {
  redact(text: string): string;
}

/** An agent as the customer will see them: a stable id and a first name or configured alias. */
export interface AgentIdentity {
  id: string;
  name: string;
}

export { OPEN_CASE_STATUSES } from '../core/escalation-case.js';

/** The `intent` recorded on system messages, naming the case event they record. */
export const CASE_EVENT = {
  claimed: 'case.claimed',
  resolved: 'case.resolved',
  returned: 'case.returned',
  reping: 'case.reping',
  callback: 'case.callback',
  note: 'agent.note',
  deskUnreachable: 'case.desk_unreachable',
} as const;

/** The suggestion topic a customer sends to accept the callback offered with a wait notice. */
export { CALLBACK_TOPIC } from '../core/reply.js';

/** The outcome of an agent action on a case. */
export type CaseActionResult =
  | { status: 'ok'; case: EscalationCase }
  | { status: 'not_found' }
  | { status: 'already_claimed'; case: EscalationCase }
  | { status: 'not_open'; case: EscalationCase }
  | { status: 'empty_text'; case: EscalationCase };

/** A case with its redacted transcript, for `show` and `/candor case`. */
export interface CaseDetails {
  case: EscalationCase;
  transcript: StoredMessage[];
  waitedMinutes: number;
}

/** What CaseService needs. */
export interface CaseServiceDeps {
  /** The cases it changes, and the conversations and transcripts they belong to. */
  store: CaseServiceStore;
  composer: ReplyComposer;
  customers: CustomerChannel;
  redactor: TextRedactor;
  clock: Clock;
  ids: IdGenerator;
  /** Serialises work per conversation with customer turns; defaults to an in-process lock. */
  lock?: ConversationLock;
  logger?: Logger;
  /** Minutes a case may wait unclaimed before the re-ping. */
  unclaimedMinutes: number;
}

/** Options of an agent reply. */
export interface AgentReplyOptions {
  /** True when the text is already visible on the desk (a Slack thread reply), so it is not mirrored there. */
  fromDesk?: boolean;
}

const NOTE_PREFIX = /^\s*note:/i;

/** Returns true when an agent's text is an internal note (`note:` prefix) that must never reach the customer. */
export function isInternalNote(text: string): boolean {
  return NOTE_PREFIX.test(text);
}

/** Minutes between two ISO instants, rounded down, never negative. */
export function minutesBetween(fromIso: string, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - Date.parse(fromIso)) / 60_000));
}

/** The case lifecycle after the core opens a case: claim, relay agent replies, resolve, return to bot, re-ping. */
export class CaseService {
  private readonly store: CaseServiceStore;
  private readonly composer: ReplyComposer;
  private readonly customers: CustomerChannel;
  private readonly redactor: TextRedactor;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;
  private readonly lock: ConversationLock;
  private readonly logger: Logger;
  private readonly unclaimedMinutes: number;

  constructor(deps: CaseServiceDeps) {
    this.store = deps.store;
    this.composer = deps.composer;
    this.customers = deps.customers;
    this.redactor = deps.redactor;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.lock = deps.lock ?? new InProcessConversationLock();
    this.logger = deps.logger ?? silentLogger;
    this.unclaimedMinutes = deps.unclaimedMinutes;
  }

  /** Open cases (queued, claimed, callback), oldest first. */
  async listOpen(): Promise<EscalationCase[]> {
    const cases = await this.store.listCases([...OPEN_CASE_STATUSES]);
    return [...cases].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Finds a case by its short reference (case-insensitive) or its id. */
  async find(refOrId: string): Promise<EscalationCase | null> {
    const key = refOrId.trim();
    if (key === '') return null;
    return (await this.store.getCaseByRef(key.toUpperCase())) ?? (await this.store.getCase(key));
  }

  /** A case with its redacted transcript. */
  async details(refOrId: string): Promise<CaseDetails | null> {
    const found = await this.find(refOrId);
    if (found === null) return null;
    const transcript = await this.store.listMessages(found.conversationId);
    return { case: found, transcript, waitedMinutes: this.waitedMinutes(found) };
  }

  /** Claims a queued case atomically; the customer is told an agent joined and the card updates. */
  async claim(refOrId: string, agent: AgentIdentity): Promise<CaseActionResult> {
    const found = await this.find(refOrId);
    if (found === null) return { status: 'not_found' };
    return this.lock.withLock(found.conversationId, () => this.claimLocked(found, agent));
  }

  /** Relays an agent's reply to the customer (stored redacted); `note:` replies stay internal. A queued case is claimed first. */
  async agentReply(refOrId: string, agent: AgentIdentity, text: string, options: AgentReplyOptions = {}): Promise<CaseActionResult> {
    const found = await this.find(refOrId);
    if (found === null) return { status: 'not_found' };
    if (!OPEN_CASE_STATUSES.includes(found.status)) return { status: 'not_open', case: found };
    const body = text.trim();
    if (isInternalNote(body)) {
      if (body.replace(NOTE_PREFIX, '').trim() === '') return { status: 'empty_text', case: found };
      return this.lock.withLock(found.conversationId, () => this.noteLocked(found.id, agent, body, options));
    }
    if (body === '') return { status: 'empty_text', case: found };
    return this.lock.withLock(found.conversationId, async () => {
      let current = await this.store.getCase(found.id);
      if (current === null) return { status: 'not_found' } as const;
      if (current.status === 'queued' || current.status === 'callback') {
        const claimed = await this.claimLocked(current, agent);
        if (claimed.status === 'ok') current = claimed.case;
        else if (claimed.status === 'not_found' || claimed.status === 'not_open' || claimed.status === 'empty_text') return claimed;
        else current = claimed.case;
      }
      if (current.status !== 'claimed') return { status: 'not_open', case: current } as const;
      const now = this.nowIso();
      const message = this.message(current.conversationId, 'agent', body, null, now);
      const outbox = options.fromDesk === true ? [] : [this.outbox('case.message', current.id, { messageId: message.id, author: 'agent', agentName: agent.name, text: message.text }, now)];
      await this.store.updateCase({ case: current, messages: [message], outbox });
      await this.deliver({
        id: message.id,
        conversationId: current.conversationId,
        from: 'agent',
        agentName: agent.name,
        // The redacted text, as stored: the reply is kept (pending_deliveries) until the customer acknowledges it.
        text: message.text,
        suggestions: [],
        links: [],
        act: 'relay',
        state: 'claimed',
        createdAt: now,
      });
      return { status: 'ok', case: current } as const;
    });
  }

  /** Resolves a case: the conversation waits for a 1–5 rating and the customer is asked for it. */
  async resolve(refOrId: string, agent: AgentIdentity): Promise<CaseActionResult> {
    return this.close(refOrId, agent, 'resolved');
  }

  /** Hands the conversation back to the bot without a rating request. */
  async returnToBot(refOrId: string, agent: AgentIdentity): Promise<CaseActionResult> {
    return this.close(refOrId, agent, 'returned');
  }

  /**
   * Hands an open case back to the bot because its card could not reach the desk in time (a long Slack
   * outage): the customer is told, and nothing more is queued for the desk.
   */
  async returnUndeliverable(caseId: string): Promise<CaseActionResult> {
    const found = await this.store.getCase(caseId);
    if (found === null) return { status: 'not_found' };
    return this.lock.withLock(found.conversationId, async () => {
      const current = await this.store.getCase(found.id);
      if (current === null) return { status: 'not_found' } as const;
      if (!OPEN_CASE_STATUSES.includes(current.status)) return { status: 'not_open', case: current } as const;
      const now = this.nowIso();
      const closed = closedCase(current, 'returned', now);
      const conversation = await this.movedConversation(closed, 'desk_unreachable', now);
      const request: ReplyRequest = { kind: 'desk_unreachable' };
      const composed = this.composer.compose(request, closed.locale);
      const notice = this.message(closed.conversationId, 'bot', composed.text, null, now);
      await this.store.updateCase({
        case: closed,
        ...(conversation === undefined ? {} : { conversation }),
        messages: [this.message(closed.conversationId, 'system', 'No agent could be reached (the desk stayed unreachable); returned to the bot.', CASE_EVENT.deskUnreachable, now), notice],
      });
      if (conversation !== undefined) await this.deliver(this.botReply(notice, composed, closed, { event: 'bot_back', act: replyActOf(request) }, 'bot'));
      return { status: 'ok', case: closed } as const;
    });
  }

  /** Marks a queued case as a callback request (the customer accepted the offer); it stays open for agents. */
  async requestCallback(refOrId: string): Promise<CaseActionResult> {
    const found = await this.find(refOrId);
    if (found === null) return { status: 'not_found' };
    return this.lock.withLock(found.conversationId, async () => {
      const current = await this.store.getCase(found.id);
      if (current === null) return { status: 'not_found' } as const;
      if (current.status === 'callback') return { status: 'ok', case: current } as const;
      if (current.status !== 'queued') return { status: 'not_open', case: current } as const;
      const now = this.nowIso();
      const updated = callbackRequestedCase(current);
      await this.store.updateCase({
        case: updated,
        messages: [this.message(current.conversationId, 'system', 'Customer asked for a callback.', CASE_EVENT.callback, now)],
        outbox: [this.outbox('case.updated', current.id, {}, now)],
      });
      return { status: 'ok', case: updated } as const;
    });
  }

  /** Re-pings every case queued longer than the configured time (once per case) and offers its customer a callback; returns their refs. */
  async checkUnclaimed(): Promise<string[]> {
    const queued = await this.store.listCases(['queued']);
    const now = this.clock.now();
    const due = queued.filter((item) => now.getTime() - Date.parse(item.createdAt) >= this.unclaimedMinutes * 60_000);
    const repinged: string[] = [];
    for (const item of due) {
      try {
        const done = await this.lock.withLock(item.conversationId, () => this.repingLocked(item.id));
        if (done) repinged.push(item.ref);
      } catch (error) {
        this.logger.error({ caseId: item.id, err: error }, 'unclaimed re-ping failed');
      }
    }
    return repinged;
  }

  private async claimLocked(found: EscalationCase, agent: AgentIdentity): Promise<CaseActionResult> {
    const now = this.nowIso();
    const current = await this.store.getCase(found.id);
    if (current?.status === 'callback') {
      // The store claims only queued cases; a callback request goes back to the queue first, and the claim below stays atomic.
      await this.store.updateCase({ case: requeuedCase(current) });
    }
    const result = await this.store.claimCase(found.id, agent, now);
    if (result.status === 'not_found') return { status: 'not_found' };
    if (result.status === 'already_claimed') return { status: 'already_claimed', case: result.case };
    if (result.status === 'not_open') return { status: 'not_open', case: result.case };
    const claimed = result.case;
    const conversation = await this.movedConversation(claimed, 'claimed', now);
    const composed = this.composer.compose({ kind: 'agent_joined', agentName: agent.name }, claimed.locale);
    const notice = this.message(claimed.conversationId, 'bot', composed.text, null, now);
    await this.store.updateCase({
      case: claimed,
      ...(conversation === undefined ? {} : { conversation }),
      messages: [this.message(claimed.conversationId, 'system', `Claimed by ${agent.name}.`, CASE_EVENT.claimed, now), notice],
      outbox: [this.outbox('case.updated', claimed.id, {}, now)],
    });
    if (conversation !== undefined) {
      await this.deliver(this.botReply(notice, composed, claimed, { event: 'agent_joined', act: 'handover' }, 'claimed', agent.name));
    }
    return { status: 'ok', case: claimed };
  }

  private async noteLocked(caseId: string, agent: AgentIdentity, body: string, options: AgentReplyOptions): Promise<CaseActionResult> {
    const current = await this.store.getCase(caseId);
    if (current === null) return { status: 'not_found' };
    const now = this.nowIso();
    const message = this.message(current.conversationId, 'system', `${agent.name}: ${body}`, CASE_EVENT.note, now);
    const outbox =
      options.fromDesk === true
        ? []
        : [this.outbox('case.message', current.id, { messageId: message.id, author: 'note', agentName: agent.name, text: this.redactor.redact(body) }, now)];
    await this.store.updateCase({ case: current, messages: [message], outbox });
    return { status: 'ok', case: current };
  }

  private async close(refOrId: string, agent: AgentIdentity, status: 'resolved' | 'returned'): Promise<CaseActionResult> {
    const found = await this.find(refOrId);
    if (found === null) return { status: 'not_found' };
    return this.lock.withLock(found.conversationId, async () => {
      const current = await this.store.getCase(found.id);
      if (current === null) return { status: 'not_found' } as const;
      if (!OPEN_CASE_STATUSES.includes(current.status)) return { status: 'not_open', case: current } as const;
      const now = this.nowIso();
      const closed = closedCase(current, status, now, agent);
      const resolved = status === 'resolved';
      const conversation = await this.movedConversation(closed, status, now);
      const request: ReplyRequest = resolved ? { kind: 'rating_request' } : { kind: 'bot_back' };
      const composed = this.composer.compose(request, closed.locale);
      const notice = this.message(closed.conversationId, 'bot', composed.text, null, now);
      const verb = resolved ? 'Resolved' : 'Returned to the bot';
      await this.store.updateCase({
        case: closed,
        ...(conversation === undefined ? {} : { conversation }),
        messages: [this.message(closed.conversationId, 'system', `${verb} by ${agent.name}.`, resolved ? CASE_EVENT.resolved : CASE_EVENT.returned, now), notice],
        outbox: [this.outbox('case.updated', closed.id, {}, now)],
      });
      if (conversation !== undefined) {
        await this.deliver(this.botReply(notice, composed, closed, { event: resolved ? 'resolved' : 'bot_back', act: replyActOf(request) }, resolved ? 'resolved' : 'bot'));
      }
      return { status: 'ok', case: closed } as const;
    });
  }

  private async repingLocked(caseId: string): Promise<boolean> {
    const current = await this.store.getCase(caseId);
    if (current === null || current.status !== 'queued') return false;
    const messages = await this.store.listMessages(current.conversationId);
    const alreadyRepinged = messages.some((message) => message.author === 'system' && message.intent === CASE_EVENT.reping && message.createdAt >= current.createdAt);
    if (alreadyRepinged) return false;
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const minutes = Math.max(1, minutesBetween(current.createdAt, now));
    // The customer is told how long recent claims took, not how long they have waited already.
    const recent = await this.store.listCasesCreated({ from: new Date(now.getTime() - CLAIM_WAIT_WINDOW_MS).toISOString(), to: nowIso });
    const request: ReplyRequest = { kind: 'wait_notice', typicalWaitMinutes: estimateClaimWait(recent) };
    const composed = this.composer.compose(request, current.locale);
    const notice = this.message(current.conversationId, 'bot', composed.text, null, nowIso);
    await this.store.updateCase({
      case: current,
      messages: [this.message(current.conversationId, 'system', `Unclaimed for ${minutes} min; re-posted to on-call.`, CASE_EVENT.reping, nowIso), notice],
      outbox: [this.outbox('case.reping', current.id, { minutes }, nowIso)],
    });
    const conversation = await this.store.getConversation(current.conversationId);
    if (conversation !== null && conversation.caseId === current.id) {
      await this.deliver({
        id: notice.id,
        conversationId: current.conversationId,
        from: 'bot',
        text: composed.text,
        suggestions: composed.suggestions,
        links: composed.links,
        act: replyActOf(request),
        state: conversation.state,
        createdAt: nowIso,
      });
    }
    this.logger.info({ caseId: current.id, caseRef: current.ref, minutes }, 'unclaimed case re-pinged');
    return true;
  }

  /** The case's conversation as the core moves it after the event, or undefined when it stays as it is. */
  private async movedConversation(item: EscalationCase, event: CaseEvent, now: string): Promise<Conversation | undefined> {
    return conversationAfterCaseEvent(await this.store.getConversation(item.conversationId), item, event, now);
  }

  private botReply(
    notice: StoredMessage,
    composed: ComposedReply,
    item: EscalationCase,
    { event, act }: { event: ReplyEvent; act: ReplyAct },
    state: ConversationState,
    agentName?: string,
  ): OutgoingReply {
    return {
      id: notice.id,
      conversationId: item.conversationId,
      from: 'bot',
      ...(agentName === undefined ? {} : { agentName }),
      text: composed.text,
      suggestions: composed.suggestions,
      links: composed.links,
      event,
      act,
      state,
      createdAt: notice.createdAt,
    };
  }

  private async deliver(reply: OutgoingReply): Promise<void> {
    try {
      await this.customers.deliver(reply);
    } catch (error) {
      // The message is stored; the customer sees it in the transcript when they come back.
      this.logger.error({ conversationId: reply.conversationId, replyId: reply.id, err: error }, 'delivery to customer failed');
    }
  }

  private message(conversationId: string, author: StoredMessage['author'], text: string, intent: string | null, now: string): StoredMessage {
    return {
      id: this.ids.next(),
      conversationId,
      author,
      text: this.redactor.redact(text),
      intent,
      confidence: null,
      clientMessageId: null,
      createdAt: now,
    };
  }

  private outbox(topic: OutboxTopic, caseId: string, payload: Record<string, unknown>, now: string): NewOutboxItem {
    return { id: this.ids.next(), topic, caseId, payload, createdAt: now };
  }

  private waitedMinutes(item: EscalationCase): number {
    const end = item.claimedAt === null ? this.clock.now() : new Date(item.claimedAt);
    return minutesBetween(item.createdAt, end);
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }
}
