import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConsoleOnlyDesk } from '../../src/escalation/console-only-desk.js';
import type { DeskLocation, DeskOutcome } from '../../src/escalation/escalation-desk.js';
import { OutboxWorker } from '../../src/escalation/outbox-worker.js';
import { exportAuditRecords } from '../../src/operations/export-audit-records.js';
import { forgetCustomer, formatForgetOutcome } from '../../src/operations/forget-customer.js';
import { runRetention, startRetentionTimer } from '../../src/operations/run-retention.js';
import { createEscalationKit, customerSays, openTestCase, waitFor } from '../escalation/escalation-test-kit.js';
import { ESCALATION_CHANNEL, startSlackRig } from '../escalation/slack/slack-test-rig.js';
import { ManualClock, countingIds, startOperationsTestApp, type OperationsTestApp } from './support/operations-test-app.js';

const DAY = 86_400_000;

async function waitForValue<T>(read: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  let value: T | undefined;
  await waitFor(() => (value = read()) !== undefined, timeoutMs, 'a value');
  return value as T;
}
const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'candor-retention-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Real turns in January (old) and in May (recent), with a case whose card went to the desk. */
async function seedWithTurns(app: OperationsTestApp, clock: ManualClock): Promise<void> {
  clock.set('2026-01-10T09:00:00.000Z');
  await app.say('web:demo-drop', 'demo-drop', 'Why did my credit limit drop? my phone is 13800138000');
  await app.say('web:demo-drop', 'demo-drop', 'I want to talk to a human agent please');
  await app.say('anon:old', null, 'what is the best pizza topping');
  await new OutboxWorker({ store: app.store, desk: new ConsoleOnlyDesk(), clock }).runOnce();
  clock.set('2026-05-10T09:00:00.000Z');
  await app.say('web:demo-denied', 'demo-denied', 'Why was my increase denied?');
}

