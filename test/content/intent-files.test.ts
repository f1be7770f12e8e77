import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  IntentFileSchema,
  OutOfScopeFileSchema,
  type IntentFile,
  type OutOfScopeFile,
} from '../../src/content/intent-file-schema.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const intentsDir = join(root, 'intents');
const fixtureFiles = ['candor-val.jsonl', 'candor-test.jsonl'].map((f) => join(root, 'fixtures', 'nlu', f));

const REQUIRED_IDS = [
  'limit.why_dropped',
  'limit.increase_denied',
  'limit.how_to_increase',
  'limit.current',
  'limit.next_review',
  'account.frozen',
  'decision.request_review',
  'agent.request',
  'privacy.data_used',
  'repayment.overdue_impact',
  'feedback.complaint',
  'smalltalk.greeting',
  'smalltalk.thanks',
  'smalltalk.goodbye',
] as const;

/** Follow-ups on an explanation just given (issue 14): one reason, and what to do now. */
const FOLLOW_UP_IDS = ['limit.reason_detail', 'limit.what_to_do'] as const;

/** Questions that got a wrong answer before they had intents of their own (issue 18). */
const GENERAL_IDS = ['privacy.erasure_request', 'privacy.data_sharing', 'limit.utilisation', 'assistant.is_bot', 'account.documents_status'] as const;

/** The flags each intent must carry, from the product brief. */
const EXPECTED_FLAGS: Record<string, IntentFile['flags']> = {
  'limit.why_dropped': { needsDecision: true, escalate: null, inMenu: true },
  'limit.increase_denied': { needsDecision: true, escalate: null, inMenu: true },
  'limit.how_to_increase': { needsDecision: true, escalate: null, inMenu: true },
  'limit.current': { needsDecision: true, escalate: null, inMenu: true },
  'limit.next_review': { needsDecision: true, escalate: null, inMenu: true },
  'account.frozen': { needsDecision: true, escalate: null, inMenu: true },
  'decision.request_review': { needsDecision: true, escalate: 'review_request', inMenu: false },
  'agent.request': { needsDecision: false, escalate: 'asked_for_person', inMenu: true },
  'privacy.data_used': { needsDecision: true, escalate: null, inMenu: false },
  'repayment.overdue_impact': { needsDecision: true, escalate: null, inMenu: false },
  'feedback.complaint': { needsDecision: false, escalate: 'complaint', inMenu: false },
  'smalltalk.greeting': { needsDecision: false, escalate: null, inMenu: false },
  'smalltalk.thanks': { needsDecision: false, escalate: null, inMenu: false },
  'smalltalk.goodbye': { needsDecision: false, escalate: null, inMenu: false },
  'limit.reason_detail': { needsDecision: true, escalate: null, inMenu: false },
  'limit.what_to_do': { needsDecision: true, escalate: null, inMenu: false },
  'privacy.erasure_request': { needsDecision: false, escalate: null, inMenu: false },
  'privacy.data_sharing': { needsDecision: false, escalate: null, inMenu: false },
  'limit.utilisation': { needsDecision: false, escalate: null, inMenu: false },
  'assistant.is_bot': { needsDecision: false, escalate: null, inMenu: false },
  'account.documents_status': { needsDecision: false, escalate: null, inMenu: false },
};

const REQUIRED_ALIASES: Record<string, string> = {
  'limit-drop': 'limit.why_dropped',
  'increase-denied': 'limit.increase_denied',
  'how-to-increase': 'limit.how_to_increase',
  'reason-detail': 'limit.reason_detail',
  'what-to-do': 'limit.what_to_do',
};

const FixtureLineSchema = z
  .object({
    text: z.string().min(1).max(300),
    intent: z.string().min(2),
    locale: z.enum(['en', 'zh-CN']),
  })
  .strict();
type FixtureLine = z.infer<typeof FixtureLineSchema>;

/** Case-, space- and punctuation-insensitive key, so near-identical lines count as duplicates. */
function exampleKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

