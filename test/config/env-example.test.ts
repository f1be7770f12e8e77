import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appConfigSchema } from '../../src/config/app-config.js';
import { contentConfigSchema } from '../../src/config/content-config.js';
import { decisionsConfigSchema } from '../../src/config/decisions-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { nluConfigSchema } from '../../src/config/nlu-config.js';
import { operationsConfigSchema } from '../../src/config/operations-config.js';
import { slackConfigSchema } from '../../src/config/slack-config.js';
import { storageConfigSchema } from '../../src/config/storage-config.js';
import { webConfigSchema } from '../../src/config/web-config.js';

const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const exampleEnv = Object.fromEntries(
  example.split('\n').flatMap((line) => {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    return match ? [[match[1]!, match[2]!]] : [];
  }),
);

describe('.env.example', () => {
  it('lists every variable of every config slice', () => {
    const schemas = [appConfigSchema, contentConfigSchema, decisionsConfigSchema, nluConfigSchema, operationsConfigSchema, slackConfigSchema, storageConfigSchema, webConfigSchema];
    const variables = schemas.flatMap((schema) => Object.keys(schema.shape));
    expect(variables.length).toBeGreaterThan(50);
    expect(variables.filter((name) => !(name in exampleEnv))).toEqual([]);
  });

  it('parses as it stands, so copying it never breaks start-up', () => {
    const result = loadConfig(exampleEnv);
    expect(result.ok ? 'ok' : result.problems).toBe('ok');
  });

  it('reports every bad value at once', () => {
    const result = loadConfig({ PORT: 'eighty', DECISION_ENGINE_URL: 'ftp://engine', CHAT_TOKEN_SECRET: 'short' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toContain('PORT');
      expect(result.problems).toContain('DECISION_ENGINE_URL');
      expect(result.problems).toContain('CHAT_TOKEN_SECRET');
    }
  });
});
