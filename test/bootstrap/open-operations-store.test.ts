import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { newConversation } from '../../src/core/conversation.js';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'candor-bootstrap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('openOperationsStore: the operations commands open the store without building the bot', () => {
  it('runs the report and retention CLIs with no content, NLU or Slack to load', async () => {
    const sqlitePath = join(root, 'ops.sqlite');
    const store = SqliteConversationStore.open({ path: sqlitePath, checkpointInWorker: false });
    await store.saveTurn({
      conversation: newConversation({ id: 'web:demo-drop', channel: 'web', customerId: 'demo-drop', locale: 'en', now: '2026-03-02T09:00:00.000Z' }),
      messages: [
        {
          id: 'm-1',
          conversationId: 'web:demo-drop',
          author: 'customer',
          text: 'what is the best pizza topping',
          intent: 'oos',
          confidence: 0.2,
          clientMessageId: 'c-1',
          createdAt: '2026-03-02T09:00:00.000Z',
        },
      ],
      explanations: [],
      outbox: [],
    });
    await store.close();
    // Building the bot would load intents and templates from these folders and fail; the store alone does not need them.
    const missing = join(root, 'no-such-folder');
    const env = { ...process.env, SQLITE_PATH: sqlitePath, LOG_LEVEL: 'silent', CONTENT_INTENTS_DIR: missing, CONTENT_TEMPLATES_DIR: missing, NLU_CACHE_DIR: missing };
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const report = await run(tsx, ['src/operations/report-cli.ts', '--from', '2026-03-01', '--to', '2026-03-31', '--json'], { env });
    expect(JSON.parse(report.stdout)).toMatchObject({ topUnrecognised: [{ value: 'what is the best pizza topping', count: 1 }] });
    const retention = await run(tsx, ['src/operations/retention-cli.ts', '--json'], { env });
    expect(JSON.parse(retention.stdout)).toMatchObject({ audit: { explanationsDeleted: 0 } });
  }, 60_000);
});
