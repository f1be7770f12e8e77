import type { types } from '@slack/bolt';
import type { CaseStatus, EscalationCase, EscalationTrigger } from '../../core/escalation-case.js';
import type { CaseCardView } from '../escalation-desk.js';
import { escapeSlackText, truncateText } from './slack-text.js';

/** Action ids of the card's buttons; each button's value is the case id. */
export const CARD_ACTIONS = {
  claim: 'candor_claim',
  resolve: 'candor_resolve',
  returnToBot: 'candor_return_to_bot',
} as const;

/** The metadata event type put on every card, so a retried post can find an earlier one and a thread reply its case. */
export const CARD_EVENT_TYPE = 'candor_case_card';

/** The metadata event type put on every thread line Candor posts. */
export const LINE_EVENT_TYPE = 'candor_case_line';

/** How each trigger reads on a card. */
export const TRIGGER_LABELS: Readonly<Record<EscalationTrigger, string>> = {
  asked_for_person: 'Asked for a person',
  review_request: 'Review of a decision requested',
  complaint: 'Complaint',
  repeated_misses: 'Repeated misses',
  negative_sentiment: 'Negative sentiment',
  restricted_reason: 'Restricted case',
  unknown_reason: 'Reason code not in the catalogue',
  engine_unavailable: 'Decision engine failure',
};

/** How each status reads on a card. */
export function describeStatus(item: EscalationCase): string {
  const labels: Record<CaseStatus, string> = {
    queued: 'Waiting for an agent',
    callback: 'Customer asked for a callback',
    claimed: `Claimed by ${item.agentName ?? 'an agent'}`,
    resolved: `Resolved by ${item.agentName ?? 'an agent'}`,
    returned: `Returned to the bot by ${item.agentName ?? 'an agent'}`,
  };
  return labels[item.status];
}

const TRANSCRIPT_MAX = 2_800;
const LINE_MAX = 500;

/** A card as Slack message parts; every piece of data in it is escaped. */
export interface CaseCardMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** Builds the Block Kit card of a case; a restricted case shows no reason at all. */
export function buildCaseCard(view: CaseCardView, options: { repostMention?: string } = {}): CaseCardMessage {
  const item = view.case;
  const esc = escapeSlackText;
  const status = describeStatus(item);
  const summary = `Case ${item.ref}: ${TRIGGER_LABELS[item.trigger]} (${status})`;
  const blocks: types.KnownBlock[] = [];
  if (options.repostMention !== undefined) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `${options.repostMention} Unclaimed for ${view.waitedMinutes} min, please pick up *${esc(item.ref)}*.` },
    });
  }
  blocks.push(
    { type: 'header', text: { type: 'plain_text', text: truncateText(`Case ${item.ref}`, 150), emoji: false } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${esc(status)}` },
        { type: 'mrkdwn', text: `*Trigger*\n${esc(TRIGGER_LABELS[item.trigger])}` },
        { type: 'mrkdwn', text: `*Customer*\n${esc(item.customerRef ?? 'anonymous visitor')}` },
        { type: 'mrkdwn', text: `*Locale*\n${esc(item.locale)}` },
        { type: 'mrkdwn', text: `*Intent*\n${esc(item.intent ?? 'none')}` },
        { type: 'mrkdwn', text: `*Decision*\n${esc(item.decisionId ?? 'none')}` },
        { type: 'mrkdwn', text: `*Waited*\n${view.waitedMinutes} min` },
        ...(item.rating === null ? [] : [{ type: 'mrkdwn' as const, text: `*Rating*\n${item.rating}/5` }]),
      ],
    },
  );
  if (item.restricted) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Restricted case: reasons are not shown here. Follow the restricted-case procedure.' }] });
  } else {
    const reasons = item.reasonsShown.map((reason) => `• ${esc(truncateText(reason.text, LINE_MAX))}`).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Reasons the customer saw*\n${reasons === '' ? '_none_' : reasons}` } });
  }
  if (item.note !== null && item.note !== '') {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Note: ${esc(truncateText(item.note, LINE_MAX))}` }] });
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Transcript (redacted)*\n${renderTranscript(view)}` } });
  const buttons = buildButtons(item);
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: `case_actions`, elements: buttons });
  return { text: esc(summary), blocks };
}

function renderTranscript(view: CaseCardView): string {
  const lines = view.transcript.map((message) => {
    const who = message.author === 'customer' ? 'Customer' : message.author === 'agent' ? 'Agent' : 'Bot';
    return `*${who}:* ${escapeSlackText(truncateText(message.text.replace(/\s+/g, ' '), LINE_MAX))}`;
  });
  // Keep the most recent lines within Slack's section limit.
  const kept: string[] = [];
  let length = 0;
  for (const line of lines.reverse()) {
    if (length + line.length + 1 > TRANSCRIPT_MAX) break;
    kept.unshift(line);
    length += line.length + 1;
  }
  if (kept.length === 0) return '_empty_';
  return kept.length < view.transcript.length ? `_(earlier lines omitted)_\n${kept.join('\n')}` : kept.join('\n');
}

function buildButtons(item: EscalationCase): types.Button[] {
  const open = item.status === 'queued' || item.status === 'claimed' || item.status === 'callback';
  if (!open) return [];
  const buttons: types.Button[] = [];
  if (item.status !== 'claimed') {
    buttons.push({ type: 'button', action_id: CARD_ACTIONS.claim, text: { type: 'plain_text', text: 'Claim' }, style: 'primary', value: item.id });
  }
  buttons.push(
    { type: 'button', action_id: CARD_ACTIONS.resolve, text: { type: 'plain_text', text: 'Resolve' }, value: item.id },
    { type: 'button', action_id: CARD_ACTIONS.returnToBot, text: { type: 'plain_text', text: 'Return to bot' }, value: item.id },
  );
  return buttons;
}
