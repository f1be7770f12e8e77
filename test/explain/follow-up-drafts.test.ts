import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load-content.js';
import type { LimitDecision } from '../../src/core/decision.js';
import type { FollowUpAbout } from '../../src/core/ports/reply-composer.js';
import { createReplyComposer } from '../../src/explain/create-reply-composer.js';
import { selectReasons } from '../../src/explain/select-reasons.js';
import { createReasonCatalogue } from '../../src/content/create-reason-catalogue.js';

/** The turn's time in these tests: before the demo decisions' review dates. */
const NOW = '2026-04-01T00:00:00Z';

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

const reasonRef = fc.record({ code: fc.constantFrom(...disclosable, ...restricted), position: fc.integer({ min: 1, max: 4 }) });
const aboutArbitrary: fc.Arbitrary<FollowUpAbout> = fc.oneof(
  reasonRef.map((reason): FollowUpAbout => ({ topic: 'reason_detail', reason })),
  fc.array(reasonRef, { maxLength: 4 }).map((reasons): FollowUpAbout => ({ topic: 'which_reason', reasons })),
  fc.array(fc.constantFrom(...disclosable, ...restricted), { maxLength: 4 }).map((codes): FollowUpAbout => ({ topic: 'what_to_do', codes })),
  fc.constant<FollowUpAbout>({ topic: 'next_review' }),
  fc.constant<FollowUpAbout>({ topic: 'recap', thenIntents: ['limit.what_to_do', 'decision.request_review'] }),
);
const locales = fc.constantFrom('en' as const, 'zh-CN' as const);

describe('follow-ups about a decision', () => {
  it('give an N-class or unknown decision the one neutral text, word for word, whatever is asked', () => {
    const neutral = {
      en: composer.compose({ kind: 'follow_up', decision: decisionWith(['FRAUD_SUSPECT'], [1]), about: { topic: 'what_to_do', codes: [] }, now: NOW }, 'en').text,
      'zh-CN': composer.compose({ kind: 'follow_up', decision: decisionWith(['FRAUD_SUSPECT'], [1]), about: { topic: 'what_to_do', codes: [] }, now: NOW }, 'zh-CN').text,
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
          const reply = composer.compose({ kind: 'follow_up', decision: decisionWith([...shown, ...hiddenCodes], ranks), about, now: NOW }, locale);
          expect(reply.text).toBe(neutral[locale]);
          expect(reply.explanation).toMatchObject({ codesShown: [], neutral: true });
          expect(reply.links).toEqual([]);
        },
      ),
      { numRuns: 300, seed: 14 },
    );
  });

  it('name only reasons that the decision itself still shows, whatever the context asked about', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...disclosable), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...disclosable),
        fc.integer({ min: 1, max: 4 }),
        locales,
        (codes, asked, position, locale) => {
          const decision = decisionWith(codes, codes.map((_, index) => index + 1));
          const selection = selectReasons(decision.reasons, catalogue);
          const shown = selection.kind === 'reasons' ? selection.shown.map((reason) => reason.code) : [];
          const reply = composer.compose({ kind: 'follow_up', decision, about: { topic: 'reason_detail', reason: { code: asked, position } }, now: NOW }, locale);
          const named = reply.explanation?.codesShown ?? [];
          expect(named.every((code) => shown.includes(code))).toBe(true);
          // The reason asked about when it is one the decision shows; otherwise the choice of those it shows.
          expect(named).toEqual(shown.includes(asked) ? [asked] : shown);
          expect(reply.choices === undefined).toBe(shown.includes(asked));
          for (const code of [...disclosable, ...restricted]) expect(reply.text).not.toContain(code);
        },
      ),
      { numRuns: 200, seed: 41 },
    );
  });
});
