import { parseArgs } from 'node:util';
import { redactPii } from '../core/redact-pii.js';
import { buildCandor, loadConfigOrExit } from '../main.js';
import { randomIdGenerator } from '../runtime/random-id-generator.js';
import { systemClock } from '../runtime/system-clock.js';
import { runAgentConsole } from './agent-console.js';
import { CaseService } from './case-service.js';
import { StoreDeliveryChannel } from './store-delivery-channel.js';

// `npm run agent -- [--name Amy] [--id console-amy]`: the local agent console over the app's store.
const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'Agent' },
    id: { type: 'string' },
  },
});

const candor = await buildCandor(loadConfigOrExit({ quiet: true }));
// The customer's socket lives in the server process, so replies wait in the store until the web channel or chat CLI sends them.
const cases = new CaseService({
  store: candor.store,
  composer: candor.composer,
  customers: new StoreDeliveryChannel(candor.store),
  redactor: { redact: redactPii },
  clock: systemClock,
  ids: randomIdGenerator,
  unclaimedMinutes: candor.config.ESCALATION_UNCLAIMED_MINUTES,
});
const name = values.name.trim().slice(0, 40) || 'Agent';

try {
  await runAgentConsole({
    cases,
    agent: { id: values.id ?? `console:${name.toLowerCase()}`, name },
    input: process.stdin,
    output: process.stdout,
    prompt: process.stdin.isTTY === true,
  });
} finally {
  await candor.close();
}
