import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { LOCALES, type Locale } from '../core/locale.js';
import { MINIMUM_INTENTS, requiredTemplateIdsForIntent } from '../explain/intent-answers.js';
import {
  generalAnswerId,
  isFixedTemplateId,
  reasonDetailTemplateIds,
  reasonTemplateIds,
  STATIC_VIEW_MODEL,
  TEMPLATE_VIEW_MODELS,
} from '../explain/view-models.js';
import type { ContentProblem } from './content-problem.js';
import { computeContentVersion, listFiles } from './content-version.js';
import { type IntentFile, IntentFileSchema, OutOfScopeFileSchema } from './intent-file-schema.js';
import { compileCheckedContent, type CheckedContent, type CheckedLocale } from './checked-content.js';
import type { CatalogueEntry, ContentDirs, LoadedContent } from './loaded-content.js';
import { type LocaleReasonFile, LocaleReasonFileSchema, ReasonCatalogueFileSchema } from './reason-file-schema.js';
import { createTemplateEngine, type TemplateEngine } from './template-engine.js';

/** The outcome of reading content: the loaded content (and the same as plain data) when there is no problem, and every problem found. */
export interface ContentReading {
  content: LoadedContent | null;
  checked: CheckedContent | null;
  problems: ContentProblem[];
}

/** Reads, validates and compiles intents/ and templates/, collecting every problem rather than stopping at the first. */
export function readContent(dirs: ContentDirs): ContentReading {
  const problems: ContentProblem[] = [];
  const engine = createTemplateEngine();
  const intents = readIntents(dirs.intentsDir, problems);
  const reasons = readCatalogue(dirs.templatesDir, problems);
  const codes = reasons.map((reason) => reason.code);
  const locales = {} as Record<Locale, CheckedLocale>;
  for (const locale of LOCALES) {
    locales[locale] = readLocale({ dirs, locale, intents, reasons, codes, engine, problems });
  }
  if (problems.length > 0) return { content: null, checked: null, problems };
  const checked: CheckedContent = { intents, reasons, locales, contentVersion: computeContentVersion(dirs) };
  return { content: compileCheckedContent(checked, engine), checked, problems };
}

function displayPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown === '' ? file : shown;
}

/** Parses a YAML file, reporting syntax errors with their line; returns undefined when it cannot be read. */
function readYaml(file: string, problems: ContentProblem[]): unknown {
  const shown = displayPath(file);
  if (!existsSync(file)) {
    problems.push({ file: shown, path: '', message: 'file is missing' });
    return undefined;
  }
  const document = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      const line = error.linePos?.[0]?.line;
      problems.push({ file: shown, path: line ? `line ${line}` : '', message: `YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` });
    }
    return undefined;
  }
  return document.toJS();
}

function schemaProblems(file: string, error: z.ZodError): ContentProblem[] {
  return error.issues.map((issue) => ({
    file: displayPath(file),
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

function normaliseExample(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}]+/gu, ' ')
    .trim();
}

function readIntents(dir: string, problems: ContentProblem[]): IntentFile[] {
  if (!existsSync(dir)) {
    problems.push({ file: displayPath(dir), path: '', message: 'intents directory is missing' });
    return [];
  }
  const intents: IntentFile[] = [];
  const fileOf = new Map<string, string>();
  for (const name of listFiles(dir)) {
    if (!/\.ya?ml$/.test(name)) continue;
    if (name.includes('/')) continue;
    const file = join(dir, name);
    const isOutOfScope = name.startsWith('_');
    const raw = readYaml(file, problems);
    if (raw === undefined) continue;
    if (isOutOfScope) {
      // `_oos.yaml` holds out-of-scope training lines, not an intent.
      const oos = OutOfScopeFileSchema.safeParse(raw);
      if (!oos.success) problems.push(...schemaProblems(file, oos.error));
      continue;
    }
    const parsed = IntentFileSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...schemaProblems(file, parsed.error));
      continue;
    }
    const intent = parsed.data;
    if (name.replace(/\.ya?ml$/, '') !== intent.id) {
      problems.push({ file: displayPath(file), path: 'id', message: `file name must be \`${intent.id}.yaml\`` });
    }
    const earlier = fileOf.get(intent.id);
    if (earlier) {
      problems.push({ file: displayPath(file), path: 'id', message: `intent \`${intent.id}\` is also defined in ${earlier}` });
      continue;
    }
    fileOf.set(intent.id, displayPath(file));
    intents.push(intent);
  }
  intents.sort((a, b) => a.id.localeCompare(b.id));

  const aliasOwner = new Map<string, string>();
  const exampleOwner = new Map<string, { intent: string; path: string }>();
  for (const intent of intents) {
    const file = fileOf.get(intent.id) ?? intent.id;
    intent.aliases.forEach((alias, index) => {
      const owner = aliasOwner.get(alias);
      if (owner && owner !== intent.id) {
        problems.push({ file, path: `aliases.${index}`, message: `alias \`${alias}\` is also used by ${owner}` });
      }
      aliasOwner.set(alias, owner ?? intent.id);
    });
    for (const locale of LOCALES) {
      intent.examples[locale].forEach((example, index) => {
        const key = `${locale}\0${normaliseExample(example)}`;
        const owner = exampleOwner.get(key);
        const path = `examples.${locale}.${index}`;
        if (!owner) {
          exampleOwner.set(key, { intent: intent.id, path });
        } else if (owner.intent === intent.id) {
          problems.push({ file, path, message: `repeats example ${owner.path}: "${example}"` });
        } else {
          problems.push({ file, path, message: `duplicate example across intents (also ${owner.intent} ${owner.path}): "${example}"` });
        }
      });
    }
  }
  const present = new Set(intents.map((intent) => intent.id));
  for (const id of MINIMUM_INTENTS) {
    if (!present.has(id)) problems.push({ file: displayPath(join(dir, `${id}.yaml`)), path: '', message: 'required intent is missing' });
  }
  return intents;
}

