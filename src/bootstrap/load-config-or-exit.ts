import { loadConfig, type CandorConfig } from '../config/load-config.js';

/** Reads the environment, printing every problem and exiting 1 when a setting is invalid. */
export function loadConfigOrExit(options: { quiet?: boolean } = {}): CandorConfig {
  const result = loadConfig();
  if (!result.ok) {
    process.stderr.write(`Candor cannot start: invalid settings\n${result.problems}\n`);
    process.exit(1);
  }
  if (options.quiet && process.env.LOG_LEVEL === undefined) result.config.app.LOG_LEVEL = 'warn';
  return result.config;
}
