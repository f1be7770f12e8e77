import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentInvalidError, loadContent } from '../../src/content/load-content.js';
import type { LoadedContent } from '../../src/content/loaded-content.js';
import { LOCALES } from '../../src/core/locale.js';

const folders: string[] = [];

/** A copy of the project's content and an empty cache folder, in a temporary folder of their own. */
function contentCopy() {
  const root = mkdtempSync(join(tmpdir(), 'candor-content-cache-'));
  folders.push(root);
  cpSync('intents', join(root, 'intents'), { recursive: true });
  cpSync('templates', join(root, 'templates'), { recursive: true });
  return { dirs: { intentsDir: join(root, 'intents'), templatesDir: join(root, 'templates') }, cacheDir: join(root, 'cache') };
}

function cacheFiles(cacheDir: string): string[] {
  try {
    return readdirSync(cacheDir);
  } catch {
    return [];
  }
}

/** The anonymous greeting in every locale, for comparing two loads. */
function renderedGreetings(content: LoadedContent): string[] {
  return LOCALES.map((locale) => content.locales[locale].templates.get('greeting/anonymous')?.({}) ?? 'missing');
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('the checked-content cache', () => {
  it('keeps content that passed the check and gives the same content from it on the next start', () => {
    const { dirs, cacheDir } = contentCopy();
    const checked = loadContent(dirs, { cacheDir });
    expect(cacheFiles(cacheDir)).toHaveLength(1);
    const fromCache = loadContent(dirs, { cacheDir });
    expect(fromCache.contentVersion).toBe(checked.contentVersion);
    expect(fromCache.intents).toEqual(checked.intents);
    expect(fromCache.reasons).toEqual(checked.reasons);
    for (const locale of LOCALES) {
      expect([...fromCache.locales[locale].templates.keys()]).toEqual([...checked.locales[locale].templates.keys()]);
      expect(fromCache.locales[locale].categoryLabels).toEqual(checked.locales[locale].categoryLabels);
      expect(fromCache.locales[locale].helpTitles).toEqual(checked.locales[locale].helpTitles);
      expect(fromCache.locales[locale].reasonAliases).toEqual(checked.locales[locale].reasonAliases);
    }
    expect(renderedGreetings(fromCache)).toEqual(renderedGreetings(checked));
  });

  it('uses the cached content while nothing changed: what it holds is what is served', () => {
    const { dirs, cacheDir } = contentCopy();
    loadContent(dirs, { cacheDir });
    const [name] = cacheFiles(cacheDir);
    const file = join(cacheDir, name ?? '');
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { checked: { locales: Record<string, { templateSources: [string, string][] }> } };
    for (const entry of cached.checked.locales.en?.templateSources ?? []) if (entry[0] === 'greeting/anonymous') entry[1] = 'served from the cache';
    writeFileSync(file, JSON.stringify(cached));
    expect(loadContent(dirs, { cacheDir }).locales.en.templates.get('greeting/anonymous')?.({})).toBe('served from the cache');
  });

  it('checks content again once a file changes, so a broken template is refused even with a cache', () => {
    const { dirs, cacheDir } = contentCopy();
    loadContent(dirs, { cacheDir });
    writeFileSync(join(dirs.templatesDir, 'en', 'greeting', 'anonymous.hbs'), 'Hello {{optionz}}');
    expect(() => loadContent(dirs, { cacheDir })).toThrow(ContentInvalidError);
  });

  it('checks content again when the cache file is unreadable, and writes it anew', () => {
    const { dirs, cacheDir } = contentCopy();
    loadContent(dirs, { cacheDir });
    const [name] = cacheFiles(cacheDir);
    writeFileSync(join(cacheDir, name ?? ''), '{"checked": {"intents": [');
    expect(loadContent(dirs, { cacheDir }).intents.length).toBeGreaterThan(10);
    expect(JSON.parse(readFileSync(join(cacheDir, name ?? ''), 'utf8'))).toHaveProperty('checked.locales');
  });

  it('checks content again when the cache file is well-formed JSON but not in shape', () => {
    const { dirs, cacheDir } = contentCopy();
    loadContent(dirs, { cacheDir });
    const [name] = cacheFiles(cacheDir);
    const file = join(cacheDir, name ?? '');
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { checked: { locales: Record<string, { templateSources: unknown }> } };
    for (const locale of Object.values(cached.checked.locales)) locale.templateSources = [['greeting/anonymous', 42]];
    writeFileSync(file, JSON.stringify(cached));
    expect(loadContent(dirs, { cacheDir }).locales.en.templates.get('greeting/anonymous')?.({})).toContain('Candor');
  });

  it('keeps only the cache file of the content as it is: a start after a change removes the earlier one', () => {
    const { dirs, cacheDir } = contentCopy();
    loadContent(dirs, { cacheDir });
    const [first] = cacheFiles(cacheDir);
    writeFileSync(join(dirs.templatesDir, 'en', 'greeting', 'anonymous.hbs'), 'Hello there.');
    loadContent(dirs, { cacheDir });
    const files = cacheFiles(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toBe(first);
  });

  it('writes nothing when the cache is off', () => {
    const { dirs, cacheDir } = contentCopy();
    loadContent(dirs, { cacheDir: 'off' });
    loadContent(dirs);
    expect(cacheFiles(cacheDir)).toEqual([]);
  });
});
