import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Candor } from '../../../src/main.js';
import { buildCaseCard } from '../../../src/escalation/slack/case-card.js';
import { buildTestCandor } from '../../support/build-test-candor.js';

let candor: Candor;
beforeEach(async () => {
  candor = await buildTestCandor();
});
afterEach(async () => {
  await candor.close();
});

async function cardAfter(conversationId: string, customerId: string, lines: string[], locale: 'en' | 'zh-CN' = 'en'): Promise<string> {
  for (const text of lines) await candor.turns.handle({ conversationId, channel: 'test', customerId, locale, text });
  const [opened] = await candor.store.listCases(['queued']);
  if (!opened) throw new Error('a case should be open');
  const transcript = await candor.store.listMessages(conversationId);
  return JSON.stringify(buildCaseCard({ case: opened, transcript, waitedMinutes: 0 }).blocks);
}

describe('the case card after an explanation', () => {
  it('shows the decision and the reasons the customer just saw when they ask for a person', async () => {
    const card = await cardAfter('card-1', 'demo-drop', ['why did my limit drop', 'can i talk to a real person']);
    expect(card).toContain('*Decision*\\ndec-7Q4M2X');
    expect(card).toContain('One or more repayments on this credit line were made late in recent months.');
    expect(card).toContain('We updated the criteria we use to set limits');
    expect(card).not.toContain('_none_');
    // The fifth reason was never shown, so it is not on the card either.
    expect(card).not.toMatch(/income/i);
  });

  it('shows the reasons in the locale the customer saw them in', async () => {
    const card = await cardAfter('card-2', 'demo-drop', ['我的额度为什么降了', '转人工'], 'zh-CN');
    expect(card).toContain('最近几个月，您在本额度上有还款没有按时还上。');
  });

  it('shows no reason on the card of a neutral (restricted) explanation', async () => {
    await candor.turns.handle({ conversationId: 'card-3', channel: 'test', customerId: 'demo-fraud', locale: 'en', text: 'why did my limit drop' });
    const [opened] = await candor.store.listCases(['queued']);
    expect(opened?.reasonsShown).toEqual([]);
  });
});
