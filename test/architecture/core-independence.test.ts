import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const coreDir = join(root, 'src/core');

function listSourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listSourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) specifiers.push((match[1] ?? match[2] ?? match[3])!);
  return specifiers;
}

describe('src/core is framework-free', () => {
  const files = listSourceFiles(coreDir);

  it('has source files to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((file) => [relative(root, file), file]))('%s imports only core/ and zod', (_name, file) => {
    const offending = importsOf(readFileSync(file, 'utf8')).filter((specifier) => {
      if (specifier === 'zod') return false;
      if (specifier.startsWith('.')) return !resolve(join(file, '..'), specifier).startsWith(coreDir);
      return true;
    });
    expect(offending).toEqual([]);
  });

  it('the checker itself catches a forbidden import', () => {
    expect(importsOf("import { App } from '@slack/bolt';\nimport type { X } from '../storage/x.js';")).toEqual([
      '@slack/bolt',
      '../storage/x.js',
    ]);
  });
});
