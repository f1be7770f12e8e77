import type { Locale } from '../core/locale.js';
import type { ReasonEntry } from '../core/reason-catalogue.js';
import type { IntentFile } from './intent-file-schema.js';
import type { RenderTemplate } from './template-engine.js';

/** Where content is read from. */
export interface ContentDirs {
  intentsDir: string;
  templatesDir: string;
}

/** A catalogue entry with its optional help-centre article. */
export interface CatalogueEntry extends ReasonEntry {
  helpUrl: string | null;
  /** The article in another locale, where the help centre has one; `helpUrl` otherwise. */
  localeHelpUrls: Partial<Record<Locale, string>>;
}

/** One locale's compiled templates and labels. */
export interface LocaleContent {
  /**
   * Template id → renderer: a path under `templates/<locale>/` without `.hbs`, or a reason text, `reasons/<CODE>/meaning|advice|label`
   * or `reasons/<CODE>/detail/means|matters|steps|lasts` (`lasts` only where the locale gives one).
   */
  templates: ReadonlyMap<string, RenderTemplate>;
  /** Category id → the locale's name for it, e.g. `credit_report` → `your credit report`. */
  categoryLabels: ReadonlyMap<string, string>;
  /** Reason code → the label of its help article. */
  helpTitles: ReadonlyMap<string, string>;
  /** D/G reason code → the lower-case words customers use for it in this locale, e.g. `late payment`; N codes have none. */
  reasonAliases: ReadonlyMap<string, readonly string[]>;
}

/** Everything in intents/ and templates/, validated and compiled. */
export interface LoadedContent {
  /** Intents sorted by id (files starting with `_`, such as `_oos.yaml`, are not intents). */
  intents: readonly IntentFile[];
  /** The reason-code catalogue in file order. */
  reasons: readonly CatalogueEntry[];
  locales: Readonly<Record<Locale, LocaleContent>>;
  /** Short sha256 over every file in intents/ and templates/. */
  contentVersion: string;
}
