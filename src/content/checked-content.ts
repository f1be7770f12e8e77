import { LOCALES, type Locale } from '../core/locale.js';
import type { IntentFile } from './intent-file-schema.js';
import type { CatalogueEntry, LoadedContent, LocaleContent } from './loaded-content.js';
import type { TemplateEngine } from './template-engine.js';

/** One locale's checked content as plain data: template sources by id, labels, help titles and reason aliases. */
export interface CheckedLocale {
  templateSources: [string, string][];
  categoryLabels: [string, string][];
  helpTitles: [string, string][];
  reasonAliases: [string, string[]][];
}

/** Content that passed the content check, as plain data (template sources, not compiled templates), so it can be cached on disk. */
export interface CheckedContent {
  intents: IntentFile[];
  reasons: CatalogueEntry[];
  locales: Record<Locale, CheckedLocale>;
  contentVersion: string;
}

/** Turns checked content into the content the composer uses; each template compiles on its first render. */
export function compileCheckedContent(checked: CheckedContent, engine: TemplateEngine): LoadedContent {
  const locales = {} as Record<Locale, LocaleContent>;
  for (const locale of LOCALES) {
    const given = checked.locales[locale];
    locales[locale] = {
      templates: new Map(given.templateSources.map(([id, source]) => [id, engine.compileChecked(source)])),
      categoryLabels: new Map(given.categoryLabels),
      helpTitles: new Map(given.helpTitles),
      reasonAliases: new Map(given.reasonAliases),
    };
  }
  return { intents: checked.intents, reasons: checked.reasons, locales, contentVersion: checked.contentVersion };
}
