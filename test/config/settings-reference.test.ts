import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_SLICES } from '../../src/config/load-config.js';
import {
  SETTINGS_BEGIN,
  SETTINGS_END,
  commentAbove,
  readSettingsReference,
  renderSettingsReference,
  replaceSettingsBlock,
} from '../../src/config/settings-reference.js';

const root = resolve(import.meta.dirname, '../..');

describe('the settings table of docs/operations.md', () => {
  it('is what npm run docs:settings generates from the schemas today (run it after adding or changing a setting)', () => {
    const document = readFileSync(resolve(root, 'docs/operations.md'), 'utf8');
    const generated = renderSettingsReference(readSettingsReference(root));
    const current = document.slice(document.indexOf(SETTINGS_BEGIN), document.indexOf(SETTINGS_END) + SETTINGS_END.length);
    expect(current).toBe(generated);
  });

  it('covers every config slice file in src/config/', () => {
    const files = readdirSync(resolve(root, 'src/config')).filter((name) => name.endsWith('-config.ts') && name !== 'load-config.ts');
    expect(files.sort()).toEqual(Object.keys(CONFIG_SLICES).map((slice) => `${slice}-config.ts`).sort());
  });

  it('lists every setting once, each with a meaning', () => {
    const settings = readSettingsReference(root).flatMap((slice) => slice.settings);
    const names = settings.map((setting) => setting.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('DATABASE_URL');
    expect(settings.find((setting) => setting.name === 'CHAT_RATE_BURST')).toEqual({
      name: 'CHAT_RATE_BURST',
      defaultValue: '10',
      meaning: 'Frames a connection may send in a burst before it is rate-limited.',
    });
    expect(settings.find((setting) => setting.name === 'DECISION_ENGINE_URL')?.defaultValue).toBeUndefined();
  });
});

describe('commentAbove', () => {
  const source = `z.object({
  /**
   * First line,
   * second line.
   */
  ALPHA: z.string(),
  BETA: z.string(),
  /** Gamma. */ GAMMA: z.string(),
});`;

  it('joins a multi-line TSDoc comment into one line', () => {
    expect(commentAbove(source, 'ALPHA')).toBe('First line, second line.');
    expect(commentAbove(source, 'GAMMA')).toBe('Gamma.');
  });

  it('never borrows the comment of the setting above', () => {
    expect(commentAbove(source, 'BETA')).toBe('');
  });
});

describe('replaceSettingsBlock', () => {
  it('replaces only what lies between the markers', () => {
    const text = `before\n${SETTINGS_BEGIN}\nold\n${SETTINGS_END}\nafter`;
    expect(replaceSettingsBlock(text, `${SETTINGS_BEGIN}\nnew\n${SETTINGS_END}`)).toBe(`before\n${SETTINGS_BEGIN}\nnew\n${SETTINGS_END}\nafter`);
  });
});
