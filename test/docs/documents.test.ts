import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readSettingsReference } from '../../src/config/settings-reference.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** The documents whose commands, settings, paths and tests are checked (the changelog is history, so it is left out). */
const DOCUMENTS = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** Upper-case names the documents use that are not settings or reason codes, each checked to exist in the code. */
const OTHER_NAMES: Record<string, string> = {
  TEST_DATABASE_URL: 'test/support/postgres-test-database.ts',
  NLU_MODEL_VERSION: 'src/nlu/load-or-train-project-classifier.ts',
  DATASET_CLASSIFIER_OPTIONS: 'src/nlu/eval-nlu-cli.ts',
  LIBRARY_HOMES: 'test/architecture/folder-imports.test.ts',
  KNOWN_BREACHES: 'test/architecture/folder-imports.test.ts',
  LOCALES: 'src/core/locale.ts',
  HISTORY_LIMIT: 'src/channels/web/chat-frames.ts',
};

/** The text of every fenced code block of a Markdown document. */
export function fencedBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^\s*```[^\n]*\n([\s\S]*?)^\s*```/gm)].map((match) => match[1]!);
}

/** The npm scripts a text runs with `npm run <name>`. */
export function npmRunScripts(text: string): string[] {
  return [...text.matchAll(/npm run(?: -s)? ([\w:-]+)/g)].map((match) => match[1]!);
}

const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
const fencedScripts = [...new Set(DOCUMENTS.flatMap((file) => fencedBlocks(read(file)).flatMap(npmRunScripts)))].sort();

describe('the documents', () => {
  it('keep the README to a page a newcomer reads (at most 250 lines)', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250);
  });

  it('name in fenced blocks only npm scripts that exist', () => {
    expect(fencedScripts.length).toBeGreaterThan(8);
    expect(fencedScripts.filter((name) => !(name in scripts))).toEqual([]);
  });

  it('name only npm scripts that exist, fenced or not', () => {
    const named = new Set(DOCUMENTS.flatMap((file) => npmRunScripts(read(file))));
    expect([...named].filter((name) => !(name in scripts))).toEqual([]);
  });

  // Concurrently: the CLIs that build the whole application take a few seconds each to start.
  it.concurrent.each(fencedScripts)('npm run %s -- --help exits 0 and prints a usage', async (name) => {
    const { stdout } = await run('npm', ['run', '-s', name, '--', '--help'], { cwd: root, timeout: 120_000, env: { ...process.env, LOG_LEVEL: 'silent' } });
    expect(stdout.toLowerCase()).toMatch(/usage|--help/);
  }, 120_000);

  it('name only settings, reason codes and identifiers that exist', () => {
    const settings = readSettingsReference(root).flatMap((slice) => slice.settings.map((setting) => setting.name));
    const catalogue = parse(read('templates/reasons.yaml')) as { reasons: { code: string }[] };
    const known = new Set([...settings, ...catalogue.reasons.map((reason) => reason.code)]);
    expect(known).toContain('MODEL_UPDATE');
    for (const [name, file] of Object.entries(OTHER_NAMES)) {
      expect(read(file), `${name} in ${file}`).toContain(name);
      known.add(name);
    }
    const unknown: string[] = [];
    for (const file of DOCUMENTS) {
      for (const match of read(file).matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b(_\*)?/g)) {
        const name = match[0].replace(/_\*$/, '');
        const isPrefix = match[1] !== undefined;
        const exists = isPrefix ? [...known].some((setting) => setting.startsWith(`${name}_`)) : known.has(name);
        if (!exists) unknown.push(`${file}: ${match[0]}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('name only files that exist', () => {
    const missing: string[] = [];
    for (const file of DOCUMENTS) {
      for (const match of read(file).matchAll(/`((?:src|test|docs|intents|templates|fixtures)\/[^`\s]+)`/g)) {
        const path = match[1]!;
        if (/[<>*…{]/.test(path)) continue;
        if (!existsSync(join(root, path))) missing.push(`${file}: ${path}`);
      }
      for (const match of read(file).matchAll(/\]\(((?!https?:|#)[^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (!existsSync(resolve(root, dirname(file), match[1]!))) missing.push(`${file}: link ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('name only tests that exist, by file and name', () => {
    const missing: string[] = [];
    let count = 0;
    for (const file of DOCUMENTS) {
      for (const match of read(file).matchAll(/`(test\/[^`]+\.ts)` › ((?:"[^"]+"\s*)+)/g)) {
        const source = existsSync(join(root, match[1]!)) ? read(match[1]!) : '';
        for (const name of [...match[2]!.matchAll(/"([^"]+)"/g)].map((quoted) => quoted[1]!)) {
          count += 1;
          if (!source.includes(name)) missing.push(`${file}: ${match[1]} › "${name}"`);
        }
      }
    }
    expect(count).toBeGreaterThan(25);
    expect(missing).toEqual([]);
  });
});

describe('the checkers', () => {
  it('find npm scripts in fenced blocks only', () => {
    const markdown = 'Run `npm run inline` here.\n\n```sh\nnpm run check:content\nDATABASE_URL=x npm run db:copy-sqlite-to-postgres -- --from a\n```\n';
    expect(fencedBlocks(markdown).flatMap(npmRunScripts)).toEqual(['check:content', 'db:copy-sqlite-to-postgres']);
  });
});