function readCatalogue(templatesDir: string, problems: ContentProblem[]): CatalogueEntry[] {
  const file = join(templatesDir, 'reasons.yaml');
  const raw = readYaml(file, problems);
  if (raw === undefined) return [];
  const parsed = ReasonCatalogueFileSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...schemaProblems(file, parsed.error));
    return [];
  }
  const categories = new Set(parsed.data.categories);
  const seen = new Set<string>();
  const entries: CatalogueEntry[] = [];
  parsed.data.reasons.forEach((reason, index) => {
    if (seen.has(reason.code)) {
      problems.push({ file: displayPath(file), path: `reasons.${index}.code`, message: `duplicate code ${reason.code}` });
      return;
    }
    seen.add(reason.code);
    if (!categories.has(reason.category)) {
      problems.push({ file: displayPath(file), path: `reasons.${index}.category`, message: `unknown category \`${reason.category}\`` });
    }
    entries.push({ code: reason.code, category: reason.category, disclosure: reason.disclosure, helpUrl: reason.helpArticle ?? null, localeHelpUrls: { ...reason.helpArticleLocaleUrls } });
  });
  return entries;
}

interface LocaleInput {
  dirs: ContentDirs;
  locale: Locale;
  intents: readonly IntentFile[];
  reasons: readonly CatalogueEntry[];
  codes: readonly string[];
  engine: TemplateEngine;
  problems: ContentProblem[];
}

function mentionedCodes(source: string, codes: readonly string[]): string[] {
  return codes.filter((code) => new RegExp(`(^|[^A-Z0-9_])${code}($|[^A-Z0-9_])`).test(source));
}

