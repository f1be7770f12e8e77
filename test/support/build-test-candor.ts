import { loadConfig, type CandorConfig } from '../../src/config/load-config.js';
import { buildCandor, type Candor, type CandorOverrides } from '../../src/main.js';
import { silentLogger } from '../../src/core/ports/logger.js';

/** Parses a test config: in-memory SQLite, the shared NLU cache, quiet logs, plus the given settings. */
export function testConfig(env: Record<string, string> = {}): CandorConfig {
  const result = loadConfig({ SQLITE_PATH: ':memory:', LOG_LEVEL: 'silent', NODE_ENV: 'test', ...env });
  if (!result.ok) throw new Error(result.problems);
  return result.config;
}

/** Builds the real Candor on embedded defaults for a test (in-memory SQLite, silent logger). */
export function buildTestCandor(env: Record<string, string> = {}, overrides: CandorOverrides = {}): Promise<Candor> {
  return buildCandor(testConfig(env), { logger: silentLogger, ...overrides });
}
