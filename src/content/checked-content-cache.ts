import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LOCALES, type Locale } from '../core/locale.js';
import type { CheckedContent } from './checked-content.js';
import { computeContentVersion, listFiles } from './content-version.js';
import { IntentFileSchema } from './intent-file-schema.js';
import type { ContentDirs } from './loaded-content.js';

/** The `CONTENT_CACHE_DIR` value that turns the checked-content cache off. */
export const CONTENT_CACHE_OFF = 'off';

/** The names of the cache's files. */
const CACHE_FILE = /^checked-content-[0-9a-f]{32}\.json$/;

const entriesSchema = z.array(z.tuple([z.string(), z.string()]));
const checkedLocaleSchema = z.object({
  templateSources: entriesSchema,
  categoryLabels: entriesSchema,
  helpTitles: entriesSchema,
  reasonAliases: z.array(z.tuple([z.string(), z.array(z.string())])),
});

/** A cache file as written by `writeCachedCheckedContent`: checked content, plain data. */
const cachedContentSchema = z.object({
  checked: z.object({
    intents: z.array(IntentFileSchema),
    reasons: z.array(
      z.object({
        code: z.string(),
        category: z.string(),
        disclosure: z.enum(['D', 'G', 'N']),
        helpUrl: z.string().nullable(),
        localeHelpUrls: z.partialRecord(z.enum(LOCALES), z.string()),
      }),
    ),
    locales: z.object(Object.fromEntries(LOCALES.map((locale) => [locale, checkedLocaleSchema])) as Record<Locale, typeof checkedLocaleSchema>),
    contentVersion: z.string(),
  }),
});

/** The folder of the running code (`src/`, or the compiled build's), whose files the cache key covers. */
const CODE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The cache file for content as it is now, checked by the code as it is now: the key covers every
 * file of intents/ and templates/ (the content version), every file of the running code and the
 * locked dependencies, so a change to any of them is checked again, as Rasa fingerprints its models.
 */
export function checkedContentCacheFile(cacheDir: string, dirs: ContentDirs): string {
  const hash = createHash('sha256');
  hash.update(`content\0${computeContentVersion(dirs)}\0`);
  for (const file of listFiles(CODE_ROOT)) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(CODE_ROOT, file)));
    hash.update('\0');
  }
  for (const name of ['package.json', 'package-lock.json']) {
    const file = join(CODE_ROOT, '..', name);
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return join(cacheDir, `checked-content-${hash.digest('hex').slice(0, 32)}.json`);
}

/** Reads cached checked content; undefined when there is none or it cannot be read or is not in shape (then content is checked again). */
export function readCachedCheckedContent(file: string): CheckedContent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const cached = cachedContentSchema.safeParse(raw);
  return cached.success ? cached.data.checked : undefined;
}

/**
 * Writes checked content to the cache (write then rename, so no reader sees half a file) and removes the
 * cache files of earlier content or code, which no start will read again; a cache that cannot be written
 * is skipped.
 */
export function writeCachedCheckedContent(file: string, checked: CheckedContent): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify({ checked }));
    renameSync(temporary, file);
    for (const name of readdirSync(dirname(file))) {
      if (CACHE_FILE.test(name) && name !== basename(file)) rmSync(join(dirname(file), name), { force: true });
    }
  } catch {
    // A read-only working directory only costs the next start the content check again.
  }
}
