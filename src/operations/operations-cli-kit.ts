import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Parses a CLI's arguments, printing the usage and exiting 2 on an unknown or malformed option (and 0 on `--help`). */
export function parseCliArgs<Options extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: Options, usage: string) {
  if (argv.includes('--help')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    process.exit(2);
  }
}

/** Prints a usage problem and exits 2. */
export function exitWithUsage(problem: string, usage: string): never {
  process.stderr.write(`${problem}\n${usage}\n`);
  process.exit(2);
}
