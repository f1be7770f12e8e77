import { type ClarifyChoice, CONTEXT_SETTING_INTENTS, MAX_REASON_POSITION, RECAPPED_INTENTS, WHAT_TO_DO_INTENT } from './conversation-context.js';
import type { Conversation } from './conversation.js';
import type { CustomerDecisions, LimitDecision } from './decision.js';
import type { Locale } from './locale.js';
import type { PolicyDecision } from './dialogue-policy.js';
import type { EscalationCase, EscalationTrigger, ExplanationRecord, ShownReason } from './escalation-case.js';
import type { Clock, IdGenerator } from './ports/clock.js';
import type { ConversationStore } from './ports/conversation-store.js';
import type { DecisionEngine } from './ports/decision-engine.js';
import type { EscalationLimiter } from './ports/escalation-limiter.js';
import type { IntentDirectory, IntentProfile } from './ports/intent-directory.js';
import type { ComposedReply, ExplanationFacts, FollowUpAbout, ReplyComposer, ReplyRequest, ShownReasonRef } from './ports/reply-composer.js';
import type { NewOutboxItem, OutboxTopic } from './outbox.js';
import { callbackRequestedCase } from './case-transitions.js';
import { isCallbackRequest } from './is-callback-request.js';
import { CALLBACK_TOPIC, type ReplyEvent } from './reply.js';
import { replyActOf } from './reply-act-of.js';
import type { FollowUpMove } from './resolve-follow-up.js';
import type { TurnDraft } from './turn-draft.js';

/** What acting on a policy decision needs. */
export interface ActionDependencies {
  store: ConversationStore;
  intents: IntentDirectory;
  engine: DecisionEngine;
  composer: ReplyComposer;
  clock: Clock;
  ids: IdGenerator;
  /** Turns a customer id into the masked reference shown to agents. */
  maskCustomerId: (customerId: string) => string;
  /** Caps on opening cases (anonymous floods); absent → no caps. */
  escalationLimiter?: EscalationLimiter;
}

const REVIEW_INTENT = 'decision.request_review';

