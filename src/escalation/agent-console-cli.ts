import { parseArgs } from 'node:util';
import { runAgentConsole } from './agent-console.js';
import { StoreDeliveryChannel } from './store-delivery-channel.js';

// `npm run agent -- [--name Amy] [--id console-amy]`: the local agent console over the app's store.
const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'Agent' },
    id: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write('usage: npm run agent -- [--name Amy] [--id console-amy]\n  the local agent console: list, show, claim, reply, note, resolve, bot\n');
  process.exit(0);
}

// Loaded after the arguments are read, so --help answers without building the application.
const { buildCandor, loadConfigOrExit } = await import('../main.js');

const candor = await buildCandor(loadConfigOrExit({ quiet: true }));
// The customer's socket lives in the server process, so replies wait in the store until the web channel or chat CLI sends them.
const cases = candor.createCaseService(new StoreDeliveryChannel(candor.store));
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