const CJK = /\p{Script=Han}/u;

function loadIntentFiles(): Array<{ file: string; intent: IntentFile }> {
  return readdirSync(intentsDir)
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('_'))
    .sort()
    .map((file) => ({ file, intent: IntentFileSchema.parse(parse(readFileSync(join(intentsDir, file), 'utf8'))) }));
}

function loadOutOfScope(): OutOfScopeFile {
  return OutOfScopeFileSchema.parse(parse(readFileSync(join(intentsDir, '_oos.yaml'), 'utf8')));
}

function loadFixture(path: string): FixtureLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = FixtureLineSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${basename(path)}:${i + 1}: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    });
}

/** Every training line with the intent it teaches, `oos` included. */
function trainingLines(): Array<{ text: string; intent: string; locale: 'en' | 'zh-CN' }> {
  const lines: Array<{ text: string; intent: string; locale: 'en' | 'zh-CN' }> = [];
  for (const { intent } of loadIntentFiles()) {
    for (const locale of ['en', 'zh-CN'] as const) {
      for (const text of intent.examples[locale]) lines.push({ text, intent: intent.id, locale });
    }
  }
  const oos = loadOutOfScope();
  for (const locale of ['en', 'zh-CN'] as const) {
    for (const text of oos.examples[locale]) lines.push({ text, intent: 'oos', locale });
  }
  return lines;
}

/** Returns `"<text>" in <a> and <b>` for every key seen twice. */
function findDuplicates(lines: Array<{ text: string; where: string }>): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { text, where } of lines) {
    const key = exampleKey(text);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, where);
    else problems.push(`"${text}" in ${first} and ${where}`);
  }
  return problems;
}

describe('exampleKey', () => {
  it('treats case, spacing and punctuation variants as the same line', () => {
    expect(exampleKey('Why did my  limit drop?')).toBe(exampleKey('why did my limit drop'));
    expect(exampleKey('额度为什么降了？')).toBe(exampleKey('额度 为什么降了'));
    expect(exampleKey('why did my limit drop')).not.toBe(exampleKey('why did my limit rise'));
  });

  it('lets findDuplicates report a repeated line', () => {
    expect(
      findDuplicates([
        { text: 'Thanks!', where: 'a' },
        { text: 'thanks', where: 'b' },
      ]),
    ).toEqual(['"thanks" in a and b']);
  });
});

describe('intents/*.yaml', () => {
  it('parses every file against IntentFileSchema, named after its id', () => {
    for (const file of readdirSync(intentsDir).filter((f) => f.endsWith('.yaml') && !f.startsWith('_'))) {
      const result = IntentFileSchema.safeParse(parse(readFileSync(join(intentsDir, file), 'utf8')));
      expect(result.success ? '' : `${file}: ${z.prettifyError(result.error)}`).toBe('');
      if (result.success) expect(file).toBe(`${result.data.id}.yaml`);
    }
  });

  it('has every required intent with the brief’s flags', () => {
    const byId = new Map(loadIntentFiles().map(({ intent }) => [intent.id, intent]));
    for (const id of [...REQUIRED_IDS, ...FOLLOW_UP_IDS, ...GENERAL_IDS]) {
      const intent = byId.get(id);
      expect(intent, id).toBeDefined();
      expect(intent?.flags, id).toEqual(EXPECTED_FLAGS[id]);
    }
  });

  it('gives each intent at least 30 English and 20 Chinese examples in the right script', () => {
    for (const { intent } of loadIntentFiles()) {
      expect(intent.examples.en.length, intent.id).toBeGreaterThanOrEqual(30);
      expect(intent.examples['zh-CN'].length, intent.id).toBeGreaterThanOrEqual(20);
      expect(intent.examples.en.filter((e) => CJK.test(e)), intent.id).toEqual([]);
      // Chinese chat shorthand such as "88" (bye) or "3q" (thanks) is real; anything longer must be Chinese.
      expect(intent.examples['zh-CN'].filter((e) => !CJK.test(e) && e.length > 3), intent.id).toEqual([]);
    }
  });

  it('has the required deep-link aliases, one or more per non-smalltalk intent, none shared', () => {
    const owner = new Map<string, string>();
    for (const { intent } of loadIntentFiles()) {
      if (!intent.id.startsWith('smalltalk.')) expect(intent.aliases.length, intent.id).toBeGreaterThan(0);
      for (const alias of intent.aliases) {
        expect(owner.get(alias), `alias ${alias}`).toBeUndefined();
        owner.set(alias, intent.id);
      }
    }
    for (const [alias, id] of Object.entries(REQUIRED_ALIASES)) expect(owner.get(alias), alias).toBe(id);
  });

  it('links help articles only under the help centre', () => {
    for (const { intent } of loadIntentFiles()) {
      if (intent.flags.inMenu) expect(intent.helpArticles.length, intent.id).toBeGreaterThan(0);
      for (const article of intent.helpArticles) {
        expect(article.url.startsWith('https://help.candor.example/'), article.url).toBe(true);
      }
    }
  });

  it('has no example twice, within or across intents and out-of-scope lines', () => {
    const lines = trainingLines().map(({ text, intent, locale }) => ({ text, where: `${intent}/${locale}` }));
    expect(findDuplicates(lines)).toEqual([]);
  });
});