/** Carries out the policy's decision on the draft: composes replies, looks up decisions, opens cases. */
export async function actOnDecision(deps: ActionDependencies, draft: TurnDraft, decision: PolicyDecision, now: string): Promise<void> {
  const locale = draft.conversation.locale;
  const say = (request: ReplyRequest, event?: ReplyEvent): ComposedReply => {
    if (request.kind === 'escalated' && draft.escalationLimited) {
      // A hand-over a cap refused: one calm answer instead, and no earlier line of this turn that promised a person.
      draft.replies.length = 0;
      return say({ kind: 'escalation_limited' });
    }
    const composed = deps.composer.compose(request, locale);
    const act = replyActOf(request, composed);
    draft.replies.push(event ? { composed, act, event } : { composed, act });
    return composed;
  };
  const conversation = draft.conversation;
  const wasAwaitingRating = conversation.awaitingRating;
  conversation.awaitingRating = false;
  // Choices stand for one reply: only the turn right after a clarifying question can pick one.
  if (decision.action !== 'relay_to_agent') conversation.context = { ...conversation.context, choices: [] };

  switch (decision.action) {
    case 'relay_to_agent':
      if (!conversation.caseId) return;
      // A reopened widget or a deep link starts the chat with no text: there is nothing to put in the agent's thread.
      if (draft.customerMessage.text !== '') {
        draft.outbox.push(outboxItem(deps, 'case.message', conversation.caseId, { messageId: draft.customerMessage.id, text: draft.customerMessage.text }, now));
      }
      if (draft.topic === CALLBACK_TOPIC || isCallbackRequest(draft.customerMessage.text)) {
        if (await requestCallback(deps, draft, conversation.caseId, now)) say({ kind: 'callback_requested' });
      }
      return;
    case 'record_rating': {
      // A rating answers the question Candor asked: it is neither an intent nor an unrecognised message.
      draft.customerMessage.intent = null;
      draft.customerMessage.confidence = null;
      const rated = conversation.caseId ? await deps.store.getCase(conversation.caseId) : null;
      if (rated) {
        draft.updatedCase = { ...rated, rating: decision.rating };
        draft.outbox.push(outboxItem(deps, 'case.updated', rated.id, {}, now));
      } else {
        conversation.botRating = decision.rating;
      }
      say({ kind: 'rating_thanks', rating: decision.rating });
      return;
    }
    case 'greet':
      conversation.awaitingRating = wasAwaitingRating && draft.customerMessage.text === '';
      say({ kind: 'greeting', anonymous: conversation.customerId === null });
      return;
    case 'smalltalk':
      conversation.consecutiveMisses = 0;
      conversation.lastIntent = decision.intent;
      if (decision.intent === 'smalltalk.greeting') say({ kind: 'greeting', anonymous: conversation.customerId === null });
      else say({ kind: decision.intent === 'smalltalk.thanks' ? 'thanks' : 'goodbye' });
      // Bot-only help is rated once, on the way out, so satisfaction can be compared with agent-handled cases.
      if (decision.intent === 'smalltalk.goodbye' && conversation.caseId === null && conversation.botRating === null) {
        say({ kind: 'rating_request' });
        conversation.awaitingRating = true;
      }
      return;
    case 'clarify':
      conversation.consecutiveMisses = decision.miss ? conversation.consecutiveMisses + 1 : 0;
      say({ kind: 'clarify', intents: decision.intents });
      offerChoices(conversation, decision.intents.map((intent) => ({ intent })));
      return;
    case 'follow_up':
      conversation.consecutiveMisses = 0;
      conversation.lastIntent = decision.intent.id;
      // Resolved against the context (a picked choice, "the utilisation one"): the intent it was taken as.
      draft.customerMessage.intent = decision.intent.id;
      await followUpOnDecision(deps, draft, decision.intent, decision.move, decision.escalate, now, say);
      return;
    case 'out_of_scope':
      conversation.consecutiveMisses += 1;
      say({ kind: 'out_of_scope', offerAgent: decision.offerAgent });
      return;
    case 'escalate':
      conversation.consecutiveMisses = 0;
      openCase(deps, draft, { trigger: decision.trigger, intent: draft.customerMessage.intent, facts: undefined, note: null, now });
      say({ kind: 'escalated', trigger: decision.trigger }, 'queued');
      return;
    case 'answer':
      conversation.consecutiveMisses = 0;
      conversation.lastIntent = decision.intent.id;
      draft.customerMessage.intent = decision.intent.id;
      await answerIntent(deps, draft, decision.intent, decision.escalate, now, say);
      return;
  }
}

