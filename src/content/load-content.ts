import { CandorError } from '../core/candor-error.js';
import { compileCheckedContent } from './checked-content.js';
import { CONTENT_CACHE_OFF, checkedContentCacheFile, readCachedCheckedContent, writeCachedCheckedContent } from './checked-content-cache.js';
import { type ContentProblem, formatContentProblem } from './content-problem.js';
import type { ContentDirs, LoadedContent } from './loaded-content.js';
import { readContent } from './read-content.js';
import { createTemplateEngine } from './template-engine.js';

/** Thrown at start-up when content has problems; carries every problem so the caller can print them all. */
export class ContentInvalidError extends CandorError {
  readonly problems: readonly ContentProblem[];

  constructor(problems: readonly ContentProblem[]) {
    super('content_invalid', `content has ${problems.length} problem(s):\n${problems.map(formatContentProblem).join('\n')}`);
    this.name = 'ContentInvalidError';
    this.problems = problems;
  }
}

/**
 * Loads and compiles intents/ and templates/; refuses (throws ContentInvalidError) when the content check
 * finds any problem. With a `cacheDir`, content that passed the check is kept there and used as it is
 * while neither the content nor the code has changed (the check, YAML parsing and template precompiling
 * are most of a start's time).
 */
export function loadContent(dirs: ContentDirs, options: { cacheDir?: string | null } = {}): LoadedContent {
  const cacheDir = options.cacheDir === undefined || options.cacheDir === null || options.cacheDir === CONTENT_CACHE_OFF ? null : options.cacheDir;
  const cacheFile = cacheDir === null ? null : checkedContentCacheFile(cacheDir, dirs);
  const cached = cacheFile === null ? undefined : readCachedCheckedContent(cacheFile);
  if (cached !== undefined) return compileCheckedContent(cached, createTemplateEngine());
  const { content, checked, problems } = readContent(dirs);
  if (!content || !checked || problems.length > 0) throw new ContentInvalidError(problems);
  if (cacheFile !== null) writeCachedCheckedContent(cacheFile, checked);
  return content;
}
