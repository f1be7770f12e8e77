import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { CandorError } from '../core/candor-error.js';
import { CONFIG_SLICES } from './load-config.js';

/** One environment variable as the operations guide lists it. */
export interface SettingReference {
  name: string;
  /** The default as it would be written in the environment, or undefined when there is none. */
  defaultValue: string | undefined;
  /** The first sentence(s) of the TSDoc comment above the setting in its schema. */
  meaning: string;
}

/** The settings of one config slice and the file that defines them. */
export interface SliceReference {
  slice: string;
  file: string;
  settings: SettingReference[];
}

/** The lines that mark the generated table in a Markdown file. */
export const SETTINGS_BEGIN = '<!-- settings:begin — generated from src/config/ by `npm run docs:settings`; do not edit by hand -->';
export const SETTINGS_END = '<!-- settings:end -->';

const SLICE_TITLES: Record<string, string> = {
  app: 'Process',
  content: 'Content',
  nlu: 'Understanding (NLU)',
  decisions: 'Decision engine',
  storage: 'Storage',
  web: 'Web chat',
  slack: 'Slack and escalation',
  operations: 'Operations',
};

/** The default of a setting, found by walking its schema's wrappers (preprocess, pipe, optional, default). */
function defaultOf(schema: z.ZodType): unknown {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === 'default') return def.defaultValue;
  for (const key of ['in', 'out', 'innerType']) {
    const inner = def[key] as z.ZodType | undefined;
    if (inner === undefined) continue;
    const found = defaultOf(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}

function formatDefault(value: unknown): string | undefined {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The TSDoc comment directly above `NAME:` in a schema's source, as one line; empty when there is none. */
export function commentAbove(source: string, name: string): string {
  const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${name}\\s*:`).exec(source);
  if (match === null) return '';
  return match[1]!
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, '').trim())
    .filter((line) => line !== '')
    .join(' ');
}

/** Every setting of every config slice with its default and meaning, read from the schemas and their comments. */
export function readSettingsReference(projectRoot: string): SliceReference[] {
  const missing: string[] = [];
  const slices = Object.entries(CONFIG_SLICES).map(([slice, schema]) => {
    const file = `src/config/${slice}-config.ts`;
    const source = readFileSync(join(projectRoot, file), 'utf8');
    const settings = Object.entries((schema as unknown as z.ZodObject).shape).map(([name, setting]) => {
      const meaning = commentAbove(source, name);
      if (meaning === '') missing.push(`${file}: ${name} has no TSDoc comment saying what it means`);
      return { name, defaultValue: formatDefault(defaultOf(setting as z.ZodType)), meaning };
    });
    return { slice, file, settings };
  });
  if (missing.length > 0) throw new CandorError('config_invalid', missing.join('\n'));
  return slices;
}

const escapeCell = (text: string): string => text.replaceAll('|', '\\|');

/** The generated Markdown block: one table per slice, between the begin and end markers. */
export function renderSettingsReference(slices: readonly SliceReference[]): string {
  const lines = [SETTINGS_BEGIN];
  for (const { slice, file, settings } of slices) {
    lines.push('', `#### ${SLICE_TITLES[slice] ?? slice} (\`${file}\`)`, '', '| variable | default | meaning |', '|---|---|---|');
    for (const setting of settings) {
      const fallback = setting.defaultValue === undefined ? '—' : `\`${escapeCell(setting.defaultValue)}\``;
      lines.push(`| \`${setting.name}\` | ${fallback} | ${escapeCell(setting.meaning)} |`);
    }
  }
  lines.push('', SETTINGS_END);
  return lines.join('\n');
}

/** Replaces the generated block of a Markdown text (between the markers) with `block`. */
export function replaceSettingsBlock(markdown: string, block: string): string {
  const begin = markdown.indexOf(SETTINGS_BEGIN);
  const end = markdown.indexOf(SETTINGS_END);
  if (begin < 0 || end < begin) throw new CandorError('config_invalid', 'the document has no settings markers');
  return markdown.slice(0, begin) + block + markdown.slice(end + SETTINGS_END.length);
}
