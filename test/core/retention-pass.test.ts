import { describe, expect, it } from 'vitest';
import type { RetentionPass, RetentionSteps } from '../../src/core/ports/retention-store.js';
import { runPassAtOnce, runPassAwaiting, step } from '../../src/core/retention-pass.js';

/** A pass that deletes messages, then explanations, and reports both counts. */
function* twoDeletions(before: string): RetentionPass<{ messages: number; explanations: number }> {
  const messages = yield* step((s) => s.deleteMessagesBefore(before));
  const explanations = yield* step((s) => s.deleteExplanationsBefore(before));
  return { messages, explanations };
}

function recordingSteps(answer: (name: string) => unknown, calls: string[]): RetentionSteps {
  return new Proxy({} as RetentionSteps, {
    get: (_target, name: string) => (...args: unknown[]) => {
      calls.push(`${name}(${args.join(', ')})`);
      return answer(name);
    },
  });
}

describe('retention passes, written once for both stores', () => {
  it('runs each step in order against steps that answer at once, and returns what the pass builds from their answers', () => {
    const calls: string[] = [];
    const result = runPassAtOnce(twoDeletions('2026-01-01'), recordingSteps((name) => (name === 'deleteMessagesBefore' ? 3 : 5), calls));
    expect(result).toEqual({ messages: 3, explanations: 5 });
    expect(calls).toEqual(['deleteMessagesBefore(2026-01-01)', 'deleteExplanationsBefore(2026-01-01)']);
  });

  it('runs the same pass against steps that answer with promises, one after another', async () => {
    const calls: string[] = [];
    let pending = 0;
    const steps = recordingSteps((name) => {
      expect(pending).toBe(0);
      pending += 1;
      return new Promise((resolve) => setTimeout(() => {
        pending -= 1;
        resolve(name === 'deleteMessagesBefore' ? 7 : 1);
      }, 5));
    }, calls);
    expect(await runPassAwaiting(twoDeletions('2026-02-01'), steps)).toEqual({ messages: 7, explanations: 1 });
    expect(calls).toEqual(['deleteMessagesBefore(2026-02-01)', 'deleteExplanationsBefore(2026-02-01)']);
  });

  it('refuses a step that answers later inside a synchronous pass, instead of committing half of it', () => {
    expect(() => runPassAtOnce(twoDeletions('2026-01-01'), recordingSteps(() => Promise.resolve(1), []))).toThrow(/answered later/);
  });

  it('stops at a failing step: no later step runs', async () => {
    const calls: string[] = [];
    const steps = recordingSteps((name) => {
      if (name === 'deleteMessagesBefore') throw new Error('disk full');
      return 0;
    }, calls);
    expect(() => runPassAtOnce(twoDeletions('2026-01-01'), steps)).toThrow('disk full');
    await expect(runPassAwaiting(twoDeletions('2026-01-01'), steps)).rejects.toThrow('disk full');
    expect(calls).toEqual(['deleteMessagesBefore(2026-01-01)', 'deleteMessagesBefore(2026-01-01)']);
  });
});
