import { EmbeddedDecisionEngine } from '../../src/decisions/embedded-decision-engine.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { describeDecisionEngineContract } from './decision-engine-contract.js';

describeDecisionEngineContract('EmbeddedDecisionEngine', async () => ({
  engine: new EmbeddedDecisionEngine(loadDemoCustomers()),
  close: async () => {},
}));
