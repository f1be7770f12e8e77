import { describe, expect, it } from 'vitest';
import { createIntentDirectory } from '../../src/content/create-intent-directory.js';
import { createReasonCatalogue } from '../../src/content/create-reason-catalogue.js';
import { ContentInvalidError, loadContent } from '../../src/content/load-content.js';
import { CandorError } from '../../src/core/candor-error.js';
import { LOCALES } from '../../src/core/locale.js';
import { reasonTemplateIds } from '../../src/explain/view-models.js';

const content = loadContent({ intentsDir: 'intents', templatesDir: 'templates' });

/** DESIGN.md's minimum catalogue, with each code's disclosure class. */
const DESIGN_CATALOGUE: Record<string, 'D' | 'G' | 'N'> = {
  PAY_OVERDUE_NOW: 'D', PAY_LATE_RECENT: 'D', PAY_LATE_OTHERS: 'D', DEROG_RECORD: 'D', INQ_RECENT: 'D', MULTI_BORROW: 'D',
  UTIL_HIGH: 'D', DTI_HIGH: 'D', INCOME_LOW_FOR_REQ: 'D', INCOME_UNVERIFIED: 'D', INCOME_UNSTABLE: 'D', EMPLOY_SHORT: 'D',
  HISTORY_SHORT: 'D', LOW_ACTIVITY: 'D', ID_INCOMPLETE: 'D', INFO_UNVERIFIED: 'D', SEC_VERIFY: 'D', REVIEW_COOLDOWN: 'D',
  MODEL_UPDATE: 'G', PORTFOLIO_ADJ: 'G', MACRO_TIGHTEN: 'G', REG_CHANGE: 'G', SYS_FAULT: 'D', SYS_MAINT: 'D',
  DATA_UNAVAILABLE: 'D', FRAUD_SUSPECT: 'N', AML_SANCTIONS: 'N', LE_HOLD: 'N', LIMIT_RAISED: 'D',
};

describe('loadContent', () => {
  it('refuses broken content with every problem attached', () => {
    let caught: unknown;
    try {
      loadContent({ intentsDir: 'test/content/fixtures/broken/intents', templatesDir: 'test/content/fixtures/broken/templates' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ContentInvalidError);
    expect(caught).toBeInstanceOf(CandorError);
    const invalid = caught as ContentInvalidError;
    expect(invalid.code).toBe('content_invalid');
    expect(invalid.problems.length).toBeGreaterThan(20);
    expect(invalid.message).toContain('clarify.hbs › line 1: unknown field `optionz`');
  });

  it('holds every code of the design catalogue with its disclosure class', () => {
    const catalogue = createReasonCatalogue(content);
    for (const [code, disclosure] of Object.entries(DESIGN_CATALOGUE)) expect(catalogue.find(code)?.disclosure, code).toBe(disclosure);
    expect(catalogue.find('NOT_A_CODE')).toBeUndefined();
  });

  it('has a meaning and a step for every D/G code in every locale, and nothing for N codes', () => {
    for (const locale of LOCALES) {
      for (const entry of content.reasons) {
        const ids = reasonTemplateIds(entry.code);
        const has = content.locales[locale].templates.has(ids.meaning) && content.locales[locale].templates.has(ids.advice);
        expect(has, `${locale} ${entry.code}`).toBe(entry.disclosure !== 'N');
      }
    }
  });

  it('loads the intents sorted, with _oos.yaml left out', () => {
    const ids = content.intents.map((intent) => intent.id);
    expect(ids).not.toContain('oos');
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
  });
});

describe('createIntentDirectory', () => {
  const directory = createIntentDirectory(content);

  it('finds intents by id and by deep-link alias', () => {
    const why = directory.get('limit.why_dropped');
    expect(why).toMatchObject({ id: 'limit.why_dropped', needsDecision: true, escalate: null });
    expect(directory.resolveAlias('limit-drop')).toBe(why);
    expect(directory.resolveAlias(' Limit-Drop ')).toBe(why);
    expect(directory.get('agent.request')?.escalate).toBe('asked_for_person');
    expect(directory.get('oos')).toBeUndefined();
    expect(directory.resolveAlias('nope')).toBeUndefined();
  });
});