async function answerIntent(
  deps: ActionDependencies,
  draft: TurnDraft,
  intent: IntentProfile,
  escalate: EscalationTrigger | null,
  now: string,
  say: (request: ReplyRequest, event?: ReplyEvent) => ComposedReply,
): Promise<void> {
  const customerId = draft.conversation.customerId;
  if (!intent.needsDecision || customerId === null) {
    say({ kind: 'answer', intent: intent.id, decisions: null, anonymous: customerId === null, now });
    if (escalate) escalateWith(deps, draft, { trigger: escalate, intent: intent.id, facts: undefined, note: null, now }, say);
    return;
  }

  const lookup = await deps.engine.lookup(customerId);
  if (lookup.status === 'unavailable') {
    say({ kind: 'engine_unavailable' });
    const note = `decision engine: ${lookup.failure}`;
    escalateWith(deps, draft, { trigger: 'engine_unavailable', intent: intent.id, facts: undefined, note, now }, say);
    return;
  }

  const decisions = lookup.status === 'found' ? lookup.data : null;
  const answer = { kind: 'answer', intent: intent.id, decisions, anonymous: false, now } satisfies ReplyRequest;
  const again = askedAgain(deps, draft, answer, decisions);
  if (again && escalate) {
    // Frustrated and asking again: a person, not the same explanation twice.
    escalateWith(deps, draft, { trigger: escalate, intent: intent.id, facts: again.facts, note: null, now }, say);
    return;
  }
  if (again) {
    await followUpOnDecision(deps, draft, intent, { kind: 'recap' }, null, now, say, again.decision);
    return;
  }
  const composed = say(answer);
  const isReview = intent.id === REVIEW_INTENT;
  if (composed.explanation && CONTEXT_SETTING_INTENTS.has(intent.id)) rememberExplained(draft.conversation, composed.explanation);
  const facts = composed.explanation ?? (isReview && decisions ? explainLatestDecision(deps, decisions, draft.conversation.locale, now) : undefined);
  if (composed.explanation) draft.reasonsShown.push(...composed.explanation.codesShown);
  // The audit says what this reply showed; reasons explained only on the agent's card count as not shown.
  const audited = composed.explanation ?? (facts && { ...facts, codesShown: [], reasonTexts: [], codesSuppressed: [...facts.codesShown, ...facts.codesSuppressed] });
  if (audited) recordExplanation(deps, draft, customerId, audited, composed, isReview, now);

  if (facts?.neutral) {
    // N-class and unknown codes look the same to the customer; only the queue differs.
    const trigger: EscalationTrigger = facts.restricted ? 'restricted_reason' : 'unknown_reason';
    openCase(deps, draft, { trigger, intent: intent.id, facts, note: null, now });
    say({ kind: 'escalated', trigger: 'restricted_reason' }, 'queued');
    return;
  }
  if (escalate) escalateWith(deps, draft, { trigger: escalate, intent: intent.id, facts, note: null, now }, say);
}

function rememberExplained(conversation: Conversation, facts: ExplanationFacts): void {
  conversation.context = {
    ...conversation.context,
    explained: { decisionId: facts.decisionId, reasonsShown: facts.codesShown.slice(0, MAX_REASON_POSITION), neutral: facts.neutral },
  };
}

function offerChoices(conversation: Conversation, choices: ClarifyChoice[]): void {
  conversation.context = { ...conversation.context, choices };
}

/**
 * The decision, when the customer asks again about the one this conversation already explained with
 * reasons: they get a recap (or a person, when frustrated) instead of a word-for-word repeat. A neutral
 * explanation is said again as it was.
 */
function askedAgain(
  deps: ActionDependencies,
  draft: TurnDraft,
  answer: ReplyRequest & { kind: 'answer' },
  decisions: CustomerDecisions | null,
): { decision: LimitDecision; facts: ExplanationFacts } | undefined {
  const explained = draft.conversation.context.explained;
  if (!explained || explained.neutral || explained.reasonsShown.length === 0 || !decisions || !RECAPPED_INTENTS.has(answer.intent)) return undefined;
  const facts = deps.composer.compose(answer, draft.conversation.locale).explanation;
  if (facts?.decisionId !== explained.decisionId) return undefined;
  const decision = decisions.decisions.find((candidate) => candidate.decisionId === explained.decisionId);
  return decision ? { decision, facts } : undefined;
}

/**
 * Answers a follow-up about the decision the conversation explained: looks the decision up again (the
 * engine's answer, never the stored context, decides what may be said), then says the move's reply,
 * records what it disclosed, and offers the choices it asked between.
 */