function readLocale({ dirs, locale, intents, reasons, codes, engine, problems }: LocaleInput): CheckedLocale {
  const localeDir = join(dirs.templatesDir, locale);
  const templates = new Map<string, string>();
  const categoryLabels = new Map<string, string>();
  const helpTitles = new Map<string, string>();
  const reasonAliases = new Map<string, readonly string[]>();

  function compileInto(id: string, source: string, schema: z.ZodType, file: string, pathPrefix: string): void {
    const shown = displayPath(file);
    for (const code of mentionedCodes(source, codes)) {
      problems.push({ file: shown, path: pathPrefix, message: `shows the internal code ${code} to customers` });
    }
    const compiled = engine.compile(source, schema);
    if (!compiled.ok) {
      for (const issue of compiled.issues) {
        const path = [pathPrefix, issue.path].filter(Boolean).join(' ');
        problems.push({ file: shown, path, message: issue.message });
      }
      return;
    }
    templates.set(id, source);
  }

  // Reason texts: every D/G code needs every part; N-class codes must have no customer text at all.
  const reasonFile = join(localeDir, 'reasons.yaml');
  const shownReasonFile = displayPath(reasonFile);
  const raw = readYaml(reasonFile, problems);
  const parsed = raw === undefined ? undefined : LocaleReasonFileSchema.safeParse(raw);
  if (parsed && !parsed.success) problems.push(...schemaProblems(reasonFile, parsed.error));
  if (parsed?.success) {
    const texts = parsed.data;
    const byCode = new Map(reasons.map((reason) => [reason.code, reason]));
    for (const [category, label] of Object.entries(texts.categories)) categoryLabels.set(category, label);
    for (const reason of reasons) {
      const text = texts.reasons[reason.code];
      const at = `reasons.${reason.code}`;
      if (reason.disclosure !== 'N' && !categoryLabels.has(reason.category)) {
        problems.push({ file: shownReasonFile, path: `categories.${reason.category}`, message: 'category has no name in this locale' });
      }
      if (reason.disclosure === 'N') {
        if (text) {
          problems.push({ file: shownReasonFile, path: at, message: 'N-class reasons are never disclosed and must have no customer text' });
        }
        continue;
      }
      if (!text) {
        problems.push({ file: shownReasonFile, path: at, message: `${reason.disclosure}-class reason has no meaning, advice, label, aliases or detail in this locale` });
        continue;
      }
      for (const part of REQUIRED_REASON_PARTS) {
        if (text[part] === undefined) problems.push({ file: shownReasonFile, path: `${at}.${part}`, message: `${reason.disclosure}-class reason has no ${part} in this locale` });
      }
      const ids = reasonTemplateIds(reason.code);
      const detailIds = reasonDetailTemplateIds(reason.code);
      if (text.meaning !== undefined) compileInto(ids.meaning, text.meaning, STATIC_VIEW_MODEL, reasonFile, `${at}.meaning`);
      if (text.advice !== undefined) compileInto(ids.advice, text.advice, STATIC_VIEW_MODEL, reasonFile, `${at}.advice`);
      if (text.label !== undefined) compileInto(detailIds.label, text.label, STATIC_VIEW_MODEL, reasonFile, `${at}.label`);
      if (text.detail !== undefined) {
        for (const part of DETAIL_PARTS) {
          const source = text.detail[part];
          if (source !== undefined) compileInto(detailIds[part], source, STATIC_VIEW_MODEL, reasonFile, `${at}.detail.${part}`);
        }
      }
      if (text.aliases !== undefined) {
        problems.push(...aliasProblems(text.aliases, codes, shownReasonFile, `${at}.aliases`));
        reasonAliases.set(reason.code, text.aliases);
      }
      if (text.helpTitle) helpTitles.set(reason.code, text.helpTitle);
      if (reason.helpUrl && !text.helpTitle) {
        problems.push({ file: shownReasonFile, path: `${at}.helpTitle`, message: 'the reason has a help article but no title for it' });
      }
    }
    for (const code of Object.keys(texts.reasons)) {
      if (!byCode.has(code)) {
        problems.push({ file: shownReasonFile, path: `reasons.${code}`, message: 'code is not in templates/reasons.yaml' });
      }
    }
  }

  // Templates: every file must be a known template id; every required id must exist.
  const intentAnswers = new Set(intents.filter((intent) => requiredTemplateIdsForIntent(intent.id).length > 0).map((intent) => generalAnswerId(intent.id)));
  if (!existsSync(localeDir)) {
    problems.push({ file: displayPath(localeDir), path: '', message: 'locale directory is missing' });
  }
  for (const name of listFiles(localeDir)) {
    if (name === 'reasons.yaml') continue;
    const file = join(localeDir, name);
    if (!name.endsWith('.hbs')) {
      problems.push({ file: displayPath(file), path: '', message: 'unexpected file (templates end in .hbs)' });
      continue;
    }
    const id = name.slice(0, -'.hbs'.length);
    const schema = isFixedTemplateId(id) ? TEMPLATE_VIEW_MODELS[id] : intentAnswers.has(id) ? STATIC_VIEW_MODEL : undefined;
    if (!schema) {
      problems.push({ file: displayPath(file), path: '', message: `unknown template \`${id}\`: no view model is declared for it` });
      continue;
    }
    compileInto(id, readFileSync(file, 'utf8'), schema, file, '');
  }
  const required = new Set<string>(Object.keys(TEMPLATE_VIEW_MODELS).filter((id) => !id.startsWith('answers/')));
  for (const intent of intents) for (const id of requiredTemplateIdsForIntent(intent.id)) required.add(id);
  for (const id of required) {
    const file = join(localeDir, `${id}.hbs`);
    if (!existsSync(file)) problems.push({ file: displayPath(file), path: '', message: `template \`${id}\` is missing in ${locale}` });
  }
  return {
    templateSources: [...templates],
    categoryLabels: [...categoryLabels],
    helpTitles: [...helpTitles],
    reasonAliases: [...reasonAliases].map(([code, aliases]) => [code, [...aliases]]),
  };
}

/** The parts every D/G reason needs in every locale. */
const REQUIRED_REASON_PARTS = ['meaning', 'advice', 'label', 'aliases', 'detail'] as const satisfies ReadonlyArray<keyof LocaleReasonFile['reasons'][string]>;

/** The parts of a reason's detail, each compiled as its own template; `lasts` is optional. */
const DETAIL_PARTS = ['means', 'matters', 'steps', 'lasts'] as const;

/** Reports an alias repeated within one reason (ignoring case, spacing and punctuation) and an alias naming an internal code. */
function aliasProblems(aliases: readonly string[], codes: readonly string[], file: string, pathPrefix: string): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const firstIndex = new Map<string, number>();
  aliases.forEach((alias, index) => {
    const path = `${pathPrefix}.${index}`;
    // Aliases are lower-case, so look for codes in the upper-cased text.
    for (const code of mentionedCodes(alias.toUpperCase(), codes)) {
      problems.push({ file, path, message: `shows the internal code ${code} to customers` });
    }
    const key = normaliseExample(alias);
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, index);
    else problems.push({ file, path, message: `repeats alias ${pathPrefix}.${first}: "${alias}"` });
  });
  return problems;
}
