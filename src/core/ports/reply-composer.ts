import type { ClarifyChoice } from '../conversation-context.js';
import type { CustomerDecisions, LimitDecision } from '../decision.js';
import type { EscalationTrigger } from '../escalation-case.js';
import type { Locale } from '../locale.js';
import type { HelpLink, Suggestion } from '../reply.js';

/** What the core wants to say; the composer turns it into words from templates. */
export type ReplyRequest =
  | { kind: 'greeting'; anonymous: boolean }
  | { kind: 'thanks' }
  | { kind: 'goodbye' }
  /** Low confidence: ask which of the top intents was meant. */
  | { kind: 'clarify'; intents: string[] }
  /** A follow-up before anything was explained: which of these the customer means. */
  | { kind: 'clarify_no_context'; intents: string[] }
  /**
   * About the decision the conversation explained, re-checked against the explanation rules: a reason's
   * detail, the steps for its reasons, its next review, or a recap that offers `choices`. An N-class or
   * unknown code gets the one neutral text, whatever was asked. `now` as for `answer`.
   */
  | { kind: 'follow_up'; decision: LimitDecision; about: FollowUpAbout; now: string }
  /** Out of scope: say what Candor can help with; offer a person after repeated misses. */
  | { kind: 'out_of_scope'; offerAgent: boolean }
  /**
   * Answer an intent, from the customer's own decisions when there are any (null: anonymous or none on file).
   * `now` (ISO 8601, from the turn's clock) decides whether a review date is still ahead or has passed.
   */
  | { kind: 'answer'; intent: string; decisions: CustomerDecisions | null; anonymous: boolean; now: string }
  | { kind: 'engine_unavailable' }
  | { kind: 'escalated'; trigger: EscalationTrigger }
  /** A case was due but too many were asked for (anonymous caps): a calm answer, no hand-over. */
  | { kind: 'escalation_limited' }
  /** Agent hand-over events. */
  | { kind: 'agent_joined'; agentName: string }
  | { kind: 'bot_back' }
  /** No agent could be reached for a long time (the desk stayed down): the bot takes the conversation back. */
  | { kind: 'desk_unreachable' }
  | { kind: 'rating_request' }
  | { kind: 'rating_thanks'; rating: number }
  /**
   * No person has joined yet: the customer is offered a callback, and told how long it has recently taken for
   * someone to join (`typicalWaitMinutes`), or that the wait cannot be estimated (null).
   */
  | { kind: 'wait_notice'; typicalWaitMinutes: number | null }
  /** A waiting customer asked to be called back: the request is confirmed. */
  | { kind: 'callback_requested' }
  /** A channel or turn error with a template of its own. */
  | { kind: 'error'; error: NoticeId };

/** A reason as the customer saw it: its code and its position (from 1) in the explanation they were given. */
export interface ShownReasonRef {
  code: string;
  position: number;
}

/**
 * What a follow-up asks about the decision in context, in terms of the reasons the customer saw; the
 * composer shows a reason only if the decision's own reasons still allow it.
 */
export type FollowUpAbout =
  | { topic: 'reason_detail'; reason: ShownReasonRef }
  | { topic: 'which_reason'; reasons: ShownReasonRef[] }
  | { topic: 'what_to_do'; codes: string[] }
  | { topic: 'next_review' }
  /** The same decision asked about again: name its reasons, offering each, then these intents. */
  | { topic: 'recap'; thenIntents: string[] };

/** Errors and notices a channel may show. */
export type NoticeId =
  | 'generic'
  | 'busy'
  | 'invalid_frame'
  | 'text_too_long'
  | 'rate_limited'
  | 'unauthorized'
  | 'binary_refused'
  | 'origin_refused';

/** What the explanation step decided, for the audit record and the escalation card. */
export interface ExplanationFacts {
  decisionId: string;
  codesShown: string[];
  codesSuppressed: string[];
  /** The customer-facing text of each shown reason, in order. */
  reasonTexts: string[];
  /** True when an N-class or unknown code forced the neutral text. */
  neutral: boolean;
  /** True when an N-class code requires the restricted queue. */
  restricted: boolean;
}

/** A composed reply: text and structured extras, the templates used, and the explanation facts if any. */
export interface ComposedReply {
  text: string;
  suggestions: Suggestion[];
  links: HelpLink[];
  templateIds: string[];
  explanation?: ExplanationFacts;
  /** The choices a clarifying reply offered, in the order of its suggestions, for the next turn to pick from. */
  choices?: ClarifyChoice[];
}

/** Renders what the core wants to say in a locale; pure, given loaded content. */
export interface ReplyComposer {
  compose(request: ReplyRequest, locale: Locale): ComposedReply;
  /** The customer-facing text of each reason code, in order, as an explanation shows it; null for a code that is never shown (N-class or unknown). */
  reasonTexts(codes: readonly string[], locale: Locale): Array<string | null>;
  /** The content version (hash of intents/ and templates/) recorded with every explanation. */
  readonly contentVersion: string;
}
