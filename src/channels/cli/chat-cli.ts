import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isLocale } from '../../core/locale.js';
import type { OutgoingReply } from '../../core/reply.js';
import { runChatSession } from './run-chat-session.js';

const USAGE = `usage: npm run chat -- [--customer ID] [--locale en|zh-CN] [--json]
  the whole turn in a terminal, one line a message; --json prints one object per reply
  (text, intent, confidence, state, reasonsShown, suggestions); without --customer the chat is anonymous
`;

const { values } = parseArgs({
  options: {
    customer: { type: 'string' },
    locale: { type: 'string', default: 'en' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

// Loaded after the arguments are read, so --help answers without building the application.
const { buildCandor, loadConfigOrExit } = await import('../../main.js');

if (!isLocale(values.locale)) {
  process.stderr.write(`--locale must be en or zh-CN, not ${values.locale}\n`);
  process.exit(2);
}

const candor = await buildCandor(loadConfigOrExit({ quiet: true }));
const customerId = values.customer ?? null;
const conversationId = `cli:${customerId ?? 'anonymous'}:${randomUUID().slice(0, 8)}`;

async function pollDeliveries(): Promise<OutgoingReply[]> {
  const pending = await candor.store.listPendingDeliveries(conversationId);
  for (const delivery of pending) await candor.store.ackDelivery(conversationId, delivery.id);
  return pending.map((delivery) => delivery.payload as unknown as OutgoingReply);
}

try {
  await runChatSession({
    turns: candor.turns,
    customerId,
    locale: values.locale,
    conversationId,
    json: values.json,
    input: process.stdin,
    output: process.stdout,
    pollDeliveries,
  });
} finally {
  await candor.close();
}
