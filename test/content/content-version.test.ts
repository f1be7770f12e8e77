import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeContentVersion, listFiles } from '../../src/content/content-version.js';

describe('computeContentVersion', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is a short sha256 that changes with any file in intents/ or templates/, and only then', () => {
    dir = mkdtempSync(join(tmpdir(), 'candor-version-'));
    cpSync('intents', join(dir, 'intents'), { recursive: true });
    cpSync('templates', join(dir, 'templates'), { recursive: true });
    const dirs = { intentsDir: join(dir, 'intents'), templatesDir: join(dir, 'templates') };
    const first = computeContentVersion(dirs);
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect(computeContentVersion(dirs)).toBe(first);
    expect(computeContentVersion({ intentsDir: 'intents', templatesDir: 'templates' })).toBe(first);
    writeFileSync(join(dirs.templatesDir, 'en', 'thanks.hbs'), 'You are welcome.\n');
    const second = computeContentVersion(dirs);
    expect(second).not.toBe(first);
    writeFileSync(join(dirs.intentsDir, 'extra.yaml'), 'x: 1\n');
    expect(computeContentVersion(dirs)).not.toBe(second);
  });

  it('lists nested files with forward slashes, sorted', () => {
    const files = listFiles('templates');
    expect(files).toContain('en/explanation/changed/decrease.hbs');
    expect(files).toEqual([...files].sort());
  });
});