async function followUpOnDecision(
  deps: ActionDependencies,
  draft: TurnDraft,
  intent: IntentProfile,
  move: FollowUpMove | { kind: 'recap' },
  escalate: EscalationTrigger | null,
  now: string,
  say: (request: ReplyRequest, event?: ReplyEvent) => ComposedReply,
  known?: LimitDecision,
): Promise<void> {
  const conversation = draft.conversation;
  const customerId = conversation.customerId;
  if (customerId === null) {
    say({ kind: 'answer', intent: intent.id, decisions: null, anonymous: true, now });
    return;
  }
  if (move.kind === 'no_context') {
    say({ kind: 'clarify_no_context', intents: move.intents });
    offerChoices(conversation, move.intents.map((choice) => ({ intent: choice })));
    return;
  }
  let decision = known;
  if (!decision) {
    const lookup = await deps.engine.lookup(customerId);
    if (lookup.status === 'unavailable') {
      say({ kind: 'engine_unavailable' });
      escalateWith(deps, draft, { trigger: 'engine_unavailable', intent: intent.id, facts: undefined, note: `decision engine: ${lookup.failure}`, now }, say);
      return;
    }
    const explainedId = conversation.context.explained?.decisionId;
    decision = lookup.status === 'found' ? lookup.data.decisions.find((candidate) => candidate.decisionId === explainedId) : undefined;
  }
  if (!decision) {
    // The decision explained is no longer on file: start again from what the customer means.
    conversation.context = { ...conversation.context, explained: null };
    const intents = ['limit.why_dropped', 'limit.increase_denied', 'account.frozen'];
    say({ kind: 'clarify_no_context', intents });
    offerChoices(conversation, intents.map((choice) => ({ intent: choice })));
    return;
  }

  const about = followUpAbout(move, conversation.context.explained?.reasonsShown ?? []);
  const composed = say({ kind: 'follow_up', decision, about, now });
  const facts = composed.explanation;
  if (facts) {
    draft.reasonsShown.push(...facts.codesShown);
    recordExplanation(deps, draft, customerId, facts, composed, false, now);
    // A recap explains the decision again: later follow-ups are about the reasons it named.
    if (about.topic === 'recap') rememberExplained(conversation, facts);
  }
  if (composed.choices) offerChoices(conversation, composed.choices);
  if (escalate) escalateWith(deps, draft, { trigger: escalate, intent: intent.id, facts, note: null, now }, say);
}

/** The composer's request for a follow-up move, naming the reasons as the customer saw them; a recap then offers the steps and a review. */
function followUpAbout(move: Exclude<FollowUpMove, { kind: 'no_context' }> | { kind: 'recap' }, shown: readonly string[]): FollowUpAbout {
  const atPosition = (position: number): ShownReasonRef[] => {
    const code = shown[position - 1];
    return code === undefined ? [] : [{ code, position }];
  };
  switch (move.kind) {
    case 'reason_detail': {
      const [reason] = atPosition(move.position);
      // Nothing at that position (a neutral or reasonless explanation): the composer's one text for the decision.
      return reason ? { topic: 'reason_detail', reason } : { topic: 'which_reason', reasons: [] };
    }
    case 'which_reason':
      return { topic: 'which_reason', reasons: move.positions.flatMap(atPosition) };
    case 'what_to_do':
      return { topic: 'what_to_do', codes: [...shown] };
    case 'next_review':
      return { topic: 'next_review' };
    case 'recap':
      return { topic: 'recap', thenIntents: [WHAT_TO_DO_INTENT, REVIEW_INTENT] };
  }
}

/**
 * The explanation of the customer's latest decision as they were (or would be) shown it, so a review
 * request carries the decision id and its disclosable reasons to the agent's card.
 */
function explainLatestDecision(deps: ActionDependencies, decisions: CustomerDecisions, locale: Locale, now: string): ExplanationFacts | undefined {
  const latest = decisions.decisions[0];
  if (!latest) return undefined;
  const explainingIntent = latest.kind === 'increase_denied' || latest.kind === 'increase_approved' ? 'limit.increase_denied' : 'limit.why_dropped';
  return deps.composer.compose({ kind: 'answer', intent: explainingIntent, decisions, anonymous: false, now }, locale).explanation;
}

function outboxItem(deps: ActionDependencies, topic: OutboxTopic, caseId: string, payload: Record<string, unknown>, now: string): NewOutboxItem {
  return { id: deps.ids.next(), topic, caseId, payload, createdAt: now };
}

/**
 * A waiting customer who would rather be called back: the case is kept, marked for a callback, and its card
 * updated. True when the case waits for a callback (now or already), so the customer is told; false once a
 * person has joined (they read the request in the thread).
 */
async function requestCallback(deps: ActionDependencies, draft: TurnDraft, caseId: string, now: string): Promise<boolean> {
  const waiting = await deps.store.getCase(caseId);
  if (waiting?.status === 'callback') return true;
  if (waiting?.status !== 'queued') return false;
  draft.updatedCase = callbackRequestedCase(waiting);
  draft.outbox.push(outboxItem(deps, 'case.updated', caseId, {}, now));
  return true;
}

