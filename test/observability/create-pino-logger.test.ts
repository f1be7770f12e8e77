import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createPinoLogger, redactLogText, sanitizeLogFields } from '../../src/observability/create-pino-logger.js';
import { startOperationsTestApp } from '../operations/support/operations-test-app.js';

/** A destination that keeps every line pino writes. */
function captureStream(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((line) => line !== '') };
}

const RESIDENT_ID = '11010519491231002X';
const CARD = '4111 1111 1111 1111';
const PHONE = '13800138000';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vLWRyb3AifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const SLACK_TOKEN = 'xoxb-1111-2222-abcdefghijkl';
const SECRETS = { CHAT_TOKEN_SECRET: 'chat-secret-0123456789-abcdefghij-XYZ', CUSTOMER_REF_SECRET: 'ref-secret-0123456789' };
/** Every form the personal data may take once normalised or de-spaced. */
const PII = [RESIDENT_ID, CARD, CARD.replace(/ /g, ''), PHONE];

const root = mkdtempSync(join(tmpdir(), 'candor-logs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('createPinoLogger on real turns', () => {
  it('never writes ID numbers, cards, phones, tokens or secrets, puts the conversation id on turn lines, and keeps customer text to debug', async () => {
    for (const level of ['debug', 'info'] as const) {
      const capture = captureStream();
      const sqlitePath = join(root, `${level}.sqlite`);
      const app = await startOperationsTestApp({
        env: { SQLITE_PATH: sqlitePath, ...SECRETS },
        logger: createPinoLogger({ level, destination: capture.stream }),
      });
      const said = [
        `My ID is ${RESIDENT_ID}, card ${CARD}, phone ${PHONE} — why did my limit drop?`,
        `here is my token ${JWT} and ${SLACK_TOKEN}, call ${PHONE}`,
        `I want a person now, my id ${RESIDENT_ID}`,
      ];
      for (const text of said) await app.say('web:demo-drop', 'demo-drop', text);
      await app.say('anon:9', null, `pizza ${CARD}`);
      // Adapters log errors whose messages and causes may carry data; the logger must clean those too.
      app.candor.logger.error(
        { conversationId: 'web:demo-drop', token: JWT, customerId: 'demo-drop', databaseUrl: 'postgres://candor:pw-123@db/candor', err: new Error(`engine said ${PHONE} with Bearer ${JWT}`, { cause: new Error(`card ${CARD}`) }) },
        `failed for ${RESIDENT_ID}`,
      );
      await app.close();

      const lines = capture.lines();
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) {
        for (const value of [...PII, JWT, SLACK_TOKEN, 'pw-123', '":"demo-drop"', SECRETS.CHAT_TOKEN_SECRET, SECRETS.CUSTOMER_REF_SECRET]) {
          expect(line, `${level} line leaks ${value}`).not.toContain(value);
        }
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry['msg'] === 'turn handled' || entry['msg'] === 'customer message') expect(entry['conversationId']).toMatch(/^(web|anon):/);
        if (entry['level'] !== 'debug') expect(JSON.stringify(entry['text'] ?? '[omitted]')).toBe('"[omitted]"');
      }
      const turnLines = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['msg'] === 'turn handled');
      expect(turnLines).toHaveLength(4);
      const customerLines = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['msg'] === 'customer message');
      if (level === 'debug') {
        expect(customerLines).toHaveLength(4);
        expect(customerLines[0]!['text']).toBe('My ID is [ID], card [CARD], phone [PHONE] — why did my limit drop?');
        expect(customerLines[1]!['text']).toBe('here is my token [credential] and [credential], call [PHONE]');
      } else {
        expect(customerLines).toHaveLength(0);
      }

      // Every stored row of every table: no ID number, card or phone.
      const db = new Database(sqlitePath, { readonly: true });
      try {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
        let rows = 0;
        for (const table of tables) {
          for (const row of db.prepare(`SELECT * FROM "${table}"`).all()) {
            rows += 1;
            const json = JSON.stringify(row);
            for (const value of PII) expect(json, `${table} row leaks ${value}`).not.toContain(value);
          }
        }
        expect(rows).toBeGreaterThan(10);
      } finally {
        db.close();
      }
    }
  });
});

describe('sanitizeLogFields and redactLogText', () => {
  it('blanks secret fields at any depth, keeps ids, and cleans error chains', () => {
    const cleaned = sanitizeLogFields(
      { caseId: 'k1', nested: { apiKey: 'k', Authorization: 'Bearer x', list: [{ phone: PHONE }, `call ${PHONE}`] }, text: 'hi', err: new Error(`x ${CARD}`) },
      'warn',
    );
    expect(cleaned).toMatchObject({ caseId: 'k1', nested: { apiKey: '[redacted]', Authorization: '[redacted]', list: [{ phone: '[redacted]' }, 'call [PHONE]'] }, text: '[omitted]' });
    expect((cleaned['err'] as { message: string }).message).toBe('x [CARD]');
    expect(sanitizeLogFields({ text: `call ${PHONE}` }, 'debug')).toEqual({ text: 'call [PHONE]' });
    expect(redactLogText(`postgres://u:secret@h/db Basic dXNlcjpwYXNzd29yZA== ${SLACK_TOKEN}`)).toBe('postgres://u:[credential]@h/db Basic [credential] [credential]');
  });

  it('stamps every line with the current time as an ISO instant, also lines written in the same millisecond', async () => {
    const capture = captureStream();
    const logger = createPinoLogger({ level: 'info', destination: capture.stream });
    const before = Date.now();
    for (let i = 0; i < 50; i += 1) logger.info({ i }, 'line');
    await new Promise((resolve) => setTimeout(resolve, 5));
    logger.info({ i: 50 }, 'line');
    const after = Date.now();
    const times = capture.lines().map((line) => (JSON.parse(line) as { time: string }).time);
    expect(times).toHaveLength(51);
    for (const time of times) {
      expect(time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(time)).toBeLessThanOrEqual(after);
    }
    expect(Date.parse(times.at(-1)!)).toBeGreaterThan(Date.parse(times[0]!));
  });

  it('redacts a repeated string every time it is logged (short strings are remembered per logger), and a cyclic object ends', () => {
    const capture = captureStream();
    const logger = createPinoLogger({ level: 'info', destination: capture.stream });
    const conversationId = `web:${PHONE}`;
    for (let i = 0; i < 3; i += 1) logger.info({ conversationId, note: `card ${CARD}`, intent: 'limit.current' }, `turn for ${JWT}`);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    logger.info({ cyclic }, 'cyclic');
    const lines = capture.lines();
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(0, 3)) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed).toMatchObject({ conversationId: 'web:[PHONE]', note: 'card [CARD]', intent: 'limit.current', msg: 'turn for [credential]' });
    }
    for (const secret of [...PII, JWT]) expect(lines.join('\n')).not.toContain(secret);
    expect(lines[3]).toContain('[…]');
  });

  it('keeps pino\'s path redaction on the raw pino logger handed out for direct use', () => {
    const capture = captureStream();
    const logger = createPinoLogger({ level: 'info', destination: capture.stream });
    logger.pino.info({ customerId: 'cust-secret-id', token: 'tok-secret', headers: { authorization: 'Bearer abcdefghijk' } }, 'raw');
    const line = JSON.parse(capture.lines()[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ customerId: '[redacted]', token: '[redacted]', headers: { authorization: '[redacted]' } });
  });
});
