import { describe, expect, it } from 'vitest';
import type { CustomerDecisions } from '../../src/core/decision.js';
import type { ReplyComposer } from '../../src/core/ports/reply-composer.js';
import { rememberAnswers } from '../../src/core/remember-answers.js';
import { loadContent } from '../../src/content/load-content.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { deepFreeze } from '../../src/decisions/embedded-decision-engine.js';
import { createReplyComposer } from '../../src/explain/create-reply-composer.js';

/** The turn's time in these tests: before the demo decisions' review dates. */
const NOW = '2026-04-01T00:00:00Z';

const composer = createReplyComposer(loadContent({ intentsDir: 'intents', templatesDir: 'templates' }));
const demo = loadDemoCustomers();

/** The real composer, counting how often it really composes. */
function counting(): ReplyComposer & { calls: number } {
  const counted = {
    calls: 0,
    get contentVersion() {
      return composer.contentVersion;
    },
    compose(...args: Parameters<ReplyComposer['compose']>) {
      counted.calls += 1;
      return composer.compose(...args);
    },
    reasonTexts: (...args: Parameters<ReplyComposer['reasonTexts']>) => composer.reasonTexts(...args),
  };
  return counted;
}

function decisionsOf(id: string): CustomerDecisions {
  const decisions = demo.responseFor(id);
  if (!decisions) throw new Error(`${id} should be on file`);
  return decisions;
}

describe('rememberAnswers', () => {
  it('composes an answer once for frozen shared decisions, and answers exactly as the composer does', () => {
    const inner = counting();
    const remembered = rememberAnswers(inner);
    const decisions = deepFreeze(decisionsOf('demo-drop'));
    const request = { kind: 'answer', intent: 'limit.why_dropped', decisions, anonymous: false, now: NOW } as const;
    const first = remembered.compose(request, 'en');
    expect(remembered.compose(request, 'en')).toBe(first);
    expect(first).toEqual(composer.compose(request, 'en'));
    expect(inner.calls).toBe(1);
    expect(remembered.compose(request, 'zh-CN').text).toBe(composer.compose(request, 'zh-CN').text);
    expect(inner.calls).toBe(2);
  });

  it('notices a change to decisions that are not frozen (they are keyed by their content, not their identity)', () => {
    const remembered = rememberAnswers(counting());
    const decisions = decisionsOf('demo-drop');
    const request = { kind: 'answer', intent: 'limit.current', decisions, anonymous: false, now: NOW } as const;
    const before = remembered.compose(request, 'en').text;
    decisions.currentLimit = { ...decisions.currentLimit, amount: decisions.currentLimit.amount + 100_00 };
    const after = remembered.compose(request, 'en').text;
    expect(after).not.toBe(before);
    expect(after).toBe(composer.compose(request, 'en').text);
  });

  it('answers again once the review date has passed (the turn time is part of what an answer is made from)', () => {
    const remembered = rememberAnswers(counting());
    const decisions = deepFreeze(decisionsOf('demo-drop'));
    const before = remembered.compose({ kind: 'answer', intent: 'limit.next_review', decisions, anonymous: false, now: NOW }, 'en').text;
    const after = remembered.compose({ kind: 'answer', intent: 'limit.next_review', decisions, anonymous: false, now: '2026-12-02T10:00:00Z' }, 'en').text;
    expect(before).toMatch(/is due to be reviewed again/);
    expect(after).toMatch(/due for review now/);
  });

  it('remembers a follow-up about the same decision and question, and tells different questions apart', () => {
    const inner = counting();
    const remembered = rememberAnswers(inner);
    const decision = deepFreeze(decisionsOf('demo-drop')).decisions[0];
    if (!decision) throw new Error('demo-drop has a decision');
    const second = { kind: 'follow_up', decision, about: { topic: 'reason_detail', reason: { code: 'INQ_RECENT', position: 2 } }, now: NOW } as const;
    const first = remembered.compose(second, 'en');
    expect(remembered.compose(second, 'en')).toBe(first);
    expect(first).toEqual(composer.compose(second, 'en'));
    expect(inner.calls).toBe(1);
    const third = { ...second, about: { topic: 'reason_detail', reason: { code: 'UTIL_HIGH', position: 3 } } } as const;
    expect(remembered.compose(third, 'en').explanation?.codesShown).toEqual(['UTIL_HIGH']);
    expect(inner.calls).toBe(2);
  });
});
