import type { RequestListener, Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from './bootstrap/load-config-or-exit.js';
import type { CandorConfig } from './config/load-config.js';
import { loadContent, ContentInvalidError } from './content/load-content.js';
import { formatContentProblem } from './content/content-problem.js';
import { createIntentDirectory } from './content/create-intent-directory.js';
import { DEFAULT_POLICY_SETTINGS } from './core/dialogue-policy.js';
import type { Locale } from './core/locale.js';
import type { ReasonReferenceReader } from './core/ports/reason-reference-reader.js';
import type { LoadedContent } from './content/loaded-content.js';
import { CandorError } from './core/candor-error.js';
import { createTurnHandler } from './core/handle-turn.js';
import type { Clock, IdGenerator } from './core/ports/clock.js';
import type { ConversationLock } from './core/ports/conversation-lock.js';
import type { ConversationStore } from './core/ports/conversation-store.js';
import type { IntentClassifier } from './core/ports/intent-classifier.js';
import type { IntentDirectory } from './core/ports/intent-directory.js';
import type { Logger } from './core/ports/logger.js';
import type { ReplyComposer } from './core/ports/reply-composer.js';
import type { CustomerChannel } from './core/reply.js';
import { redactPii } from './core/redact-pii.js';
import type { TurnHandler } from './core/turn.js';
import { createDecisionEngine, type ManagedDecisionEngine } from './decisions/create-decision-engine.js';
import { loadDemoCustomers } from './decisions/demo-customers.js';
import { CaseService } from './escalation/case-service.js';
import { createEscalation, type Escalation } from './escalation/create-escalation.js';
import { createReplyComposer } from './explain/create-reply-composer.js';
import { createAliasReasonReferenceReader, type ReasonAliases } from './nlu/alias-reason-reference-reader.js';
import { LexiconSentimentScorer } from './nlu/lexicon-sentiment-scorer.js';
import { loadOrTrainProjectClassifier } from './nlu/load-or-train-project-classifier.js';
import { memoizeIntentClassifier, memoizeSentimentScorer } from './nlu/memoizing-intent-classifier.js';
import { createCandorMetrics, type CandorMetrics } from './observability/candor-metrics.js';
import { createPinoLogger } from './observability/create-pino-logger.js';
import { instrumentDecisionEngine } from './observability/instrument-decision-engine.js';
import { instrumentTurnHandler } from './observability/instrument-turn-handler.js';
import { instrumentConversationStore } from './observability/instrumented-conversation-store.js';
import { startMetricsServer } from './observability/metrics-endpoint.js';
import { createOperationsRoutes } from './operations/create-operations-routes.js';
import { nameIntents } from './operations/name-intents.js';
import { runRetention, startRetentionTimer } from './operations/run-retention.js';
import { createCustomerRefMask } from './runtime/create-customer-ref-mask.js';
import { timeOrderedIdGenerator } from './runtime/time-ordered-id-generator.js';
import { systemClock } from './runtime/system-clock.js';
import { createConversationLock } from './storage/create-conversation-lock.js';
import { createConversationStore } from './storage/create-conversation-store.js';
import { createDeliverySignal } from './storage/create-delivery-signal.js';
import { createWebChannel, type WebChannel } from './channels/web/create-web-channel.js';
import { AnonymousEscalationLimiter } from './channels/web/anonymous-escalation-limiter.js';

/** The assembled core of Candor: content, understanding, decisions, storage and the turn, without servers. */
export interface Candor {
  config: CandorConfig;
  content: LoadedContent;
  intents: IntentDirectory;
  composer: ReplyComposer;
  classifier: IntentClassifier;
  /** Reads which reason a follow-up names, from the reasons' aliases in content. */
  references: ReasonReferenceReader;
  engine: ManagedDecisionEngine;
  store: ConversationStore;
  /** Serialises turns and agent actions per conversation (across instances on Postgres). */
  lock: ConversationLock;
  turns: TurnHandler;
  metrics: CandorMetrics;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  demoCustomers: { id: string; displayName: string; description: string }[];
  /** Caps the cases anonymous visitors open; the web channel tells it their client addresses. */
  escalationLimiter: AnonymousEscalationLimiter;
  /** Builds the agent-side case service that talks to customers through the given channel. */
  createCaseService(customers: CustomerChannel): CaseService;
  close(): Promise<void>;
}

/** Parts a test or tool may supply instead of the configured ones. */
export interface CandorOverrides {
  store?: ConversationStore;
  engine?: ManagedDecisionEngine;
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  metrics?: CandorMetrics;
}

/** Each locale's reason aliases from content. */
function reasonAliasesOf(content: LoadedContent): Record<Locale, ReasonAliases> {
  return { en: content.locales.en.reasonAliases, 'zh-CN': content.locales['zh-CN'].reasonAliases };
}

export { loadConfigOrExit } from './bootstrap/load-config-or-exit.js';

/** Wires Candor's parts from config; the composition root, and the only place that does so. */
export async function buildCandor(config: CandorConfig, overrides: CandorOverrides = {}): Promise<Candor> {
  const logger = overrides.logger ?? createPinoLogger({ level: config.app.LOG_LEVEL, destination: process.stderr });
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? timeOrderedIdGenerator;
  const isProduction = config.app.NODE_ENV === 'production';
  if (isProduction && config.app.CUSTOMER_REF_SECRET === undefined) {
    throw new CandorError('config_invalid', 'CUSTOMER_REF_SECRET is required when NODE_ENV=production');
  }

  const content = loadContent(
    { intentsDir: config.content.CONTENT_INTENTS_DIR, templatesDir: config.content.CONTENT_TEMPLATES_DIR },
    { cacheDir: config.content.CONTENT_CACHE_DIR },
  );
  const intents = createIntentDirectory(content);
  const composer = createReplyComposer(content, { timeZone: config.content.DISPLAY_TIME_ZONE });
  const nlu = await loadOrTrainProjectClassifier({
    intentsDir: config.content.CONTENT_INTENTS_DIR,
    cacheDir: config.nlu.NLU_CACHE_DIR,
    valFile: config.nlu.NLU_VAL_FILE === '' ? undefined : config.nlu.NLU_VAL_FILE,
  });
  logger.info({ trainMs: Math.round(nlu.trainMs), fromCache: nlu.fromCache, clarifyMargin: nlu.clarifyMargin, contentVersion: composer.contentVersion }, 'content loaded and NLU ready');

  const metrics = overrides.metrics ?? createCandorMetrics({ logger });
  const engine = instrumentDecisionEngine(
    overrides.engine ?? createDecisionEngine(config.decisions, { onEvent: metrics.recordDecisionEngineEvent, logger }),
    metrics,
  );
  const store = instrumentConversationStore(overrides.store ?? (await createConversationStore(config.storage, logger)), metrics);
  const lock = createConversationLock(config.storage, logger);
  const maskCustomerId = createCustomerRefMask(config.app.CUSTOMER_REF_SECRET ?? 'candor-demo-customer-ref-secret');
  const references = createAliasReasonReferenceReader(reasonAliasesOf(content));
  const escalationLimiter = new AnonymousEscalationLimiter({
    caps: {
      perSession: config.web.ANON_ESCALATIONS_PER_SESSION,
      perAddress: config.web.ANON_ESCALATIONS_PER_IP,
      windowMs: config.web.ANON_ESCALATION_WINDOW_MINUTES * 60_000,
      perMinute: config.web.ANON_ESCALATIONS_PER_MINUTE,
    },
    clock,
    logger,
  });
  const coreTurns = createTurnHandler({
    store,
    references,
    // The margin under which two close intents are asked about was drawn on the held-out lines with the model.
    policy: { ...DEFAULT_POLICY_SETTINGS, clarifyMargin: nlu.clarifyMargin },
    // Both are pure; repeated texts (quick replies, common questions) are answered from a bounded memo.
    classifier: memoizeIntentClassifier(nlu.classifier),
    sentiment: memoizeSentimentScorer(new LexiconSentimentScorer()),
    intents,
    engine,
    composer,
    lock,
    clock,
    ids,
    maskCustomerId,
    logger,
    escalationLimiter,
  });
  const turns = instrumentTurnHandler(coreTurns, metrics, logger);
  metrics.watch({ store, clock });
  const demoCustomers = config.decisions.DECISION_ENGINE_URL === undefined ? loadDemoCustomers().list() : [];

  return {
    config,
    content,
    intents,
    composer,
    classifier: nlu.classifier,
    references,
    engine,
    store,
    lock,
    turns,
    metrics,
    logger,
    clock,
    ids,
    demoCustomers,
    escalationLimiter,
    createCaseService(customers: CustomerChannel): CaseService {
      return new CaseService({
        store,
        composer,
        customers,
        redactor: { redact: redactPii },
        clock,
        ids,
        lock,
        logger,
        unclaimedMinutes: config.slack.ESCALATION_UNCLAIMED_MINUTES,
      });
    },
    async close(): Promise<void> {
      await engine.close();
      await lock.close();
      await store.close();
    },
  };
}

/** A running Candor server: the web chat, the Slack app when configured, and the outbox worker. */
export interface RunningCandor {
  candor: Candor;
  web: WebChannel;
  server: Server;
  url: string;
  escalation: Escalation;
  /**
   * Shuts down gracefully: `/readyz` answers 503 at once, the listener closes, turns in flight finish,
   * chat sockets close with 1012 (the widget reconnects to another instance), then the worker, timers
   * and pools stop; anything still running after `graceMs` (default 10 s) is cut off.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** Starts the HTTP server with the web chat, the Slack endpoints and the escalation worker. */
export async function startCandor(candor: Candor, options: { extraRoutes?: Record<string, RequestListener> } = {}): Promise<RunningCandor> {
  const { config, logger } = candor;
  // Routes are looked up per request, so the Slack routes can be added once escalation exists.
  const operations = config.operations;
  let isDraining = false;
  const extraRoutes: Record<string, RequestListener> = {
    ...createOperationsRoutes({
      config: operations,
      metrics: candor.metrics,
      store: candor.store,
      clock: candor.clock,
      nameIntent: nameIntents(Object.fromEntries(candor.content.intents.map((intent) => [intent.id, intent.label.en]))),
      logger,
      checks: {
        // First to fail on shutdown, so a load balancer stops sending new customers here.
        accepting: () => {
          if (isDraining) throw new Error('shutting down');
        },
        database: () => candor.store.ping(),
        content: () => {
          if (candor.composer.contentVersion === '') throw new Error('content not loaded');
        },
        nlu: () => {
          candor.classifier.classify('hello', 'en');
        },
      },
    }),
    ...options.extraRoutes,
  };
  const web = await createWebChannel({
    config: { ...config.web, NODE_ENV: config.app.NODE_ENV, HOST: config.app.HOST, PORT: config.app.PORT, PUBLIC_BASE_URL: config.app.PUBLIC_BASE_URL },
    turns: candor.turns,
    store: candor.store,
    signal: createDeliverySignal(config.storage, logger),
    composer: candor.composer,
    intents: candor.intents,
    demoCustomers: candor.demoCustomers,
    logger,
    extraRoutes,
    clock: candor.clock,
    clientAddresses: candor.escalationLimiter,
  });
  // The Slack module (and @slack/bolt) is loaded only when Slack is configured.
  const escalation = await createEscalation({
    config: config.slack,
    store: candor.store,
    cases: candor.createCaseService(web.customerChannel),
    clock: candor.clock,
    logger,
    publicBaseUrl: config.app.PUBLIC_BASE_URL ?? web.url,
    topics: candor.intents,
    onDeadLetter: candor.metrics.recordDeadLetter,
    onAttempt: candor.metrics.recordOutboxAttempt,
  });
  candor.metrics.watch({ sessions: () => web.sessionCount() });
  const metricsServer =
    operations.METRICS_PORT === undefined
      ? null
      : await startMetricsServer({ metrics: candor.metrics, host: operations.METRICS_HOST, port: operations.METRICS_PORT, token: operations.METRICS_TOKEN, logger });
  const retention = startRetentionTimer({
    intervalHours: operations.RETENTION_INTERVAL_HOURS,
    logger,
    run: () =>
      runRetention({
        store: candor.store,
        clock: candor.clock,
        ids: candor.ids,
        policy: { transcriptDays: operations.TRANSCRIPT_RETENTION_DAYS, auditDays: operations.AUDIT_RETENTION_DAYS },
        logger,
      }),
  });
  for (const path of escalation.requestPaths) {
    extraRoutes[path] = function routeToSlack(request, response) {
      if (!escalation.handleRequest(request, response)) response.writeHead(404).end();
    };
  }
  await escalation.start();

  return {
    candor,
    web,
    server: web.server,
    url: web.url,
    escalation,
    async stop(stopOptions: { graceMs?: number } = {}): Promise<void> {
      isDraining = true;
      await web.close(stopOptions);
      await retention.stop();
      await escalation.stop();
      await metricsServer?.close();
      await candor.close();
    },
  };
}

/** A stop signal repeated within this many milliseconds is the same request delivered twice. */
const REPEATED_SIGNAL_MS = 1000;

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  let candor: Candor;
  try {
    candor = await buildCandor(config);
  } catch (error) {
    if (error instanceof ContentInvalidError) {
      process.stderr.write(`Candor cannot start: content problems\n${error.problems.map(formatContentProblem).join('\n')}\n`);
      process.exit(1);
    }
    if (error instanceof CandorError) {
      process.stderr.write(`Candor cannot start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const running = await startCandor(candor);
  let stoppingSince: number | null = null;
  const shutdown = (signal: string) => {
    if (stoppingSince !== null) {
      // Ctrl-C under `npm start` arrives twice at once (from the terminal, and forwarded by npm): only a later one means "now".
      if (Date.now() - stoppingSince < REPEATED_SIGNAL_MS) return;
      candor.logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stoppingSince = Date.now();
    candor.logger.info({ signal }, 'shutting down: finishing turns in flight');
    running.stop().then(
      () => {
        candor.logger.info({}, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        candor.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // Printed once a signal stops the server gracefully, so whoever waits for this line may stop it at once.
  process.stdout.write(`Candor is listening on ${running.url} — open ${running.url}/demo to try the demo customers\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
