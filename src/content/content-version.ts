import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ContentDirs } from './loaded-content.js';

/** Lists every file under a directory, recursively, as sorted paths relative to it with `/` separators. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** A short sha256 over the names and bytes of every file in intents/ and templates/, recorded with each explanation. */
export function computeContentVersion(dirs: ContentDirs): string {
  const hash = createHash('sha256');
  for (const [label, dir] of [
    ['intents', dirs.intentsDir],
    ['templates', dirs.templatesDir],
  ] as const) {
    for (const file of listFiles(dir)) {
      hash.update(`${label}/${file}\0`);
      hash.update(readFileSync(join(dir, file)));
      hash.update('\0');
    }
  }
  return hash.digest('hex').slice(0, 12);
}
