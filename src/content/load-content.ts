import { CandorError } from '../core/candor-error.js';
import { type ContentProblem, formatContentProblem } from './content-problem.js';
import type { ContentDirs, LoadedContent } from './loaded-content.js';
import { readContent } from './read-content.js';

/** Thrown at start-up when content has problems; carries every problem so the caller can print them all. */
export class ContentInvalidError extends CandorError {
  readonly problems: readonly ContentProblem[];

  constructor(problems: readonly ContentProblem[]) {
    super('content_invalid', `content has ${problems.length} problem(s):\n${problems.map(formatContentProblem).join('\n')}`);
    this.name = 'ContentInvalidError';
    this.problems = problems;
  }
}

/** Loads and compiles intents/ and templates/; refuses (throws ContentInvalidError) when the content check finds any problem. */
export function loadContent(dirs: ContentDirs): LoadedContent {
  const { content, problems } = readContent(dirs);
  if (!content || problems.length > 0) throw new ContentInvalidError(problems);
  return content;
}
