import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { checkContent } from '../../src/content/check-content.js';
import { formatContentProblem } from '../../src/content/content-problem.js';

const projectDirs = { intentsDir: 'intents', templatesDir: 'templates' };
const broken = {
  intentsDir: 'test/content/fixtures/broken/intents',
  templatesDir: 'test/content/fixtures/broken/templates',
};

describe('checkContent on the project content', () => {
  it('finds no problem in intents/ and templates/', () => {
    expect(checkContent(projectDirs).map(formatContentProblem)).toEqual([]);
  });
});

describe('checkContent on broken fixtures', () => {
  const problems = checkContent(broken);
  const lines = problems.map(formatContentProblem);
  const has = (file: string, pattern: RegExp): boolean =>
    problems.some((problem) => problem.file.endsWith(file) && pattern.test(`${problem.path}: ${problem.message}`));

  it.each([
    ['YAML syntax errors, with their line', 'intents/broken-yaml.yaml', /^line 2: YAML:/],
    ['zod schema errors, by path', 'intents/bad-schema.yaml', /^id: intent ids look like/],
    ['every schema error of a file', 'intents/bad-schema.yaml', /^examples\.en: Too small/],
    ['duplicate examples across intents', 'intents/limit.why_dropped.yaml', /^examples\.en\.19: duplicate example across intents \(also limit\.current/],
    ['a missing minimum intent', 'intents/agent.request.yaml', /required intent is missing/],
    ['an intent without its answer template in a locale', 'templates/zh-CN/answers/limit.current/customer.hbs', /is missing in zh-CN/],
    ['a fixed template missing in a locale', 'templates/zh-CN/engine_unavailable.hbs', /is missing in zh-CN/],
    ['a G reason without meaning and advice', 'templates/en/reasons.yaml', /^reasons\.MODEL_UPDATE: G-class reason has no meaning/],
    ['a D reason without advice', 'templates/zh-CN/reasons.yaml', /^reasons\.UTIL_HIGH\.advice: D-class reason has no advice/],
    ['a D reason without a label', 'templates/zh-CN/reasons.yaml', /^reasons\.PAY_LATE_RECENT\.label: D-class reason has no label/],
    ['a D reason without aliases', 'templates/en/reasons.yaml', /^reasons\.UTIL_HIGH\.aliases: D-class reason has no aliases/],
    ['a D reason without detail', 'templates/en/reasons.yaml', /^reasons\.UTIL_HIGH\.detail: D-class reason has no detail/],
    ['an N reason with only aliases', 'templates/zh-CN/reasons.yaml', /^reasons\.LE_HOLD: N-class reasons are never disclosed/],
    ['an alias repeated within a reason (ignoring punctuation)', 'templates/en/reasons.yaml', /^reasons\.PAY_LATE_RECENT\.aliases\.1: repeats alias reasons\.PAY_LATE_RECENT\.aliases\.0/],
    ['an internal code in an alias', 'templates/en/reasons.yaml', /^reasons\.PAY_LATE_RECENT\.aliases\.2: shows the internal code PAY_LATE_RECENT/],
    ['an internal code in a label', 'templates/en/reasons.yaml', /^reasons\.UTIL_HIGH\.label: shows the internal code UTIL_HIGH/],
    ['an internal code in a detail part', 'templates/en/reasons.yaml', /^reasons\.PAY_LATE_RECENT\.detail\.means: shows the internal code MODEL_UPDATE/],
    ['a detail part naming a field', 'templates/en/reasons.yaml', /^reasons\.PAY_LATE_RECENT\.detail\.lasts line 1: unknown field `date`/],
    ['customer text for an N reason', 'templates/en/reasons.yaml', /^reasons\.FRAUD_SUSPECT: N-class reasons are never disclosed/],
    ['a reason text that is not in the catalogue', 'templates/en/reasons.yaml', /^reasons\.NOT_A_CODE: code is not in/],
    ['a reason text naming a field', 'templates/en/reasons.yaml', /^reasons\.UTIL_HIGH\.meaning line 1: unknown field `ratio`/],
    ['a template that fails to precompile', 'templates/en/goodbye.hbs', /does not compile: Parse error/],
    ['an unknown helper', 'templates/en/thanks.hbs', /^line 1: unknown helper `shout`/],
    ['a field the view model does not have', 'templates/en/clarify.hbs', /^line 1: unknown field `optionz`/],
    ['#each over a scalar', 'templates/en/rating_thanks.hbs', /`#each` needs a list, `rating` is not one/],
    ['a partial', 'templates/en/bot_back.hbs', /partials are not supported/],
    ['an undeclared template', 'templates/en/made_up.hbs', /unknown template `made_up`/],
    ['an internal code shown to customers', 'templates/en/greeting/anonymous.hbs', /internal code UTIL_HIGH/],
  ])('reports %s', (_kind, file, pattern) => {
    expect(has(file, pattern), lines.join('\n')).toBe(true);
  });

  it('reports a cascading field error once, not once per nested field', () => {
    expect(problems.filter((problem) => problem.file.endsWith('en/clarify.hbs'))).toHaveLength(1);
  });

  it('formats every problem as `file › path: message`', () => {
    for (const line of lines) expect(line).toMatch(/^test\/content\/fixtures\/broken\/\S+( › [^:]+)?: .+/);
  });
});

describe('checkContent on a copy of the project content', () => {
  let dir = '';
  const copy = (): { intentsDir: string; templatesDir: string } => {
    dir = mkdtempSync(join(tmpdir(), 'candor-content-'));
    cpSync('intents', join(dir, 'intents'), { recursive: true });
    cpSync('templates', join(dir, 'templates'), { recursive: true });
    return { intentsDir: join(dir, 'intents'), templatesDir: join(dir, 'templates') };
  };
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports several unrelated problems in one run', () => {
    const dirs = copy();
    unlinkSync(join(dirs.templatesDir, 'zh-CN', 'answers', 'limit.current', 'general.hbs'));
    writeFileSync(join(dirs.templatesDir, 'en', 'agent_joined.hbs'), '{{agent.name}} joined.\n');
    appendFileSync(join(dirs.templatesDir, 'reasons.yaml'), '  - { code: NEW_CODE, category: system, disclosure: D }\n');
    const lines = checkContent(dirs).map(formatContentProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/zh-CN\/answers\/limit\.current\/general\.hbs: template `answers\/limit\.current\/general` is missing in zh-CN$/),
        expect.stringMatching(/en\/agent_joined\.hbs › line 1: unknown field `agent\.name`/),
        expect.stringMatching(/en\/reasons\.yaml › reasons\.NEW_CODE: D-class reason has no meaning, advice, label, aliases or detail/),
        expect.stringMatching(/zh-CN\/reasons\.yaml › reasons\.NEW_CODE: D-class reason has no meaning, advice, label, aliases or detail/),
      ]),
    );
  });

  it('refuses a per-locale help article outside the help centre, in an intent and in the reason catalogue', () => {
    const dirs = copy();
    const intentFile = join(dirs.intentsDir, 'privacy.data_used.yaml');
    writeFileSync(intentFile, readFileSync(intentFile, 'utf8').replace('zh-CN: https://help.candor.example/zh-CN/privacy', 'zh-CN: https://elsewhere.example/zh-CN/privacy'));
    const reasonsFile = join(dirs.templatesDir, 'reasons.yaml');
    writeFileSync(reasonsFile, readFileSync(reasonsFile, 'utf8').replace("zh-CN: 'https://help.candor.example/zh-CN/articles/credit-report'", "zh-CN: 'http://help.candor.example/zh-CN/articles/credit-report'"));
    const lines = checkContent(dirs).map(formatContentProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/privacy\.data_used\.yaml › helpArticles\.1\.localeUrls\.zh-CN: .*help articles live under/),
        expect.stringMatching(/reasons\.yaml › reasons\.2\.helpArticleLocaleUrls\.zh-CN: /),
      ]),
    );
  });

  /** Rewrites one locale's reasons.yaml in the copy through `edit`. */
  const editReasons = (dirs: { templatesDir: string }, locale: string, edit: (reasons: Record<string, Record<string, unknown>>) => void): void => {
    const file = join(dirs.templatesDir, locale, 'reasons.yaml');
    const texts = parse(readFileSync(file, 'utf8')) as { reasons: Record<string, Record<string, unknown>> };
    edit(texts.reasons);
    writeFileSync(file, stringify(texts));
  };

  it('reports every missing or misplaced reason label, alias list and detail, in both locales, in one run', () => {
    const dirs = copy();
    editReasons(dirs, 'en', (reasons) => {
      delete reasons.INQ_RECENT?.label;
      reasons.FRAUD_SUSPECT = { aliases: ['the other thing'] };
    });
    editReasons(dirs, 'zh-CN', (reasons) => {
      delete reasons.MULTI_BORROW?.aliases;
      delete reasons.SEC_VERIFY?.detail;
      (reasons.PAY_LATE_RECENT?.aliases as string[]).push('逾期！');
    });
    const lines = checkContent(dirs).map(formatContentProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/en\/reasons\.yaml › reasons\.INQ_RECENT\.label: D-class reason has no label in this locale$/),
        expect.stringMatching(/en\/reasons\.yaml › reasons\.FRAUD_SUSPECT: N-class reasons are never disclosed/),
        expect.stringMatching(/zh-CN\/reasons\.yaml › reasons\.MULTI_BORROW\.aliases: D-class reason has no aliases in this locale$/),
        expect.stringMatching(/zh-CN\/reasons\.yaml › reasons\.SEC_VERIFY\.detail: D-class reason has no detail in this locale$/),
        expect.stringMatching(/zh-CN\/reasons\.yaml › reasons\.PAY_LATE_RECENT\.aliases\.\d+: repeats alias reasons\.PAY_LATE_RECENT\.aliases\.0: "逾期！"$/),
      ]),
    );
    expect(lines).toHaveLength(5);
  });

  it('reports a label over 45 characters, an alias not in lower case and a detail without steps, by path', () => {
    const dirs = copy();
    editReasons(dirs, 'en', (reasons) => {
      const util = reasons.UTIL_HIGH as { label: string; aliases: string[] };
      util.label = 'Using a very large share of the credit you have';
      util.aliases.push('Maxed Out');
      delete (reasons.DTI_HIGH?.detail as Record<string, unknown>).steps;
    });
    const lines = checkContent(dirs).map(formatContentProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/en\/reasons\.yaml › reasons\.UTIL_HIGH\.label: Too big/),
        expect.stringMatching(/en\/reasons\.yaml › reasons\.UTIL_HIGH\.aliases\.\d+: aliases are written in lower case$/),
        expect.stringMatching(/en\/reasons\.yaml › reasons\.DTI_HIGH\.detail\.steps: /),
      ]),
    );
  });

  it('validates _oos.yaml with the out-of-scope schema instead of treating it as an intent', () => {
    const dirs = copy();
    expect(checkContent(dirs)).toEqual([]);
    writeFileSync(join(dirs.intentsDir, '_oos.yaml'), 'id: oos\ndescription: too few lines here\nexamples: { en: [a], zh-CN: [] }\n');
    const lines = checkContent(dirs).map(formatContentProblem);
    expect(lines.some((line) => /_oos\.yaml › examples\.en: Too small/.test(line))).toBe(true);
    expect(lines.some((line) => /answers\/oos/.test(line))).toBe(false);
  });
});
