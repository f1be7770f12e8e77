import type { ComposedReply, ReplyRequest } from './ports/reply-composer.js';
import type { ReplyAct } from './reply.js';

const ACTS: Record<ReplyRequest['kind'], ReplyAct> = {
  greeting: 'answer',
  thanks: 'answer',
  goodbye: 'answer',
  clarify: 'clarify',
  clarify_no_context: 'clarify',
  follow_up: 'answer',
  out_of_scope: 'out_of_scope',
  answer: 'answer',
  engine_unavailable: 'answer',
  escalated: 'handover',
  // No hand-over happened: the customer was answered.
  escalation_limited: 'answer',
  agent_joined: 'handover',
  bot_back: 'handover',
  desk_unreachable: 'handover',
  rating_request: 'rating',
  rating_thanks: 'rating',
  wait_notice: 'handover',
  callback_requested: 'handover',
  error: 'answer',
};

/** What a reply made from this request does in the conversation; a reply that offers choices (a recap, "which reason?") clarifies. */
export function replyActOf(request: ReplyRequest, composed?: ComposedReply): ReplyAct {
  if (composed?.choices !== undefined && composed.choices.length > 0) return 'clarify';
  return ACTS[request.kind];
}
