import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CustomerDecisionsSchema } from '../../src/core/decision.js';

describe('npm run engine:demo (reference engine CLI)', () => {
  it('prints its URL, serves the contract with the flags given, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/decisions/reference-engine-cli.ts', '--port', '0', '--token', 'cli-secret', '--fail-first', '1', '--error-status', '503'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      expect(output).toContain('bearer token: required');
      expect(output).not.toContain('cli-secret');
      const path = `${url}/v1/customers/demo-drop/limit-decisions`;
      const headers = { authorization: 'Bearer cli-secret' };
      expect((await fetch(path)).status).toBe(401);
      expect((await fetch(path, { headers })).status).toBe(503);
      const ok = await fetch(path, { headers });
      expect(ok.status).toBe(200);
      expect(CustomerDecisionsSchema.parse(await ok.json()).customerId).toBe('demo-drop');
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses an unknown flag with usage and exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/decisions/reference-engine-cli.ts', '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: npm run engine:demo');
  });
});
