import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutboxItem } from '../core/outbox.js';
import type { Clock } from '../core/ports/clock.js';
import type { OutboxStore } from '../core/ports/outbox-store.js';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import type { DecisionEngineEvent } from '../decisions/http-decision-engine.js';

/** Live values read at scrape time: the outbox (from the store) and open chat sockets. */
export interface MetricsSources {
  store?: Pick<OutboxStore, 'outboxStats'>;
  clock?: Clock;
  /** Open websocket chat sessions, e.g. `() => web.sessionCount()`. */
  sessions?: () => number;
}

const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

/**
 * Candor's Prometheus metrics on a registry of their own (never prom-client's global one), so two
 * apps in one process (tests, the benchmark) never share counters.
 */
export class CandorMetrics {
  /** The registry `/metrics` renders. */
  readonly registry: Registry;
  readonly turns: Counter<'channel' | 'intent' | 'action'>;
  readonly turnSeconds: Histogram<'channel'>;
  readonly turnFailures: Counter<'channel'>;
  readonly fallbacks: Counter<'channel'>;
  readonly clarifications: Counter<'channel'>;
  readonly escalations: Counter<'trigger'>;
  readonly timeToClaimSeconds: Histogram;
  readonly caseOutcomes: Counter<'outcome'>;
  readonly resolutionSeconds: Histogram;
  readonly csatRatings: Counter<'rating' | 'handled'>;
  readonly engineLookupSeconds: Histogram<'outcome'>;
  readonly engineCacheHits: Counter;
  readonly engineRetries: Counter;
  readonly engineBreakerState: Gauge<'state'>;
  readonly outboxAttempts: Counter<'topic' | 'outcome'>;
  readonly outboxAttemptSeconds: Histogram<'topic'>;
  readonly outboxDeadLetters: Counter<'topic'>;
  private sources: MetricsSources = {};
  private readonly logger: Logger;

