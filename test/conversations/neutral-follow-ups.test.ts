import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/core/locale.js';
import type { Candor } from '../../src/main.js';
import { buildTestCandor } from '../support/build-test-candor.js';

/*
 * Property: whatever a customer whose decision carries an N-class or unknown code asks next about it,
 * the bot's answer is the one neutral text, word for word — the text its first answer ended with — and
 * nothing it says names a reason or hints at how many there are.
 */

const FOLLOW_UPS: Record<Locale, string[]> = {
  en: [
    'why?',
    'how come?',
    'but why',
    'what about the second reason?',
    'the first one?',
    'and the last one',
    'explain #3',
    'what do I do now',
    'what should i do',
    'how long until it comes back',
    'what does the utilisation one mean',
    'tell me more about the late payments',
    'is it the income one?',
    'which reason is the main one',
    '2',
  ],
  'zh-CN': ['为什么？', '为啥', '最后一个原因呢', '第一个具体是指什么', '第二个呢', '那我现在该怎么办', '多久能恢复', '逾期那条呢', '查询次数那个是什么意思', '3'],
};
const FOLLOW_UP_INTENTS = new Set(['limit.reason_detail', 'limit.what_to_do', 'limit.next_review']);

const templates = join(import.meta.dirname, '../../templates');
/** Every customer-facing reason text of the catalogue, in both locales: none may appear in a neutral conversation. */
const reasonTexts: string[] = (['en', 'zh-CN'] as const).flatMap((locale) => {
  const file = parse(readFileSync(join(templates, locale, 'reasons.yaml'), 'utf8')) as { reasons: Record<string, { label: string; meaning: string }> };
  return Object.values(file.reasons).flatMap((reason) => [reason.label, reason.meaning]);
});
const codes = (parse(readFileSync(join(templates, 'reasons.yaml'), 'utf8')) as { reasons: { code: string }[] }).reasons.map((reason) => reason.code);

let candor: Candor;
beforeAll(async () => {
  candor = await buildTestCandor();
});
afterAll(async () => {
  await candor.close();
});

let conversations = 0;
const agent = { id: 'U-PROP', name: 'Prop' };

describe.each(['demo-fraud', 'demo-aml', 'demo-unknown'])('%s', (customerId) => {
  it.each(['en', 'zh-CN'] as const)('answers every follow-up in %s with the neutral text, word for word', async (locale) => {
    const cases = candor.createCaseService({ deliver: async () => undefined });
    const neutralTexts = new Set<string>();
    let followUpsAnswered = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...FOLLOW_UPS[locale]), { minLength: 1, maxLength: 4 }), async (questions) => {
        conversations += 1;
        const conversationId = `neutral:${customerId}:${locale}:${conversations}`;
        const say = (text: string) => candor.turns.handle({ conversationId, channel: 'test', customerId, locale, text });
        const first = await say(locale === 'en' ? 'why did my limit drop' : '我的额度为什么降了');
        expect(first.reasonsShown).toEqual([]);
        expect(first.state).toBe('queued');
        // The agent hands the conversation back, so the bot answers the follow-ups itself.
        const [opened] = (await candor.store.listCases(['queued'])).filter((item) => item.conversationId === conversationId);
        expect((await cases.returnToBot(opened?.ref ?? '', agent)).status).toBe('ok');
        const firstText = first.replies[0]?.text ?? '';

        for (const question of questions) {
          const result = await say(question);
          const text = result.replies.map((reply) => reply.text).join('\n');
          expect(result.reasonsShown).toEqual([]);
          for (const reasonText of reasonTexts) expect(text).not.toContain(reasonText);
          for (const code of [...codes, 'ZZ_NEW_POLICY_7']) expect(text).not.toContain(code);
          if (result.intent !== null && FOLLOW_UP_INTENTS.has(result.intent)) {
            followUpsAnswered += 1;
            expect(result.replies).toHaveLength(1);
            neutralTexts.add(text);
            expect(firstText.endsWith(text), `the first answer ends with the follow-up's text:\n${text}`).toBe(true);
          }
        }
      }),
      { numRuns: 12, seed: 1402 },
    );
    // One text for every follow-up, and the property saw follow-ups at all.
    expect(neutralTexts.size).toBe(1);
    expect(followUpsAnswered).toBeGreaterThan(12);
  });
});
