import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runAgentConsole } from '../../src/escalation/agent-console.js';
import { CaseService } from '../../src/escalation/case-service.js';
import { StoreDeliveryChannel } from '../../src/escalation/store-delivery-channel.js';
import { redactPii } from '../../src/core/redact-pii.js';
import { createEscalationKit, openTestCase } from './escalation-test-kit.js';

async function runScript(lines: string[], cases: CaseService): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const done = runAgentConsole({ cases, agent: { id: 'console:amy', name: 'Amy' }, input, output });
  input.end(`${lines.join('\n')}\n`);
  await done;
  return text;
}

describe('runAgentConsole', () => {
  it('shows a Chinese transcript with its punctuation as written', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit, { locale: 'zh-CN', customerTexts: ['我的额度为什么降了？请尽快处理，谢谢！备注：“很急”；（今天）'] });
    const out = await runScript([`show ${opened.ref}`], kit.cases);
    expect(out).toContain('customer: 我的额度为什么降了？请尽快处理，谢谢！备注：“很急”；（今天）');
  });

  it('lists, shows, claims, replies, notes and resolves a case, delivering through the store', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit, { customerTexts: ['my email is amy@example.com, why the drop?'] });
    const cases = new CaseService({
      store: kit.store,
      composer: kit.composer,
      customers: new StoreDeliveryChannel(kit.store),
      redactor: { redact: redactPii },
      clock: kit.clock,
      ids: kit.ids,
      unclaimedMinutes: 5,
    });
    const out = await runScript(
      [
        'list',
        `show ${opened.ref}`,
        `claim ${opened.ref.toLowerCase()}`,
        `claim ${opened.ref}`,
        `reply ${opened.ref} Hello, I can help with that`,
        `note ${opened.ref} checked the account`,
        `resolve ${opened.ref}`,
        `bot ${opened.ref}`,
        'reply C-NOPE12 hi',
        'frobnicate',
        'list',
      ],
      cases,
    );
    expect(out).toContain(`${opened.ref}  queued  asked_for_person`);
    expect(out).toContain('reasons: A recent repayment on this line was late.');
    expect(out).not.toContain('amy@example.com');
    expect(out).toContain(`Claimed ${opened.ref}.`);
    expect(out).toContain(`${opened.ref} is already claimed by Amy.`);
    expect(out).toContain(`Sent to ${opened.ref}.`);
    expect(out).toContain(`Noted on ${opened.ref}.`);
    expect(out).toContain(`Resolved ${opened.ref}; the customer is asked for a rating.`);
    expect(out).toContain(`${opened.ref} is resolved; nothing done.`);
    expect(out).toContain('No such case.');
    expect(out).toContain('Unknown command "frobnicate"');
    expect(out.trim().endsWith('No open cases.')).toBe(true);
    const pending = await kit.store.listPendingDeliveries(opened.conversationId);
    expect(pending.map((d) => (d.payload as { event?: string; from: string }).event ?? (d.payload as { from: string }).from)).toEqual(['agent_joined', 'agent', 'resolved']);
    expect(pending.map((d) => (d.payload as { text: string }).text)).not.toContain('note: checked the account');
  });

  it('shows a restricted case without reasons and prints help', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit, { restricted: true });
    const out = await runScript([`show ${opened.ref}`, 'help', 'quit', 'list'], kit.cases);
    expect(out).toContain('[restricted]');
    expect(out).toContain('reasons: not shown (restricted case)');
    expect(out).toContain('note <ref> <text>');
    expect(out.match(/queued/g)).toHaveLength(1);
  });
});