  constructor(options: { logger?: Logger; defaultMetrics?: boolean } = {}) {
    this.logger = options.logger ?? silentLogger;
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    // Process metrics include event-loop lag (nodejs_eventloop_lag_*), heap and handles.
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

    this.turns = new Counter({ name: 'candor_turns_total', help: 'Customer turns handled, by channel, intent and policy action', labelNames: ['channel', 'intent', 'action'], registers });
    this.turnSeconds = new Histogram({
      name: 'candor_turn_duration_seconds',
      help: 'Time to handle one customer turn',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.turnFailures = new Counter({ name: 'candor_turn_failures_total', help: 'Turns that threw instead of replying', labelNames: ['channel'], registers });
    this.fallbacks = new Counter({ name: 'candor_fallbacks_total', help: 'Out-of-scope (fallback) answers', labelNames: ['channel'], registers });
    this.clarifications = new Counter({ name: 'candor_clarifications_total', help: 'Clarifying questions asked', labelNames: ['channel'], registers });
    this.escalations = new Counter({ name: 'candor_escalations_total', help: 'Cases opened, by trigger', labelNames: ['trigger'], registers });
    const caseBuckets = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400];
    this.timeToClaimSeconds = new Histogram({ name: 'candor_case_time_to_claim_seconds', help: 'From case opened to claimed by an agent', buckets: caseBuckets, registers });
    this.caseOutcomes = new Counter({ name: 'candor_case_outcomes_total', help: 'Cases leaving the queue, by outcome', labelNames: ['outcome'], registers });
    this.resolutionSeconds = new Histogram({ name: 'candor_case_resolution_seconds', help: 'From case opened to resolved', buckets: caseBuckets, registers });
    this.csatRatings = new Counter({ name: 'candor_csat_ratings_total', help: 'Customer satisfaction ratings (1-5)', labelNames: ['rating', 'handled'], registers });
    this.engineLookupSeconds = new Histogram({
      name: 'candor_decision_engine_lookup_seconds',
      help: 'Decision-engine lookups as a turn sees them, by outcome (found, not_found or the failure)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.engineCacheHits = new Counter({ name: 'candor_decision_engine_cache_hits_total', help: 'Lookups answered from the cache', registers });
    this.engineRetries = new Counter({ name: 'candor_decision_engine_retries_total', help: 'HTTP attempts beyond the first', registers });
    this.engineBreakerState = new Gauge({ name: 'candor_decision_engine_breaker_state', help: 'Circuit breaker state: 1 for the current state', labelNames: ['state'], registers });
    for (const state of BREAKER_STATES) this.engineBreakerState.set({ state }, state === 'closed' ? 1 : 0);
    this.outboxAttempts = new Counter({ name: 'candor_outbox_attempts_total', help: 'Outbox delivery attempts, by topic and outcome', labelNames: ['topic', 'outcome'], registers });
    this.outboxAttemptSeconds = new Histogram({
      name: 'candor_outbox_attempt_seconds',
      help: 'Duration of one outbox delivery attempt',
      labelNames: ['topic'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.outboxDeadLetters = new Counter({ name: 'candor_outbox_dead_letters_total', help: 'Outbox items given up on', labelNames: ['topic'], registers });

    const metrics = this;
    new Gauge({
      name: 'candor_outbox_pending',
      help: 'Outbox items waiting for delivery',
      registers,
      async collect() {
        const stats = await metrics.readOutbox();
        if (stats) this.set(stats.pending);
      },
    });
    new Gauge({
      name: 'candor_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest undelivered outbox item (0 when none)',
      registers,
      async collect() {
        const stats = await metrics.readOutbox();
        if (stats) this.set((stats.oldestPendingAgeMs ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'candor_outbox_dead',
      help: 'Dead-lettered outbox items in the store',
      registers,
      async collect() {
        const stats = await metrics.readOutbox();
        if (stats) this.set(stats.dead);
      },
    });
    new Gauge({
      name: 'candor_websocket_sessions',
      help: 'Open chat websocket sessions',
      registers,
      collect() {
        this.set(metrics.sources.sessions?.() ?? 0);
      },
    });
  }

  /** Tells the scrape-time gauges where to read from; call again when the web channel starts. */
  watch(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  /** Listener for the HTTP decision engine's `onEvent`: breaker state, cache hits and retries. */
  readonly recordDecisionEngineEvent = (event: DecisionEngineEvent): void => {
    if (event.type === 'breaker') {
      for (const state of BREAKER_STATES) this.engineBreakerState.set({ state }, state === event.state ? 1 : 0);
      return;
    }
    if (event.cached) this.engineCacheHits.inc();
    if (event.attempts > 1) this.engineRetries.inc(event.attempts - 1);
  };

  /** Hook for the outbox worker's `onAttempt`. */
  readonly recordOutboxAttempt = (item: OutboxItem, outcome: 'done' | 'retry' | 'dead', durationMs: number): void => {
    this.outboxAttempts.inc({ topic: item.topic, outcome });
    this.outboxAttemptSeconds.observe({ topic: item.topic }, durationMs / 1000);
  };

  /** Hook for the outbox worker's `onDeadLetter`. */
  readonly recordDeadLetter = (item: OutboxItem): void => {
    this.outboxDeadLetters.inc({ topic: item.topic });
  };

  /** Renders every metric in the Prometheus text format. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.pendingRead = null;
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  // One store read per scrape serves the three outbox gauges.
  private pendingRead: Promise<Awaited<ReturnType<OutboxStore['outboxStats']>> | null> | null = null;
  private pendingReadAt = 0;

  private readOutbox(): Promise<Awaited<ReturnType<OutboxStore['outboxStats']>> | null> {
    const { store, clock } = this.sources;
    if (!store) return Promise.resolve(null);
    if (this.pendingRead && Date.now() - this.pendingReadAt < 1000) return this.pendingRead;
    const now = (clock?.now() ?? new Date()).toISOString();
    this.pendingReadAt = Date.now();
    this.pendingRead = store.outboxStats(now).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'metrics: outbox stats unavailable');
      return null;
    });
    return this.pendingRead;
  }
}

/** Builds the metrics of one Candor app. */
export function createCandorMetrics(options: { logger?: Logger; defaultMetrics?: boolean } = {}): CandorMetrics {
  return new CandorMetrics(options);
}