interface CaseInput {
  trigger: EscalationTrigger;
  intent: string | null;
  facts: ExplanationFacts | undefined;
  note: string | null;
  now: string;
}

function escalateWith(
  deps: ActionDependencies,
  draft: TurnDraft,
  input: CaseInput,
  say: (request: ReplyRequest, event?: ReplyEvent) => ComposedReply,
): void {
  openCase(deps, draft, input);
  say({ kind: 'escalated', trigger: input.trigger }, 'queued');
}

function recordExplanation(
  deps: ActionDependencies,
  draft: TurnDraft,
  customerId: string,
  facts: ExplanationFacts,
  reply: ComposedReply,
  reviewRequested: boolean,
  now: string,
): void {
  const record: ExplanationRecord = {
    id: deps.ids.next(),
    conversationId: draft.conversation.id,
    customerId,
    decisionId: facts.decisionId,
    locale: draft.conversation.locale,
    codesShown: facts.codesShown,
    codesSuppressed: facts.codesSuppressed,
    templateIds: reply.templateIds,
    contentVersion: deps.composer.contentVersion,
    reviewRequested,
    // What the customer was told, kept with the record: the transcript is deleted long before the audit.
    text: reply.text,
    reasonTexts: facts.reasonTexts,
    createdAt: now,
  };
  draft.explanations.push(record);
}

function openCase(deps: ActionDependencies, draft: TurnDraft, input: CaseInput): void {
  const conversation: Conversation = draft.conversation;
  if (draft.openedCase) return;
  if (deps.escalationLimiter && !deps.escalationLimiter.tryOpen({ conversationId: conversation.id, isAnonymous: conversation.customerId === null })) {
    draft.escalationLimited = true;
    return;
  }
  const id = deps.ids.next();
  const restricted = input.facts?.restricted === true;
  const carried = input.facts ? undefined : explainedEarlier(deps, conversation);
  const reasonsShown: ShownReason[] =
    restricted || !input.facts
      ? (carried?.reasonsShown ?? [])
      : input.facts.codesShown.map((code, index) => ({ code, text: input.facts?.reasonTexts[index] ?? '' }));
  const opened: EscalationCase = {
    id,
    ref: caseRefFromId(id),
    conversationId: conversation.id,
    customerRef: conversation.customerId === null ? null : deps.maskCustomerId(conversation.customerId),
    locale: conversation.locale,
    intent: input.intent,
    decisionId: input.facts?.decisionId ?? carried?.decisionId ?? null,
    reasonsShown,
    trigger: input.trigger,
    restricted,
    note: input.note,
    status: 'queued',
    agentId: null,
    agentName: null,
    rating: null,
    createdAt: input.now,
    claimedAt: null,
    resolvedAt: null,
  };
  draft.openedCase = opened;
  conversation.state = 'queued';
  conversation.caseId = id;
  draft.outbox.push(outboxItem(deps, 'case.created', id, {}, input.now));
}

/**
 * The decision this conversation last explained and the reasons the customer saw, for a case that opens without facts
 * of its own ("a person, please" after an explanation); nothing after a neutral explanation, so no reason reaches the card.
 */
function explainedEarlier(deps: ActionDependencies, conversation: Conversation): { decisionId: string; reasonsShown: ShownReason[] } | undefined {
  const explained = conversation.context.explained;
  if (!explained || explained.neutral) return undefined;
  const texts = deps.composer.reasonTexts(explained.reasonsShown, conversation.locale);
  const reasonsShown = explained.reasonsShown.flatMap((code, index) => {
    const text = texts[index];
    return typeof text === 'string' ? [{ code, text }] : [];
  });
  return { decisionId: explained.decisionId, reasonsShown };
}

/** Derives the short case reference agents use from the case id. */
export function caseRefFromId(id: string): string {
  return `C-${id.replace(/[^0-9a-zA-Z]/g, '').slice(-6).toUpperCase()}`;
}
