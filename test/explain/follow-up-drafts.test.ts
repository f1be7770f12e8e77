import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load-content.js';
import type { LimitDecision } from '../../src/core/decision.js';
import type { FollowUpAbout } from '../../src/core/ports/reply-composer.js';
import { createReplyComposer } from '../../src/explain/create-reply-composer.js';
import { selectReasons } from '../../src/explain/select-reasons.js';
import { createReasonCatalogue } from '../../src/content/create-reason-catalogue.js';

const content = loadContent({ intentsDir: 'intents', templatesDir: 'templates' });
const composer = createReplyComposer(content);
const catalogue = createReasonCatalogue(content);
const disclosable = content.reasons.filter((entry) => entry.disclosure !== 'N').map((entry) => entry.code);
const restricted = content.reasons.filter((entry) => entry.disclosure === 'N').map((entry) => entry.code);

const decisionWith = (codes: string[], ranks: number[]): LimitDecision => ({
  decisionId: 'dec-prop',
  kind: 'decrease',
  previousLimit: 2_000_000,
  newLimit: 800_000,
  currency: 'CNY',
  decidedAt: '2026-03-14T02:00:00Z',
  reasons: codes.map((code, index) => ({ code, rank: ranks[index] ?? index + 1 })),
  nextReviewAt: '2026-06-14T00:00:00Z',
});

const aboutArbitrary: fc.Arbitrary<FollowUpAbout> = fc.oneof(
  fc.integer({ min: 1, max: 6 }).map((position): FollowUpAbout => ({ topic: 'reason_detail', position })),
  fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 4 }).map((positions): FollowUpAbout => ({ topic: 'which_reason', positions })),
  fc.constant<FollowUpAbout>({ topic: 'what_to_do' }),
  fc.constant<FollowUpAbout>({ topic: 'next_review' }),
  fc.constant<FollowUpAbout>({ topic: 'recap', choices: [{ intent: 'limit.reason_detail', reasonPosition: 1 }, { intent: 'limit.what_to_do' }] }),
);
const locales = fc.constantFrom('en' as const, 'zh-CN' as const);

describe('follow-ups about a decision', () => {
  it('give an N-class or unknown decision the one neutral text, word for word, whatever is asked', () => {
    const neutral = {
      en: composer.compose({ kind: 'follow_up', decision: decisionWith(['FRAUD_SUSPECT'], [1]), about: { topic: 'what_to_do' } }, 'en').text,
      'zh-CN': composer.compose({ kind: 'follow_up', decision: decisionWith(['FRAUD_SUSPECT'], [1]), about: { topic: 'what_to_do' } }, 'zh-CN').text,
    };
    const hidden = fc.oneof(fc.constantFrom(...restricted), fc.stringMatching(/^ZZ_[A-Z0-9_]{1,20}$/));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...disclosable), { maxLength: 5 }),
        fc.array(hidden, { minLength: 1, maxLength: 2 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 7, maxLength: 7 }),
        aboutArbitrary,
        locales,
        (shown, hiddenCodes, ranks, about, locale) => {
          const reply = composer.compose({ kind: 'follow_up', decision: decisionWith([...shown, ...hiddenCodes], ranks), about }, locale);
          expect(reply.text).toBe(neutral[locale]);
          expect(reply.explanation).toMatchObject({ codesShown: [], neutral: true });
          expect(reply.links).toEqual([]);
        },
      ),
      { numRuns: 300, seed: 14 },
    );
  });

  it('name only reasons the explanation showed, at most four, and the one asked about by position', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...disclosable), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 6 }),
        locales,
        (codes, position, locale) => {
          const decision = decisionWith(codes, codes.map((_, index) => index + 1));
          const selection = selectReasons(decision.reasons, catalogue);
          const shown = selection.kind === 'reasons' ? selection.shown.map((reason) => reason.code) : [];
          const reply = composer.compose({ kind: 'follow_up', decision, about: { topic: 'reason_detail', position } }, locale);
          const named = reply.explanation?.codesShown ?? [];
          expect(named.every((code) => shown.includes(code))).toBe(true);
          expect(named).toEqual(position <= shown.length ? [shown[position - 1]] : shown);
          for (const code of [...disclosable, ...restricted]) expect(reply.text).not.toContain(code);
        },
      ),
      { numRuns: 200, seed: 41 },
    );
  });
});
