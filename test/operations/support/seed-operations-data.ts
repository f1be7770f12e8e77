import type { ConversationStore } from '../../../src/core/ports/conversation-store.js';
import type { EscalationTrigger } from '../../../src/core/escalation-case.js';
import { aCase, aConversation, aMessage, anExplanation, aTurn } from '../../storage/conversation-store.contract.js';

/** An instant in March 2026, `minutes` after the 10th at 09:00 UTC, plus `seconds`. */
export const march = (minutes: number, seconds = 0): string => new Date(Date.parse('2026-03-10T09:00:00.000Z') + minutes * 60_000 + seconds * 1000).toISOString();

interface SeededCase {
  trigger: EscalationTrigger;
  claimAfter: number | null;
  resolveAfter: number | null;
  rating: number | null;
}

/**
 * Seeds a known month: 6 bot-only conversations (3 rated 5, 3 and 4 on goodbye), 4 escalated ones, 1 greeting-only, 1 in April.
 * Expected figures are spelled out in the report test.
 */
export async function seedOperationsData(store: ConversationStore): Promise<void> {
  const botOnly: [string, string | null][][] = [
    [['why did my limit drop', 'limit.why_dropped']],
    [['limit went down?', 'limit.why_dropped'], ['pizza', 'oos']],
    [['what is my limit', 'limit.current']],
    [['limit now', 'limit.current'], ['weather', 'oos']],
    [['drop?', 'limit.why_dropped']],
    [['pizza', 'oos'], ['hi', 'smalltalk.greeting']],
  ];
  /** Bot-only ratings given on goodbye by three of the six. */
  const botRatings = [5, null, 3, null, 4, null];
  for (const [i, texts] of botOnly.entries()) {
    const id = `web:bot-${i}`;
    await store.saveTurn(
      aTurn(id, {
        conversation: aConversation(id, { customerId: `bot-${i}`, createdAt: march(i * 10), updatedAt: march(i * 10, 5), botRating: botRatings[i] ?? null }),
        messages: texts.map(([text, intent], n) => aMessage(`${id}-${n}`, id, { text, intent, confidence: 0.9, createdAt: march(i * 10, n) })),
      }),
    );
  }
  const cases: SeededCase[] = [
    { trigger: 'asked_for_person', claimAfter: 60, resolveAfter: 300, rating: 5 },
    { trigger: 'asked_for_person', claimAfter: 120, resolveAfter: 900, rating: 4 },
    { trigger: 'complaint', claimAfter: 600, resolveAfter: 3600, rating: 2 },
    { trigger: 'engine_unavailable', claimAfter: null, resolveAfter: null, rating: null },
  ];
  for (const [i, seeded] of cases.entries()) {
    const id = `web:esc-${i}`;
    const opened = march(100 + i * 10);
    const at = (seconds: number | null) => (seconds === null ? null : new Date(Date.parse(opened) + seconds * 1000).toISOString());
    await store.saveTurn(
      aTurn(id, {
        conversation: aConversation(id, { customerId: `esc-${i}`, state: 'queued', caseId: `case-${i}`, createdAt: opened, updatedAt: opened }),
        messages: [aMessage(`${id}-0`, id, { text: 'a person please', intent: 'agent.request', confidence: 0.95, createdAt: opened })],
        openedCase: aCase(`case-${i}`, id, {
          trigger: seeded.trigger,
          createdAt: opened,
          claimedAt: at(seeded.claimAfter),
          resolvedAt: at(seeded.resolveAfter),
          status: seeded.resolveAfter !== null ? 'resolved' : 'queued',
          rating: seeded.rating,
          agentId: seeded.claimAfter === null ? null : 'U1',
          agentName: seeded.claimAfter === null ? null : 'Mei',
        }),
      }),
    );
  }
  await store.saveTurn(aTurn('anon:greet', { conversation: aConversation('anon:greet', { customerId: null, createdAt: march(200), updatedAt: march(200) }) }));
  await store.saveTurn(
    aTurn('web:april', {
      conversation: aConversation('web:april', { customerId: 'april', createdAt: '2026-04-02T10:00:00.000Z', updatedAt: '2026-04-02T10:00:00.000Z' }),
      messages: [aMessage('april-0', 'web:april', { text: 'pizza', intent: 'oos', createdAt: '2026-04-02T10:00:00.000Z' })],
    }),
  );
  await store.saveTurn(
    aTurn('web:bot-0', {
      conversation: aConversation('web:bot-0', { customerId: 'bot-0', createdAt: march(0), updatedAt: march(1), botRating: 5 }),
      explanations: [
        anExplanation('ex-1', 'web:bot-0', { customerId: 'bot-0', codesShown: ['UTIL_HIGH', 'INQ_RECENT'], codesSuppressed: ['FRAUD_SUSPECT'], createdAt: march(1) }),
        anExplanation('ex-2', 'web:bot-0', { customerId: 'bot-0', codesShown: ['UTIL_HIGH'], codesSuppressed: [], reviewRequested: true, createdAt: march(2) }),
        anExplanation('ex-3', 'web:bot-0', { customerId: 'bot-0', codesShown: ['PAY_LATE_RECENT'], codesSuppressed: ['MODEL_UPDATE'], createdAt: march(3) }),
      ],
    }),
  );
}
