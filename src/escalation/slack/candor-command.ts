import type { IntentDirectory } from '../../core/ports/intent-directory.js';
import type { CaseService } from '../case-service.js';
import { describeStatus, TRIGGER_LABELS } from './case-card.js';
import { escapeSlackText, truncateText } from './slack-text.js';

/** What the `/candor` command needs. */
export interface CandorCommandDeps {
  cases: CaseService;
  /** Base for deep links, e.g. `https://help.example.com`; without it `faq` explains the setting. */
  publicBaseUrl?: string;
  /** Validates `faq` topics against the intents' deep-link aliases when given. */
  topics?: IntentDirectory;
  /** Restricted cases show details only in this channel. */
  restrictedChannelId: string;
  /** Whether the caller may list cases and read transcripts here (an escalation channel, or a member of the agents' group). */
  mayReadCases: () => Promise<boolean>;
}

/** The answer to `queue` or `case` from anyone else, anywhere else. */
export const CASES_REFUSED = '`/candor queue` and `/candor case` work only in the escalation channels, for agents.';

const HELP = [
  '`/candor queue` lists open cases',
  '`/candor case <ref>` shows one case',
  '`/candor faq <topic>` gives the chat link for a topic (e.g. `limit-drop`) to send a customer',
].join('\n');

/** Answers `/candor queue | case <ref> | faq <topic>` as escaped mrkdwn for an ephemeral reply; cases only to those allowed to read them. */
export async function answerCandorCommand(text: string, channelId: string, deps: CandorCommandDeps): Promise<string> {
  const [verb = '', ...rest] = text.trim().split(/\s+/);
  const argument = rest.join(' ');
  const esc = escapeSlackText;
  const command = verb.toLowerCase();
  if ((command === 'queue' || command === 'case') && !(await deps.mayReadCases())) return CASES_REFUSED;
  switch (command) {
    case 'queue': {
      const open = await deps.cases.listOpen();
      if (open.length === 0) return 'No open cases.';
      const lines = await Promise.all(
        open.map(async (item) => {
          const details = await deps.cases.details(item.id);
          const waited = details === null ? '' : ` · ${details.waitedMinutes} min`;
          const visible = !item.restricted || channelId === deps.restrictedChannelId;
          const trigger = visible ? TRIGGER_LABELS[item.trigger] : 'restricted';
          return `• *${esc(item.ref)}* · ${esc(describeStatus(item))} · ${esc(trigger)} · ${esc(item.locale)}${waited}`;
        }),
      );
      return `*Open cases (${open.length})*\n${lines.join('\n')}`;
    }
    case 'case': {
      if (argument === '') return 'Usage: `/candor case <ref>`';
      const details = await deps.cases.details(argument);
      if (details === null) return `No case ${esc(truncateText(argument, 40))}.`;
      const item = details.case;
      if (item.restricted && channelId !== deps.restrictedChannelId) {
        return `*${esc(item.ref)}* is a restricted case; open it in the restricted channel.`;
      }
      const reasons = item.restricted ? 'not shown (restricted)' : item.reasonsShown.map((r) => esc(r.text)).join('; ') || 'none';
      const transcript = details.transcript
        .filter((m) => m.author !== 'system')
        .slice(-10)
        .map((m) => `> *${m.author}:* ${esc(truncateText(m.text.replace(/\s+/g, ' '), 300))}`)
        .join('\n');
      return [
        `*${esc(item.ref)}* · ${esc(describeStatus(item))}`,
        `Trigger: ${esc(TRIGGER_LABELS[item.trigger])} · Customer: ${esc(item.customerRef ?? 'anonymous')} · Locale: ${esc(item.locale)}`,
        `Intent: ${esc(item.intent ?? 'none')} · Decision: ${esc(item.decisionId ?? 'none')} · Waited: ${details.waitedMinutes} min`,
        `Reasons shown: ${reasons}`,
        transcript === '' ? '_No transcript yet._' : transcript,
      ].join('\n');
    }
    case 'faq': {
      const topic = argument.toLowerCase();
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(topic)) return 'Usage: `/candor faq <topic>`, e.g. `/candor faq limit-drop`';
      if (deps.topics !== undefined && deps.topics.resolveAlias(topic) === undefined) return `No chat topic \`${esc(topic)}\`.`;
      if (deps.publicBaseUrl === undefined) return 'PUBLIC_BASE_URL is not set, so there is no link to give.';
      const url = `${deps.publicBaseUrl.replace(/\/+$/, '')}/chat?topic=${encodeURIComponent(topic)}`;
      return `Send the customer: ${esc(url)}`;
    }
    default:
      return HELP;
  }
}
