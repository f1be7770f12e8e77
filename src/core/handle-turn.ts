import { newConversation, type Conversation, type StoredMessage } from './conversation.js';
import { decideNextMove, DEFAULT_POLICY_SETTINGS, type PolicyDecision, type PolicySettings } from './dialogue-policy.js';
import type { OutgoingReply } from './reply.js';
import { redactPii } from './redact-pii.js';
import { actOnDecision, type ActionDependencies } from './act-on-decision.js';
import { rememberAnswers } from './remember-answers.js';
import type { Classification, IntentClassifier } from './ports/intent-classifier.js';
import type { IntentProfile } from './ports/intent-directory.js';
import type { ConversationLock } from './ports/conversation-lock.js';
import type { SaveTurnOutcome } from './ports/conversation-store.js';
import type { Logger } from './ports/logger.js';
import type { SentimentScorer } from './ports/sentiment-scorer.js';
import type { TurnDraft } from './turn-draft.js';
import type { IncomingMessage, TurnHandler, TurnResult } from './turn.js';
import type { ReasonReference, ReasonReferenceReader } from './ports/reason-reference-reader.js';
import { readReasonTopic } from './resolve-follow-up.js';

const NO_REFERENCE: ReasonReference = { kind: 'none' };

/** Everything a turn needs, each behind a port. */
export interface TurnDependencies extends ActionDependencies {
  classifier: IntentClassifier;
  /** Reads which reason or offered choice a follow-up names ("the second one", "the utilisation one"). */
  references: ReasonReferenceReader;
  sentiment: SentimentScorer;
  lock: ConversationLock;
  logger: Logger;
  policy?: PolicySettings;
}

