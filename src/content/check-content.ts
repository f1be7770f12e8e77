import type { ContentProblem } from './content-problem.js';
import type { ContentDirs } from './loaded-content.js';
import { readContent } from './read-content.js';

/** Returns every problem in intents/ and templates/ at once; an empty list means the content is valid. */
export function checkContent(dirs: ContentDirs): ContentProblem[] {
  return readContent(dirs).problems;
}
