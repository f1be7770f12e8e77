/** One problem found in intents/ or templates/, located by file and a path inside it. */
export interface ContentProblem {
  /** The file, relative to the working directory when possible, e.g. `templates/en/clarify.hbs`. */
  file: string;
  /** Where in the file: a YAML path such as `examples.en.3`, or `line 4` in a template; empty for the whole file. */
  path: string;
  message: string;
}

/** Formats a problem as `file › path: message`, the one line the content check prints per problem. */
export function formatContentProblem(problem: ContentProblem): string {
  return problem.path ? `${problem.file} › ${problem.path}: ${problem.message}` : `${problem.file}: ${problem.message}`;
}
