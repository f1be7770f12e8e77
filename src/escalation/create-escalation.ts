import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OutboxItem } from '../core/outbox.js';
import type { Clock } from '../core/ports/clock.js';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { IntentDirectory } from '../core/ports/intent-directory.js';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import { isSlackEnabled, type SlackConfig } from '../config/slack-config.js';
import type { CaseService } from './case-service.js';
import { ConsoleOnlyDesk } from './console-only-desk.js';
import { OutboxWorker } from './outbox-worker.js';
// Type only: the Slack module (and @slack/bolt, a fifth of a second to load) is imported when Slack is configured.
import type { SlackEscalation } from './slack/create-slack-escalation.js';

/** What the escalation side needs from the composition root. */
export interface EscalationDeps {
  config: SlackConfig;
  store: ConversationStore;
  /** The case service, built on the channel that reaches the customer's open sessions and the turns' lock. */
  cases: CaseService;
  clock: Clock;
  logger?: Logger;
  publicBaseUrl?: string;
  topics?: IntentDirectory;
  /** Alert hook for dead-lettered outbox items (metrics, paging). */
  onDeadLetter?: (item: OutboxItem, error: string) => void;
  /** Metrics hook for each finished delivery attempt. */
  onAttempt?: (item: OutboxItem, outcome: 'done' | 'retry' | 'dead', durationMs: number) => void;
}

/** The running escalation side: cases, the Slack app when configured, the outbox worker and the unclaimed-case check. */
export interface Escalation {
  cases: CaseService;
  /** Null when Slack is not configured; cases are then only in the agent console. */
  slack: SlackEscalation | null;
  worker: OutboxWorker;
  /** The HTTP paths Slack posts to (none when Slack is not configured). */
  requestPaths: readonly string[];
  /** Routes Slack's POSTs to the Bolt receiver; returns false for any other request. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the Slack app (if configured), the outbox worker and the periodic re-ping
 * from one config slice. Async because the Slack module is only loaded when Slack is configured.
 */
export async function createEscalation(deps: EscalationDeps): Promise<Escalation> {
  const logger = deps.logger ?? silentLogger;
  const { config, cases } = deps;
  const slackModule = isSlackEnabled(config) ? await import('./slack/create-slack-escalation.js') : null;
  const slack = slackModule
    ? slackModule.createSlackEscalation({
        config,
        store: deps.store,
        cases,
        clock: deps.clock,
        logger,
        ...(deps.publicBaseUrl === undefined ? {} : { publicBaseUrl: deps.publicBaseUrl }),
        ...(deps.topics === undefined ? {} : { topics: deps.topics }),
      })
    : null;
  const worker = new OutboxWorker({
    store: deps.store,
    desk: slack?.desk ?? new ConsoleOnlyDesk(),
    clock: deps.clock,
    logger,
    batchSize: config.ESCALATION_OUTBOX_BATCH,
    pollMs: config.ESCALATION_OUTBOX_POLL_MS,
    leaseMs: config.ESCALATION_OUTBOX_LEASE_MS,
    maxAgeMs: config.ESCALATION_OUTBOX_MAX_AGE_MS,
    probeMs: config.ESCALATION_OUTBOX_PROBE_MS,
    backoffBaseMs: config.ESCALATION_OUTBOX_BACKOFF_BASE_MS,
    backoffMaxMs: config.ESCALATION_OUTBOX_BACKOFF_MAX_MS,
    ...(deps.onDeadLetter === undefined ? {} : { onDeadLetter: deps.onDeadLetter }),
    ...(deps.onAttempt === undefined ? {} : { onAttempt: deps.onAttempt }),
    onUndeliverableCase: async (caseId) => {
      await cases.returnUndeliverable(caseId);
    },
  });
  let repingTimer: NodeJS.Timeout | null = null;
  let repingRun: Promise<unknown> | null = null;

  function checkUnclaimedNow(): void {
    if (repingRun !== null) return;
    repingRun = cases
      .checkUnclaimed()
      .catch((error: unknown) => logger.error({ err: error }, 'unclaimed-case check failed'))
      .finally(() => {
        repingRun = null;
      });
  }

  return {
    cases,
    slack,
    worker,
    requestPaths: slackModule ? [...slackModule.SLACK_PATHS] : [],
    handleRequest: (request, response) => slack?.handleRequest(request, response) ?? false,
    async start() {
      if (slack !== null) await slack.start();
      worker.start();
      repingTimer = setInterval(checkUnclaimedNow, config.ESCALATION_UNCLAIMED_CHECK_MS);
      repingTimer.unref();
    },
    async stop() {
      if (repingTimer !== null) clearInterval(repingTimer);
      repingTimer = null;
      await repingRun;
      await worker.stop();
      if (slack !== null) await slack.stop();
    },
  };
}
