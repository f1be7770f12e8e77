import { contentConfigSchema } from '../config/content-config.js';
import { loadContent } from '../content/load-content.js';
import type { DecisionEngine } from '../core/ports/decision-engine.js';
import { CONTEXT_SETTING_INTENTS, RECAPPED_INTENTS, WHAT_TO_DO_INTENT } from '../core/conversation-context.js';
import type { CustomerDecisions } from '../core/decision.js';
import type { Locale } from '../core/locale.js';
import { loadDemoCustomers, type DemoCustomers } from '../decisions/demo-customers.js';
import { deepFreeze, EmbeddedDecisionEngine } from '../decisions/embedded-decision-engine.js';
import { systemClock } from '../runtime/system-clock.js';
import { createReplyComposer } from '../explain/create-reply-composer.js';

/** One question a benchmark client asks, with the intent Candor must recognise in it. */
export interface BenchQuestion {
  locale: Locale;
  text: string;
  intent: string;
}

/** A question for one demo customer with the exact reply text Candor must send back. */
export interface BenchScript {
  question: BenchQuestion;
  expectedText: string;
  /** The decision the answer names reasons of, when it sets the conversation's context (an explanation, the steps). */
  explainsDecision: string | null;
  /** For a full explanation: the recap Candor gives instead when the conversation already explained that decision. */
  recap: { decisionId: string; text: string } | null;
}

/**
 * The reply a session's question must get, given the decision its conversation last explained (null:
 * none yet): a full explanation the first time, the recap after, as the core's context rules say.
 */
export function expectedReply(script: BenchScript, explained: string | null): { text: string; explained: string | null } {
  if (script.recap !== null && script.recap.decisionId === explained) return { text: script.recap.text, explained };
  return { text: script.expectedText, explained: script.explainsDecision ?? explained };
}

/**
 * Real customer questions in both locales; each is answered from the customer's own decision and
 * leaves the conversation with the bot, so a closed loop can keep asking.
 */
export const BENCH_QUESTIONS: readonly BenchQuestion[] = [
  { locale: 'en', text: 'why did my limit drop', intent: 'limit.why_dropped' },
  { locale: 'en', text: 'why was my limit increase request rejected', intent: 'limit.increase_denied' },
  { locale: 'en', text: 'how do i increase my limit', intent: 'limit.how_to_increase' },
  { locale: 'en', text: 'what is my credit limit now', intent: 'limit.current' },
  { locale: 'en', text: 'when will you look at my limit again', intent: 'limit.next_review' },
  { locale: 'zh-CN', text: '我的额度为什么降了', intent: 'limit.why_dropped' },
  { locale: 'zh-CN', text: '为什么我申请提额被拒绝了', intent: 'limit.increase_denied' },
];

/** The intents a recap offers after the reasons (as the core asks for them). */
const RECAP_THEN = [WHAT_TO_DO_INTENT, 'decision.request_review'];

/** Separates a benchmark customer id from the demo customer whose decisions it borrows. */
const BENCH_ID_SEPARATOR = '.';

/** A benchmark customer id: its own conversation, the decisions of the given demo customer. */
export function benchCustomerId(demoId: string, index: number): string {
  return `${demoId}${BENCH_ID_SEPARATOR}b${index}`;
}

/** The demo customer a benchmark customer id borrows its decisions from. */
export function demoIdOf(customerId: string): string {
  const at = customerId.indexOf(BENCH_ID_SEPARATOR);
  return at === -1 ? customerId : customerId.slice(0, at);
}

/**
 * The embedded demo engine for many customers: `demo-drop.b17` gets demo-drop's decisions under its
 * own id, so every benchmark session is a conversation of its own (a demo id shared by 500 sockets
 * would be one conversation seen from 500 tabs).
 */
export function createBenchDecisionEngine(demo: DemoCustomers): DecisionEngine {
  // Like the embedded engine: one frozen response per customer, shared by every lookup.
  const embedded = new EmbeddedDecisionEngine(demo);
  const responses = new Map<string, CustomerDecisions>();
  return {
    async lookup(customerId) {
      const known = responses.get(customerId);
      if (known !== undefined) return { status: 'found', data: known };
      const found = await embedded.lookup(demoIdOf(customerId));
      if (found.status !== 'found') return found;
      const data = deepFreeze({ ...found.data, customerId });
      responses.set(customerId, data);
      return { status: 'found', data };
    },
  };
}

/** Demo customer ids, in file order. */
export function listDemoIds(demo: DemoCustomers = loadDemoCustomers()): string[] {
  return demo.list().map((customer) => customer.id);
}

/**
 * For each demo customer, the questions in each locale with the exact reply text Candor's composer
 * gives for that customer's decisions (computed without the NLU or the policy, so a misrouted,
 * misclassified or cross-customer reply is caught). Questions whose answer would hand the customer
 * to a person (an N-class or unknown reason) are left out: a queued conversation stops answering.
 */
export function buildBenchScripts(): Map<string, Record<Locale, BenchScript[]>> {
  const content = contentConfigSchema.parse({});
  const loaded = loadContent({ intentsDir: content.CONTENT_INTENTS_DIR, templatesDir: content.CONTENT_TEMPLATES_DIR });
  const composer = createReplyComposer(loaded, { timeZone: content.DISPLAY_TIME_ZONE });
  const demo = loadDemoCustomers();
  const scripts = new Map<string, Record<Locale, BenchScript[]>>();
  // The bench's server answers on the system clock, so the expected texts are composed on it too.
  const now = systemClock.now().toISOString();
  for (const id of listDemoIds(demo)) {
    const decisions: CustomerDecisions | null = demo.responseFor(id) ?? null;
    const byLocale: Record<Locale, BenchScript[]> = { en: [], 'zh-CN': [] };
    for (const question of BENCH_QUESTIONS) {
      const composed = composer.compose({ kind: 'answer', intent: question.intent, decisions, anonymous: false, now }, question.locale);
      if (composed.explanation?.neutral) continue;
      const facts = composed.explanation;
      const explainsDecision = facts && CONTEXT_SETTING_INTENTS.has(question.intent) ? facts.decisionId : null;
      const explained = decisions?.decisions.find((decision) => decision.decisionId === facts?.decisionId);
      const recap =
        explained && facts && facts.codesShown.length > 0 && RECAPPED_INTENTS.has(question.intent)
          ? { decisionId: explained.decisionId, text: composer.compose({ kind: 'follow_up', decision: explained, about: { topic: 'recap', thenIntents: RECAP_THEN }, now }, question.locale).text }
          : null;
      byLocale[question.locale].push({ question, expectedText: composed.text, explainsDecision, recap });
    }
    if (byLocale.en.length > 0 && byLocale['zh-CN'].length > 0) scripts.set(id, byLocale);
  }
  return scripts;
}
