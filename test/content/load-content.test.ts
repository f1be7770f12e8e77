import { describe, expect, it } from 'vitest';
import { createIntentDirectory } from '../../src/content/create-intent-directory.js';
import { createReasonCatalogue } from '../../src/content/create-reason-catalogue.js';
import { ContentInvalidError, loadContent } from '../../src/content/load-content.js';
import { CandorError } from '../../src/core/candor-error.js';
import { LOCALES } from '../../src/core/locale.js';
import { REASON_LABEL_MAX_LENGTH } from '../../src/content/reason-file-schema.js';
import { reasonDetailTemplateIds, reasonTemplateIds } from '../../src/explain/view-models.js';
import { createAliasReasonReferenceReader } from '../../src/nlu/alias-reason-reference-reader.js';

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

  it('has a label, aliases and a detail (means, matters, steps) for every D/G code in every locale, and none for N codes', () => {
    for (const locale of LOCALES) {
      const { templates, reasonAliases } = content.locales[locale];
      for (const entry of content.reasons) {
        const ids = reasonDetailTemplateIds(entry.code);
        const isShown = entry.disclosure !== 'N';
        for (const id of [ids.label, ids.means, ids.matters, ids.steps]) expect(templates.has(id), `${locale} ${id}`).toBe(isShown);
        expect(reasonAliases.has(entry.code), `${locale} ${entry.code} aliases`).toBe(isShown);
        if (!isShown) expect(templates.has(ids.lasts), `${locale} ${ids.lasts}`).toBe(false);
      }
    }
  });

  it('renders each label short, and every label and detail part free of internal codes, scores and invented figures', () => {
    const codes = content.reasons.map((entry) => entry.code);
    for (const locale of LOCALES) {
      const { templates, reasonAliases } = content.locales[locale];
      for (const entry of content.reasons.filter((reason) => reason.disclosure !== 'N')) {
        const ids = reasonDetailTemplateIds(entry.code);
        const label = templates.get(ids.label)?.({}) ?? '';
        expect(label.length, `${locale} ${entry.code}`).toBeGreaterThan(1);
        expect(label.length, `${locale} ${entry.code}`).toBeLessThanOrEqual(REASON_LABEL_MAX_LENGTH);
        const parts = [ids.label, ids.means, ids.matters, ids.steps, ids.lasts].map((id) => templates.get(id)?.({}) ?? '');
        for (const text of [...parts, ...(reasonAliases.get(entry.code) ?? [])]) {
          for (const code of codes) expect(text.toUpperCase(), `${locale} ${entry.code}`).not.toContain(code);
          // The only figure in any detail is the five years China's credit reporting rules keep negative records for.
          expect(text.replace('5年', ''), `${locale} ${entry.code}`).not.toMatch(/[0-9%％]/);
        }
      }
    }
  });

  it('says how long report-based negative records are kept, as China\'s credit reporting rules set it, in both locales', () => {
    for (const code of ['PAY_LATE_OTHERS', 'DEROG_RECORD']) {
      const lasts = reasonDetailTemplateIds(code).lasts;
      expect(content.locales.en.templates.get(lasts)?.({}), code).toMatch(/five years from the date/);
      expect(content.locales['zh-CN'].templates.get(lasts)?.({}), code).toMatch(/《征信业管理条例》.*之日起.*保存5年/);
    }
  });

  it('keeps aliases lower-case, and shares one between reasons only where customers use it for each', () => {
    const shared: Record<string, Record<string, string[]>> = { en: {}, 'zh-CN': {} };
    for (const locale of LOCALES) {
      for (const [code, aliases] of content.locales[locale].reasonAliases) {
        for (const alias of aliases) {
          expect(alias).toBe(alias.toLowerCase());
          (shared[locale]![alias] ??= []).push(code);
        }
      }
    }
    const sharedOnly = (locale: string): Record<string, string[]> =>
      Object.fromEntries(Object.entries(shared[locale] ?? {}).filter(([, codes]) => codes.length > 1));
    expect(sharedOnly('en')).toEqual({
      'missed payment': ['PAY_OVERDUE_NOW', 'PAY_LATE_RECENT'],
      'late payments': ['PAY_LATE_RECENT', 'PAY_LATE_OTHERS'],
      income: ['INCOME_LOW_FOR_REQ', 'INCOME_UNVERIFIED', 'INCOME_UNSTABLE'],
    });
    expect(sharedOnly('zh-CN')).toEqual({
      逾期: ['PAY_OVERDUE_NOW', 'PAY_LATE_RECENT', 'PAY_LATE_OTHERS'],
      负债: ['UTIL_HIGH', 'DTI_HIGH'],
      收入: ['INCOME_LOW_FOR_REQ', 'INCOME_UNVERIFIED', 'INCOME_UNSTABLE'],
    });
    expect(content.locales.en.reasonAliases.get('UTIL_HIGH')).toEqual(expect.arrayContaining(['utilisation', 'utilization', 'using too much credit']));
    expect(content.locales['zh-CN'].reasonAliases.get('PAY_LATE_RECENT')).toEqual(expect.arrayContaining(['逾期', '还款晚了']));
  });

  it.each([
    ['tell me more about the late payments', 'en', ['PAY_LATE_RECENT', 'PAY_LATE_OTHERS']],
    ['what does the utilisation one mean', 'en', ['UTIL_HIGH']],
    ['what do you mean by recent applications', 'en', ['INQ_RECENT']],
    ['ok and whats the credit check one about', 'en', ['INQ_RECENT']],
    ['the one about my income?', 'en', ['INCOME_LOW_FOR_REQ', 'INCOME_UNVERIFIED', 'INCOME_UNSTABLE']],
    ['用得太多是啥意思', 'zh-CN', ['UTIL_HIGH']],
    ['查询次数那个呢', 'zh-CN', ['INQ_RECENT']],
    ['还款晚了那个是什么意思', 'zh-CN', ['PAY_LATE_RECENT']],
    ['多头借贷是指啥', 'zh-CN', ['MULTI_BORROW']],
  ] as const)('resolves "%s" (%s) to its reasons through the content aliases', (text, locale, codes) => {
    const reader = createAliasReasonReferenceReader({ en: content.locales.en.reasonAliases, 'zh-CN': content.locales['zh-CN'].reasonAliases });
    const reference = reader.read(text, locale);
    expect(reference.kind).toBe('topic');
    expect(reference.kind === 'topic' ? [...reference.codes].sort() : []).toEqual([...codes].sort());
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
