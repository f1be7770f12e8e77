import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckedContent } from './checked-content.js';
import { computeContentVersion, listFiles } from './content-version.js';
import type { ContentDirs } from './loaded-content.js';

/** The `CONTENT_CACHE_DIR` value that turns the checked-content cache off. */
export const CONTENT_CACHE_OFF = 'off';

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

/** Reads cached checked content; undefined when there is none or it cannot be read (then content is checked again). */
export function readCachedCheckedContent(file: string): CheckedContent | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { checked?: CheckedContent };
    return cached.checked?.locales === undefined ? undefined : cached.checked;
  } catch {
    return undefined;
  }
}

/** Writes checked content to the cache (write then rename, so no reader sees half a file); a cache that cannot be written is skipped. */
export function writeCachedCheckedContent(file: string, checked: CheckedContent): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify({ checked }));
    renameSync(temporary, file);
  } catch {
    // A read-only working directory only costs the next start the content check again.
  }
}
