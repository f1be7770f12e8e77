import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChatSession, type ChatJsonLine } from '../../../src/channels/cli/run-chat-session.js';
import type { Locale } from '../../../src/core/locale.js';
import type { Candor } from '../../../src/main.js';
import { buildTestCandor } from '../../support/build-test-candor.js';

let candor: Candor;
beforeAll(async () => {
  candor = await buildTestCandor();
});
afterAll(async () => {
  await candor.close();
});

let sessions = 0;
async function chat(lines: string[], options: { customerId: string | null; locale?: Locale; json: boolean }): Promise<string[]> {
  sessions += 1;
  const input = new PassThrough();
  const output = new PassThrough();
  const written: string[] = [];
  output.on('data', (chunk: Buffer) => written.push(chunk.toString('utf8')));
  input.end(`${lines.join('\n')}\n`);
  await runChatSession({
    turns: candor.turns,
    customerId: options.customerId,
    locale: options.locale ?? 'en',
    conversationId: `cli-test:${sessions}`,
    json: options.json,
    input,
    output,
  });
  return written.join('').split('\n').filter((line) => line !== '');
}

describe('runChatSession --json', () => {
  it('prints one object per reply with the customer line it answers and what it does', async () => {
    const printed = await chat(['why did my limit drop', 'what about the second reason?', 'what do I do now'], { customerId: 'demo-drop', json: true });
    const replies = printed.map((line) => JSON.parse(line) as ChatJsonLine);
    expect(replies.map((reply) => [reply.inReplyTo, reply.act, reply.intent])).toEqual([
      [1, 'answer', 'limit.why_dropped'],
      [2, 'answer', 'limit.reason_detail'],
      [3, 'answer', 'limit.what_to_do'],
    ]);
    expect(replies.map((reply) => reply.reasonsShown)).toEqual([
      ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE'],
      ['INQ_RECENT'],
      ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE'],
    ]);
    for (const reply of replies) expect(Object.keys(reply).sort()).toEqual(['act', 'confidence', 'from', 'inReplyTo', 'intent', 'links', 'reasonsShown', 'state', 'suggestions', 'text'].sort());
  });

  it('carries a clarifying question\'s choices in suggestions', async () => {
    const [reply] = (await chat(['what about the second reason?'], { customerId: 'demo-drop', json: true })).map((line) => JSON.parse(line) as ChatJsonLine);
    expect(reply).toMatchObject({ inReplyTo: 1, act: 'clarify', intent: 'limit.reason_detail', reasonsShown: [] });
    expect(reply?.suggestions).toEqual(['Why my limit dropped', 'Why my increase was refused', 'My account is frozen']);
  });
});

describe('runChatSession in a terminal', () => {
  it('numbers a clarifying question\'s choices, and typing a number picks one', async () => {
    const printed = await chat(['what about the second reason?', '1'], { customerId: 'demo-drop', json: false });
    const text = printed.join('\n');
    expect(text).toContain('  1. Why my limit dropped');
    expect(text).toContain('  2. Why my increase was refused');
    // "1" picked the first choice: the explanation of the drop, with its reasons.
    expect(text.slice(text.indexOf('  3. '))).toContain('repayments on this credit line were made late');
  });
});