describe('intents/_oos.yaml', () => {
  it('parses against OutOfScopeFileSchema with at least 80 English and 40 Chinese lines', () => {
    const oos = loadOutOfScope();
    expect(oos.examples.en.length).toBeGreaterThanOrEqual(80);
    expect(oos.examples['zh-CN'].length).toBeGreaterThanOrEqual(40);
    expect(oos.examples['zh-CN'].filter((e) => !CJK.test(e))).toEqual([]);
  });

  it('rejects a file with another id or an extra field', () => {
    const valid = { id: 'oos', description: 'things we do not handle', examples: { en: [], 'zh-CN': [] } };
    expect(OutOfScopeFileSchema.safeParse({ ...valid, id: 'other' }).success).toBe(false);
    expect(OutOfScopeFileSchema.safeParse({ ...valid, extra: 1 }).success).toBe(false);
  });
});

describe('fixtures/nlu', () => {
  const known = new Set<string>([...REQUIRED_IDS, ...FOLLOW_UP_IDS, ...GENERAL_IDS, 'oos']);

  const namedFixtures = fixtureFiles.map((path) => [basename(path), path] as const);

  it.each(namedFixtures)('%s covers every intent and out-of-scope in both locales', (_name, path) => {
    const counts = new Map<string, number>();
    for (const line of loadFixture(path)) {
      expect(known.has(line.intent), `${line.intent}: ${line.text}`).toBe(true);
      expect(CJK.test(line.text), `${line.locale}: ${line.text}`).toBe(line.locale === 'zh-CN');
      const key = `${line.intent}/${line.locale}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const id of [...REQUIRED_IDS, ...FOLLOW_UP_IDS, ...GENERAL_IDS]) {
      expect(counts.get(`${id}/en`) ?? 0, `${id}/en`).toBeGreaterThanOrEqual(6);
      expect(counts.get(`${id}/zh-CN`) ?? 0, `${id}/zh-CN`).toBeGreaterThanOrEqual(5);
    }
    expect(counts.get('oos/en') ?? 0).toBeGreaterThanOrEqual(60);
    expect(counts.get('oos/zh-CN') ?? 0).toBeGreaterThanOrEqual(40);
  });

  it('shares no line with the training data or with the other fixture file', () => {
    const lines = [
      ...trainingLines().map(({ text, intent }) => ({ text, where: `intents/${intent}` })),
      ...fixtureFiles.flatMap((path) => loadFixture(path).map(({ text }) => ({ text, where: basename(path) }))),
    ];
    expect(findDuplicates(lines)).toEqual([]);
  });
});