/** Builds the turn handler: load state, understand, decide, act, save, reply — one conversation at a time. */
export function createTurnHandler(deps: TurnDependencies): TurnHandler {
  const policy = deps.policy ?? DEFAULT_POLICY_SETTINGS;
  // Answers are pure in their inputs; rendering the same explanation again was a tenth of a turn's CPU.
  const actions: ActionDependencies = { ...deps, composer: rememberAnswers(deps.composer) };

  async function handleTurn(message: IncomingMessage): Promise<TurnResult> {
    const now = deps.clock.now().toISOString();
    const { conversation, isResend } = await loadConversation(message, now);
    if (isResend) return duplicateTurn(conversation);

    const text = redactPii(message.text).trim();
    const understanding = understand(message, text, conversation);
    const decision = decideNextMove(
      {
        conversation,
        text,
        topicIntent: understanding.topicIntent,
        unknownTopic: understanding.unknownTopic,
        classification: understanding.classification,
        profileOf: (id) => deps.intents.get(id),
        sentiment: understanding.sentiment,
        reference: understanding.reference,
        reasonTopic: understanding.reasonTopic,
      },
      policy,
    );

    const draft = startDraft(conversation, message, text, understanding, now);
    await actOnDecision(actions, draft, decision, now);
    const lastReply = draft.replies.at(-1);
    if (lastReply) draft.conversation.context = { ...draft.conversation.context, lastAct: lastReply.act };
    const replies = finishReplies(draft, now);
    // A store may leave the resend check to the save (see TurnState); a resend then stores nothing.
    if ((await save(draft, replies)) === 'duplicate') return duplicateTurn(conversation);
    logTurn(draft, decision, understanding.classification);
    return {
      replies,
      intent: draft.customerMessage.intent,
      confidence: draft.customerMessage.confidence,
      state: draft.conversation.state,
      reasonsShown: draft.reasonsShown,
      duplicate: false,
      action: decision.action,
      escalation: draft.openedCase?.trigger ?? null,
    };
  }

  async function loadConversation(message: IncomingMessage, now: string): Promise<{ conversation: Conversation; isResend: boolean }> {
    const clientMessageId = message.clientMessageId || null;
    let stored: Conversation | null;
    let isResend: boolean;
    if (deps.store.loadTurnState) {
      // One read instead of two: the conversation and the resend check together.
      const state = await deps.store.loadTurnState(message.conversationId, clientMessageId);
      stored = state.conversation;
      isResend = state.hasClientMessage;
    } else {
      stored = await deps.store.getConversation(message.conversationId);
      isResend = clientMessageId !== null && (await deps.store.hasClientMessage(message.conversationId, clientMessageId));
    }
    const conversation =
      stored ??
      newConversation({ id: message.conversationId, channel: message.channel, customerId: message.customerId, locale: message.locale, now });
    return { conversation: { ...conversation, locale: message.locale, customerId: message.customerId ?? conversation.customerId }, isResend };
  }

  function understand(message: IncomingMessage, text: string, conversation: Conversation) {
    const reasonTopic = readReasonTopic(message.topic);
    const topicIntent = message.topic && reasonTopic === null ? deps.intents.resolveAlias(message.topic) : undefined;
    const unknownTopic = Boolean(message.topic) && reasonTopic === null && !topicIntent && text === '';
    const isWithAgent = conversation.state === 'queued' || conversation.state === 'claimed';
    const classification: Classification | null =
      topicIntent || reasonTopic !== null || text === '' || isWithAgent ? null : deps.classifier.classify(text, message.locale);
    const sentiment = text === '' || isWithAgent ? 0 : deps.sentiment.score(text, message.locale);
    // Only a conversation with something to refer back to can have a follow-up that names it.
    const { explained, choices } = conversation.context;
    const hasReferents = explained !== null || choices.length > 0;
    const reference: ReasonReference = hasReferents && text !== '' && !isWithAgent ? deps.references.read(text, message.locale) : NO_REFERENCE;
    return { topicIntent, unknownTopic, classification, sentiment, reference, reasonTopic };
  }

  function startDraft(
    conversation: Conversation,
    message: IncomingMessage,
    text: string,
    { topicIntent, classification }: { topicIntent: IntentProfile | undefined; classification: Classification | null },
    now: string,
  ): TurnDraft {
    const customerMessage: StoredMessage = {
      id: deps.ids.next(),
      conversationId: conversation.id,
      author: 'customer',
      text,
      intent: topicIntent?.id ?? classification?.intent ?? null,
      confidence: topicIntent ? 1 : (classification?.confidence ?? null),
      clientMessageId: message.clientMessageId ?? null,
      createdAt: now,
    };
    // A resolved conversation is back with the bot as soon as the customer writes again.
    const state = conversation.state === 'resolved' ? 'bot' : conversation.state;
    return {
      conversation: { ...conversation, state, updatedAt: now },
      customerMessage,
      topic: message.topic ?? null,
      replies: [],
      explanations: [],
      outbox: [],
      reasonsShown: [],
    };
  }

  function finishReplies(draft: TurnDraft, now: string): OutgoingReply[] {
    return draft.replies.map(({ composed, act, event }) => ({
      id: deps.ids.next(),
      conversationId: draft.conversation.id,
      from: 'bot',
      text: composed.text,
      suggestions: composed.suggestions,
      links: composed.links,
      ...(event ? { event } : {}),
      ...(draft.customerMessage.clientMessageId ? { inReplyTo: draft.customerMessage.clientMessageId } : {}),
      act,
      state: draft.conversation.state,
      createdAt: now,
    }));
  }

  async function save(draft: TurnDraft, replies: OutgoingReply[]): Promise<SaveTurnOutcome> {
    const botMessages: StoredMessage[] = replies.map((reply) => ({
      id: reply.id,
      conversationId: draft.conversation.id,
      author: 'bot',
      text: reply.text,
      intent: null,
      confidence: null,
      clientMessageId: null,
      createdAt: reply.createdAt,
    }));
    const messages = draft.customerMessage.text === '' && !draft.customerMessage.clientMessageId
      ? botMessages
      : [draft.customerMessage, ...botMessages];
    if (draft.updatedCase) {
      // Rare (a rating or a callback request), and updateCase does not look for resends, so this does.
      const clientMessageId = draft.customerMessage.clientMessageId;
      if (clientMessageId && (await deps.store.hasClientMessage(draft.conversation.id, clientMessageId))) return 'duplicate';
      await deps.store.updateCase({ case: draft.updatedCase, conversation: draft.conversation, messages, outbox: draft.outbox });
      return 'stored';
    }
    return deps.store.saveTurn({
      conversation: draft.conversation,
      messages,
      explanations: draft.explanations,
      ...(draft.openedCase ? { openedCase: draft.openedCase } : {}),
      outbox: draft.outbox,
    });
  }

  function logTurn(draft: TurnDraft, decision: PolicyDecision, classification: Classification | null): void {
    deps.logger.info(
      {
        conversationId: draft.conversation.id,
        action: decision.action,
        intent: draft.customerMessage.intent,
        confidence: classification?.confidence ?? null,
        state: draft.conversation.state,
        caseId: draft.openedCase?.id ?? null,
      },
      'turn handled',
    );
  }

  return {
    handle(message: IncomingMessage): Promise<TurnResult> {
      return deps.lock.withLock(message.conversationId, () => handleTurn(message));
    },
  };
}

/** The result of a resent message: nothing said, nothing changed. */
function duplicateTurn(conversation: Conversation): TurnResult {
  return { replies: [], intent: null, confidence: null, state: conversation.state, reasonsShown: [], duplicate: true, action: null, escalation: null };
}