describe('retention and forget on real conversations', () => {
  let app: OperationsTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('anonymises old transcripts, queues the Slack thread deletion, keeps audit records, and changes nothing the second time', async () => {
    const clock = new ManualClock('2026-01-10T09:00:00.000Z');
    app = await startOperationsTestApp({ clock, ids: countingIds() });
    await seedWithTurns(app, clock);
    const auditBefore = await app.store.listExplanations({});
    expect(auditBefore.map((record) => record.customerId)).toEqual(['demo-drop', 'demo-denied']);

    clock.set('2026-05-20T00:00:00.000Z');
    const policy = { transcriptDays: 90, auditDays: 760 };
    const first = await runRetention({ store: app.store, clock, ids: app.candor.ids, policy });
    expect(first.transcriptCutoff).toBe(new Date(Date.parse('2026-05-20T00:00:00.000Z') - 90 * DAY).toISOString());
    expect(first.transcripts).toMatchObject({ conversationsAnonymized: 2, casesScrubbed: 1, casesClosed: 1, threadDeletionsQueued: 1 });
    expect(first.transcripts.messagesDeleted).toBeGreaterThanOrEqual(6);
    expect(first.audit).toEqual({ explanationsDeleted: 0, conversationsDeleted: 0, casesDeleted: 0 });
    expect(await app.store.getConversation('web:demo-drop')).toBeNull();
    expect(await app.store.listMessages('web:demo-drop')).toEqual([]);
    expect((await app.store.listMessages('web:demo-denied')).length).toBe(2);
    const audit = await app.store.listExplanations({});
    expect(audit.map((record) => [record.customerId, record.decisionId, record.codesShown])).toEqual(auditBefore.map((record) => [record.customerId, record.decisionId, record.codesShown]));
    expect(audit[0]!.conversationId).toMatch(/^redacted:/);

    const second = await runRetention({ store: app.store, clock, ids: app.candor.ids, policy });
    expect(second.transcripts).toEqual({ messagesDeleted: 0, conversationsAnonymized: 0, casesScrubbed: 0, casesClosed: 0, threadDeletionsQueued: 0, deliveriesDeleted: 0, eventsDeleted: 0 });

    // The worker removes the thread through the desk; 760 days on, the audit record and the shells go too.
    const deleted: string[] = [];
    /** The console desk, noting which cards it was asked to delete. */
    class RecordingDesk extends ConsoleOnlyDesk {
      override async deleteThread(...args: unknown[]): Promise<DeskOutcome<DeskLocation>> {
        const card = args[0] as DeskLocation;
        deleted.push(`${card.channel}/${card.ts}`);
        return { ok: true, value: card };
      }
    }
    const desk = new RecordingDesk();
    expect(await new OutboxWorker({ store: app.store, desk, clock }).runOnce()).toBe(1);
    expect(deleted).toEqual(['console/0']);
    clock.set('2028-03-01T00:00:00.000Z');
    const late = await runRetention({ store: app.store, clock, ids: app.candor.ids, policy });
    expect(late.audit).toEqual({ explanationsDeleted: 1, conversationsDeleted: 2, casesDeleted: 1 });
    expect((await app.store.listExplanations({})).map((record) => record.customerId)).toEqual(['demo-denied']);
    expect((await runRetention({ store: app.store, clock, ids: app.candor.ids, policy })).audit).toEqual({ explanationsDeleted: 0, conversationsDeleted: 0, casesDeleted: 0 });
  });

  it('closes a purged open case: its card and thread are deleted, nothing is re-pinged or re-posted, and a rerun and a restart change nothing', async () => {
    const rig = await startSlackRig({ unclaimedMinutes: 5 });
    try {
      const opened = await openTestCase(rig, { customerTexts: ['why did my limit drop', 'I want a person'] });
      await customerSays(rig, opened.conversationId, 'hello?');
      const card = await waitForValue(() => rig.stub.topLevel(ESCALATION_CHANNEL).find((m) => m.metadata?.event_payload['case_id'] === opened.id));
      await waitFor(() => rig.stub.thread(ESCALATION_CHANNEL, card.ts).length === 1, 5_000, 'first line');
      // A line still waiting for Slack when retention runs must not go out afterwards.
      rig.stub.setMode('down');
      await customerSays(rig, opened.conversationId, 'anyone?');
      await waitFor(() => rig.stub.calls.some((call) => call.status === 503), 5_000, 'a failed post');

      rig.clock.advance(100 * DAY);
      const policy = { transcriptDays: 90, auditDays: 760 };
      const first = await runRetention({ store: rig.store, clock: rig.clock, ids: rig.ids, policy });
      expect(first.transcripts).toMatchObject({ conversationsAnonymized: 1, casesClosed: 1, threadDeletionsQueued: 1 });
      expect(await rig.cases.checkUnclaimed()).toEqual([]);
      expect(await rig.store.listCases(['queued', 'claimed', 'callback'])).toEqual([]);

      rig.stub.setMode('up');
      await waitFor(() => rig.stub.topLevel(ESCALATION_CHANNEL).length === 0, 5_000, 'card deleted');
      await waitFor(async () => (await rig.store.outboxStats(rig.clock.now().toISOString())).pending === 0, 5_000, 'outbox drained');
      const postsAfterPurge = () => rig.stub.calls.filter((call) => call.method === 'chat.postMessage' && call.status === 200).length;
      const posted = postsAfterPurge();
      expect(posted).toBe(2);
      expect(rig.stub.thread(ESCALATION_CHANNEL, card.ts)).toEqual([]);

      const second = await runRetention({ store: rig.store, clock: rig.clock, ids: rig.ids, policy });
      expect(second.transcripts).toEqual({ messagesDeleted: 0, conversationsAnonymized: 0, casesScrubbed: 0, casesClosed: 0, threadDeletionsQueued: 0, deliveriesDeleted: 0, eventsDeleted: 0 });
      // A restart: a new case service and worker over the same store find nothing to do.
      const restarted = createEscalationKit({ store: rig.store, unclaimedMinutes: 5 });
      restarted.clock.advance(100 * DAY);
      expect(await restarted.cases.checkUnclaimed()).toEqual([]);
      expect(await new OutboxWorker({ store: rig.store, desk: rig.slack.desk, clock: restarted.clock }).runOnce()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(postsAfterPurge()).toBe(posted);
      expect(rig.stub.topLevel(ESCALATION_CHANNEL)).toEqual([]);
    } finally {
      await rig.close();
    }
  });

  it('forgets a customer, saying what it kept and why, and a second run removes nothing more', async () => {
    const clock = new ManualClock('2026-01-10T09:00:00.000Z');
    app = await startOperationsTestApp({ clock, ids: countingIds() });
    await seedWithTurns(app, clock);
    clock.set('2026-05-21T00:00:00.000Z');
    const first = await forgetCustomer({ store: app.store, clock, ids: app.candor.ids, auditDays: 760, customerId: 'demo-drop' });
    expect(first.result).toMatchObject({ conversationsFound: 1, conversationsAnonymized: 1, casesScrubbed: 1, threadDeletionsQueued: 1, keptConversations: 1, casesAwaitingThreadDeletion: 1 });
    expect(first.result.keptExplanations.map((record) => record.customerId)).toEqual(['demo-drop']);
    expect(first.kept[0]).toMatch(/kept until 2028-02-09 — AUDIT_RETENTION_DAYS=760/);
    const text = formatForgetOutcome(first);
    expect(text).toContain('Kept:');
    expect(text).toContain('waiting for their Slack card and thread to be deleted');
    expect(await app.store.getConversation('web:demo-drop')).toBeNull();
    expect((await app.store.listMessages('web:demo-denied')).length).toBe(2);

    const second = await forgetCustomer({ store: app.store, clock, ids: app.candor.ids, auditDays: 760, customerId: 'demo-drop' });
    expect(second.result).toMatchObject({ conversationsFound: 1, conversationsAnonymized: 0, messagesDeleted: 0, casesScrubbed: 0, threadDeletionsQueued: 0, explanationsDeleted: 0 });
    expect(second.result.keptExplanations).toHaveLength(1);

    const lines: string[] = [];
    expect(await exportAuditRecords(app.store, { customerId: 'demo-drop' }, 'compliance', (line) => lines.push(line))).toBe(1);
    const exported = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(exported).sort()).toEqual([
      'contentVersion', 'conversationId', 'customerId', 'decisionId', 'locale', 'reasonTexts', 'reasonsShown', 'reasonsSuppressed', 'recordId', 'reviewRequested', 'templateIds', 'text', 'textSource', 'time',
    ]);
    expect(exported).toMatchObject({ customerId: 'demo-drop', reasonsShown: ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE'], time: '2026-01-10T09:00:00.000Z', textSource: 'record' });
    // The transcript is gone, but what the customer was told is kept with the audit record.
    expect(exported['text']).toContain('CN¥8,000');
  });

  it('runs on a timer, one run at a time, and not at all with an interval of 0', async () => {
    let runs = 0;
    const timer = startRetentionTimer({ run: async () => void (runs += 1), intervalHours: 0.00001, initialDelayMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await timer.stop();
    const counted = runs;
    expect(counted).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs).toBe(counted);
    let never = 0;
    const off = startRetentionTimer({ run: async () => void (never += 1), intervalHours: 0, initialDelayMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await off.stop();
    expect(never).toBe(0);
  });

  it('runs the audit:export, forget and retention CLIs against a database file', async () => {
    const sqlitePath = join(root, 'cli.sqlite');
    const clock = new ManualClock('2026-01-10T09:00:00.000Z');
    const seeded = await startOperationsTestApp({ env: { SQLITE_PATH: sqlitePath }, clock, ids: countingIds() });
    await seedWithTurns(seeded, clock);
    await seeded.close();
    const env = { ...process.env, SQLITE_PATH: sqlitePath, LOG_LEVEL: 'silent' };
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const exported = await run(tsx, ['src/operations/audit-export-cli.ts', '--for', 'compliance', '--from', '2026-01-01', '--to', '2026-12-31'], { env });
    expect(exported.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { customerId: string }).customerId)).toEqual(['demo-drop', 'demo-denied']);
    // The default is the customer's copy, which is for one customer: a period needs --for compliance.
    await expect(run(tsx, ['src/operations/audit-export-cli.ts', '--from', '2026-01-01', '--to', '2026-12-31'], { env })).rejects.toMatchObject({ code: 2 });
    const copy = await run(tsx, ['src/operations/audit-export-cli.ts', '--customer', 'demo-drop'], { env });
    const copyLine = JSON.parse(copy.stdout.trim()) as Record<string, unknown>;
    expect(Object.keys(copyLine).sort()).toEqual(['customerId', 'decisionId', 'locale', 'reasonsShown', 'reviewRequested', 'text', 'time']);
    expect(copy.stdout).not.toMatch(/PAY_LATE_RECENT|MODEL_UPDATE|templateIds|contentVersion/);
    const forgot = await run(tsx, ['src/operations/forget-cli.ts', '--customer', 'demo-drop'], { env });
    expect(forgot.stdout).toMatch(/Customer demo-drop: 1 conversation\(s\) found\.\nRemoved: \d+ messages/);
    expect(forgot.stdout).toContain('AUDIT_RETENTION_DAYS=760');
    const again = await run(tsx, ['src/operations/forget-cli.ts', '--customer', 'demo-drop', '--json'], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ conversationsAnonymized: 0, messagesDeleted: 0, threadDeletionsQueued: 0 });
    const retention = await run(tsx, ['src/operations/retention-cli.ts', '--json'], { env });
    expect(JSON.parse(retention.stdout)).toMatchObject({ transcripts: { conversationsAnonymized: expect.any(Number) }, audit: { explanationsDeleted: 0 } });
    await expect(run(tsx, ['src/operations/audit-export-cli.ts'], { env })).rejects.toMatchObject({ code: 2 });
  }, 60_000);
});
