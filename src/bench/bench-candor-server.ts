import { loadDemoCustomers } from '../decisions/demo-customers.js';
import { buildCandor, loadConfigOrExit, startCandor } from '../main.js';
import { createBenchDecisionEngine } from './bench-questions.js';

/**
 * Candor as `npm start` runs it (embedded defaults, settings from the environment), except that the
 * embedded engine answers `demo-drop.b17`-style ids with the demo customer's decisions, so each
 * benchmark session is a customer and conversation of its own.
 */
async function startBenchCandor(): Promise<void> {
  const config = loadConfigOrExit();
  const bench = createBenchDecisionEngine(loadDemoCustomers());
  const candor = await buildCandor(config, {
    engine: { kind: 'embedded', lookup: (customerId, signal) => bench.lookup(customerId, signal), close: async () => {} },
  });
  const running = await startCandor(candor);
  process.stdout.write(`listening ${running.url}\n`);
  process.once('SIGTERM', () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

await startBenchCandor();
