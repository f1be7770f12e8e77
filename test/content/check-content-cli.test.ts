import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const tsx = 'node_modules/.bin/tsx';

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(tsx, ['src/content/check-content-cli.ts', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('check-content CLI', () => {
  it('exits 0 on the project content', () => {
    const result = runCli([]);
    expect(result.stdout).toContain('content OK');
    expect(result.status).toBe(0);
  });

  it('prints every problem as `file › path: message` and exits 1', () => {
    const result = runCli(['--intents', 'test/content/fixtures/broken/intents', '--templates', 'test/content/fixtures/broken/templates']);
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    expect(lines).toContain('test/content/fixtures/broken/templates/en/clarify.hbs › line 1: unknown field `optionz` (not in this template\'s view model)');
    expect(lines.some((line) => line.startsWith('test/content/fixtures/broken/intents/bad-schema.yaml › id: '))).toBe(true);
    expect(result.stderr).toMatch(new RegExp(`^${lines.length} content problem\\(s\\)`));
  });
});
