import { afterEach, describe, expect, it } from 'vitest';
import { exportAuditRecords } from '../../src/operations/export-audit-records.js';
import { aConversation, aMessage, anExplanation, aTurn } from '../storage/conversation-store.contract.js';
import { ManualClock, countingIds, startOperationsTestApp, type OperationsTestApp } from './support/operations-test-app.js';

/** Every reason code in the catalogue, restricted ones included. */
const CODES =
  /PAY_OVERDUE_NOW|PAY_LATE_RECENT|PAY_LATE_OTHERS|DEROG_RECORD|INQ_RECENT|MULTI_BORROW|UTIL_HIGH|DTI_HIGH|INCOME_|EMPLOY_SHORT|HISTORY_SHORT|LOW_ACTIVITY|ID_INCOMPLETE|INFO_UNVERIFIED|SEC_VERIFY|REVIEW_COOLDOWN|MODEL_UPDATE|PORTFOLIO_ADJ|MACRO_TIGHTEN|REG_CHANGE|SYS_FAULT|SYS_MAINT|DATA_UNAVAILABLE|FRAUD|AML|LE_HOLD|LIMIT_RAISED/;

async function exported(app: OperationsTestApp, customerId: string, audience: 'customer' | 'compliance'): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  await exportAuditRecords(app.store, { customerId }, audience, (line) => lines.push(line));
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('exportAuditRecords', () => {
  let app: OperationsTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("gives the customer what they were told — the text word for word, the reasons as they read them — and no code, suppressed reason or internal field", async () => {
    app = await startOperationsTestApp({ clock: new ManualClock('2026-06-01T09:00:00.000Z'), ids: countingIds() });
    const drop = await app.say('web:demo-drop', 'demo-drop', 'Why did my credit limit drop?');
    const fraud = await app.say('web:demo-fraud', 'demo-fraud', 'Why did my credit limit drop?');

    const [copy, ...more] = await exported(app, 'demo-drop', 'customer');
    expect(more).toEqual([]);
    expect(Object.keys(copy!).sort()).toEqual(['customerId', 'decisionId', 'locale', 'reasonsShown', 'reviewRequested', 'text', 'time']);
    expect(copy).toMatchObject({ customerId: 'demo-drop', locale: 'en', reviewRequested: false, time: '2026-06-01T09:00:00.000Z' });
    expect(copy!['text']).toBe(drop.replies[0]!.text);
    const reasons = copy!['reasonsShown'] as string[];
    expect(reasons).toHaveLength(4);
    for (const reason of reasons) expect(drop.replies[0]!.text).toContain(reason);
    expect(JSON.stringify(copy)).not.toMatch(CODES);

    // A restricted decision: the customer's copy is the neutral text they saw, and nothing hints at the reason.
    const [neutral] = await exported(app, 'demo-fraud', 'customer');
    expect(neutral!['text']).toBe(fraud.replies[0]!.text);
    expect(neutral!['reasonsShown']).toEqual([]);
    expect(JSON.stringify(neutral)).not.toMatch(CODES);
    expect(JSON.stringify({ ...neutral, customerId: undefined })).not.toMatch(/suppress|restrict|fraud|template|contentVersion/i);
  });

  it('gives compliance every field, suppressed and restricted codes included, with the text the customer saw', async () => {
    app = await startOperationsTestApp({ clock: new ManualClock('2026-06-01T09:00:00.000Z'), ids: countingIds() });
    const drop = await app.say('web:demo-drop', 'demo-drop', 'Why did my credit limit drop?');
    const fraud = await app.say('web:demo-fraud', 'demo-fraud', 'Why did my credit limit drop?');

    const [full] = await exported(app, 'demo-drop', 'compliance');
    expect(full).toMatchObject({ customerId: 'demo-drop', conversationId: 'web:demo-drop', textSource: 'record', text: drop.replies[0]!.text });
    expect(full!['reasonsShown']).toHaveLength(4);
    expect(full!['reasonsSuppressed']).toHaveLength(1);
    expect((full!['reasonTexts'] as string[]).length).toBe(4);
    expect(full!['templateIds']).not.toEqual([]);
    const [restricted] = await exported(app, 'demo-fraud', 'compliance');
    expect(restricted).toMatchObject({ reasonsShown: [], reasonsSuppressed: ['FRAUD_SUSPECT'], text: fraud.replies[0]!.text });
  });

  it('takes the text of a record written before it was kept from the reply of the same turn, while the transcript still has it', async () => {
    app = await startOperationsTestApp();
    const at = '2026-05-01T08:00:00.000Z';
    const later = '2026-05-01T08:05:00.000Z';
    await app.store.saveTurn(
      aTurn('web:old', {
        conversation: aConversation('web:old', { customerId: 'cust-old', createdAt: at, updatedAt: at }),
        messages: [
          aMessage('m1', 'web:old', { author: 'customer', text: 'why did my limit drop', createdAt: at }),
          aMessage('m2', 'web:old', { author: 'bot', text: 'Your limit went down because you use most of it.', createdAt: at }),
          aMessage('m3', 'web:old', { author: 'bot', text: 'A person will review it.', createdAt: at }),
          aMessage('m4', 'web:old', { author: 'bot', text: 'Anything else?', createdAt: later }),
        ],
        explanations: [
          anExplanation('old-1', 'web:old', { customerId: 'cust-old', createdAt: at, text: null, reasonTexts: null }),
          // A turn whose replies retention has already deleted.
          anExplanation('old-2', 'web:old', { customerId: 'cust-old', createdAt: '2026-05-01T08:10:00.000Z', text: null, reasonTexts: null }),
        ],
      }),
    );
    const [first, second] = await exported(app, 'cust-old', 'compliance');
    expect(first).toMatchObject({ text: 'Your limit went down because you use most of it.\n\nA person will review it.', textSource: 'transcript', reasonTexts: null });
    expect(second).toMatchObject({ text: null, textSource: null });
    const [copy] = await exported(app, 'cust-old', 'customer');
    expect(copy).toMatchObject({ text: 'Your limit went down because you use most of it.\n\nA person will review it.', reasonsShown: null });
    expect(JSON.stringify(copy)).not.toContain('FRAUD_SUSPECT');
  });
});
