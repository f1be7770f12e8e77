import { z } from 'zod';
import type { OutboxItem } from '../core/outbox.js';
import type { Clock } from '../core/ports/clock.js';
import type { CaseStore } from '../core/ports/case-store.js';
import type { OutboxStore } from '../core/ports/outbox-store.js';
import type { TurnStore } from '../core/ports/turn-store.js';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import { minutesBetween } from './case-service.js';
import type { CaseCardView, DeskLocation, DeskOutcome, EscalationDesk, ThreadLine } from './escalation-desk.js';

/** What the outbox worker reads and writes: the outbox, the cases its items belong to and their transcripts. */
export type OutboxWorkerStore = OutboxStore & Pick<CaseStore, 'getCase'> & Pick<TurnStore, 'listMessages'>;

/** Settings of the outbox worker (see ESCALATION_OUTBOX_* in slack-config). */
export interface OutboxWorkerOptions {
  /** The outbox it works through, plus the case and transcript reads an item needs. */
  store: OutboxWorkerStore;
  desk: EscalationDesk;
  clock: Clock;
  logger?: Logger;
  batchSize?: number;
  pollMs?: number;
  leaseMs?: number;
  /** How long an item may keep failing before it is dead-lettered: an outage is measured in time, not attempts. */
  maxAgeMs?: number;
  /** While the desk is down, how often it is probed; when it answers, items waiting to retry go at once. */
  probeMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Share of the backoff randomised either way (0 = deterministic). */
  jitterRatio?: number;
  random?: () => number;
  /** Transcript lines put on a card. */
  transcriptLimit?: number;
  /** Alert hook for a dead-lettered item (metrics, paging). */
  onDeadLetter?: (item: OutboxItem, error: string) => void;
  /** Called before a case's card is dead-lettered, to hand the customer back to the bot and tell them. */
  onUndeliverableCase?: (caseId: string) => Promise<void>;
  /** Metrics hook for each finished attempt. */
  onAttempt?: (item: OutboxItem, outcome: 'done' | 'retry' | 'dead', durationMs: number) => void;
}

const locationSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

const messagePayloadSchema = z.object({
  messageId: z.string().min(1),
  text: z.string(),
  author: z.enum(['customer', 'agent', 'note']).default('customer'),
  agentName: z.string().min(1).max(80).optional(),
});

/**
 * Delivers outbox items to the escalation desk: leased in order per case, retried with backoff (a rate
 * limit waits its Retry-After and is not counted), dead-lettered with an alert once too old. While the
 * desk is down it is probed, and items waiting to retry are released as soon as it answers again.
 */
export class OutboxWorker {
  private readonly store: OutboxWorkerStore;
  private readonly desk: EscalationDesk;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly maxAgeMs: number;
  private readonly probeMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly jitterRatio: number;
  private readonly random: () => number;
  private readonly transcriptLimit: number;
  private readonly onDeadLetter: (item: OutboxItem, error: string) => void;
  private readonly onAttempt: (item: OutboxItem, outcome: 'done' | 'retry' | 'dead', durationMs: number) => void;
  private readonly onUndeliverableCase: (caseId: string) => Promise<void>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private isStopped = true;
  /** `suspect` after a failed delivery, `down` once a probe failed too; only a recovery from `down` releases the queue. */
  private deskState: 'up' | 'suspect' | 'down' = 'up';
  private probeTimer: NodeJS.Timeout | null = null;
  private probing: Promise<void> | null = null;

  constructor(options: OutboxWorkerOptions) {
    this.store = options.store;
    this.desk = options.desk;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.batchSize = options.batchSize ?? 20;
    this.pollMs = options.pollMs ?? 500;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAgeMs = options.maxAgeMs ?? 86_400_000;
    this.probeMs = options.probeMs ?? 5_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 1_000;
    this.backoffMaxMs = options.backoffMaxMs ?? 300_000;
    this.jitterRatio = options.jitterRatio ?? 0.2;
    this.random = options.random ?? Math.random;
    this.transcriptLimit = options.transcriptLimit ?? 30;
    this.onDeadLetter = options.onDeadLetter ?? (() => undefined);
    this.onAttempt = options.onAttempt ?? (() => undefined);
    this.onUndeliverableCase = options.onUndeliverableCase ?? (async () => undefined);
  }

  /** Starts polling; safe to call twice. */
  start(): void {
    if (!this.isStopped) return;
    this.isStopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the batch in flight. */
  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.probeTimer = null;
    if (this.running !== null) await this.running.catch(() => 0);
    if (this.probing !== null) await this.probing;
  }

  /** Leases and handles one batch; returns how many items it handled. */
  async runOnce(): Promise<number> {
    const items = await this.store.claimOutbox(this.batchSize, this.clock.now().toISOString(), this.leaseMs);
    // Items of different cases run side by side; the store leases at most one per case, so a case stays in order.
    await Promise.all(items.map((item) => this.handle(item)));
    return items.length;
  }

  private schedule(delayMs: number): void {
    if (this.isStopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce();
      this.running
        .then(
          (handled) => this.schedule(handled >= this.batchSize ? 0 : this.pollMs),
          (error: unknown) => {
            this.logger.error({ err: error }, 'outbox poll failed');
            this.schedule(this.pollMs);
          },
        )
        .finally(() => {
          this.running = null;
        });
    }, delayMs);
  }

  private async handle(item: OutboxItem): Promise<void> {
    const started = Date.now();
    let outcome: DeskOutcome<Record<string, unknown>>;
    try {
      outcome = await this.deliver(item);
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    const durationMs = Date.now() - started;
    if (outcome.ok) {
      await this.store.completeOutbox(item.id, outcome.value);
      this.onAttempt(item, 'done', durationMs);
      await this.noteDeskAnswered();
      return;
    }
    const now = this.clock.now();
    const ageMs = now.getTime() - Date.parse(item.createdAt);
    if (outcome.permanent === true || ageMs >= this.maxAgeMs) {
      await this.deadLetter(item, outcome.error, ageMs);
      this.onAttempt(item, 'dead', durationMs);
      return;
    }
    // A rate limit is Slack asking to wait, not a failure: the attempt the lease counted is given back,
    // and the item waits exactly its Retry-After.
    const isRateLimited = outcome.retryAfterMs !== undefined;
    const attempt = Math.max(1, isRateLimited ? item.attempts - 1 : item.attempts);
    const delayMs = outcome.retryAfterMs ?? this.backoffMs(attempt);
    const nextAttemptAt = new Date(now.getTime() + delayMs).toISOString();
    await this.store.retryOutbox(item.id, nextAttemptAt, outcome.error, { countsAsAttempt: !isRateLimited });
    this.logger.warn({ outboxId: item.id, topic: item.topic, caseId: item.caseId, attempt, delayMs, error: outcome.error }, 'outbox delivery failed; will retry');
    this.onAttempt(item, 'retry', durationMs);
    if (!isRateLimited) this.noteDeskFailed();
  }

  /** Dead-letters an item with an alert; a card that never reached the desk takes its case's other items with it, and the customer is told. */
  private async deadLetter(item: OutboxItem, error: string, ageMs: number): Promise<void> {
    let itemsDeadLettered = 1;
    if (item.topic === 'case.created') {
      // First hand the customer back to the bot (under the conversation's lock, so no new line is
      // queued for the case after it), then retire the card and every line waiting behind it together.
      await this.onUndeliverableCase(item.caseId);
      await this.store.deadLetterOutbox(item.id, error);
      itemsDeadLettered += await this.store.deadLetterCaseOutbox(item.caseId, `the case card was dead-lettered: ${error}`);
    } else {
      await this.store.deadLetterOutbox(item.id, error);
    }
    this.logger.error(
      { outboxId: item.id, topic: item.topic, caseId: item.caseId, attempts: item.attempts, ageMs, itemsDeadLettered, error },
      item.topic === 'case.created' ? 'case card dead-lettered; the customer was handed back to the bot' : 'outbox item dead-lettered',
    );
    this.onDeadLetter(item, error);
  }

  /** Exponential backoff with jitter, capped; a probe releases the wait early once the desk answers again. */
  private backoffMs(attempt: number): number {
    const exponential = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    const jitter = 1 + this.jitterRatio * (this.random() * 2 - 1);
    return Math.round(exponential * jitter);
  }

  private noteDeskFailed(): void {
    if (this.deskState !== 'up') return;
    this.deskState = 'suspect';
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.isStopped || this.probeTimer !== null) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.probing = this.probe().finally(() => {
        this.probing = null;
      });
    }, this.probeMs);
  }

  private async probe(): Promise<void> {
    let outcome: DeskOutcome<null>;
    try {
      outcome = await this.desk.probe();
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (outcome.ok) {
      await this.noteDeskAnswered().catch((error: unknown) => this.logger.error({ err: error }, 'releasing the outbox failed'));
      return;
    }
    if (this.deskState === 'suspect') {
      this.deskState = 'down';
      this.logger.warn({ error: outcome.error, probeMs: this.probeMs }, 'escalation desk unreachable; probing it until it answers');
    }
    this.scheduleProbe();
  }

  /** After an outage (a failed probe), makes every item waiting to retry due now and polls at once. */
  private async noteDeskAnswered(): Promise<void> {
    const wasDown = this.deskState === 'down';
    this.deskState = 'up';
    if (!wasDown) return;
    const released = await this.store.releaseOutbox(this.clock.now().toISOString());
    this.logger.info({ released }, 'escalation desk answers again; released the items waiting to retry');
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  private async deliver(item: OutboxItem): Promise<DeskOutcome<Record<string, unknown>>> {
    const found = await this.store.getCase(item.caseId);
    if (found === null) return { ok: false, error: 'case not found', permanent: true };
    const key = { itemId: item.id, createdAt: item.createdAt };
    switch (item.topic) {
      case 'case.created': {
        const [existing] = await this.cards(item.caseId, 'case.created');
        if (existing !== undefined) return { ok: true, value: { ...existing } };
        return asResult(await this.desk.postCase(await this.view(found.id), key));
      }
      case 'case.reping': {
        const cards = await this.allCards(item.caseId);
        return asResult(await this.desk.repostCase(await this.view(found.id), cards.at(-1) ?? null, key));
      }
      case 'case.updated': {
        const cards = await this.allCards(item.caseId);
        if (cards.length === 0) return { ok: false, error: 'card not posted yet' };
        const view = await this.view(found.id);
        let last: DeskOutcome<DeskLocation> = { ok: false, error: 'no card' };
        for (const card of cards) {
          last = await this.desk.updateCard(card, view);
          if (!last.ok) return last;
        }
        return asResult(last);
      }
      case 'case.message': {
        const payload = messagePayloadSchema.safeParse(item.payload);
        if (!payload.success) return { ok: false, error: 'invalid case.message payload', permanent: true };
        // An empty line says nothing to an agent (items written before start frames stopped being relayed).
        if (payload.data.text.trim() === '') return { ok: true, value: { skipped: 'empty' } };
        const card = (await this.allCards(item.caseId)).at(-1);
        if (card === undefined) return { ok: false, error: 'card not posted yet' };
        const line: ThreadLine = {
          author: payload.data.author,
          text: payload.data.text,
          ...(payload.data.agentName === undefined ? {} : { agentName: payload.data.agentName }),
        };
        return asResult(await this.desk.postThreadMessage(card, line, { ...key, caseId: item.caseId }));
      }
      case 'case.delete_thread': {
        const cards = await this.allCards(item.caseId);
        for (const card of cards) {
          const deleted = await this.desk.deleteThread(card);
          if (!deleted.ok) return deleted;
        }
        return { ok: true, value: { deleted: cards.length } };
      }
    }
  }

  private async view(caseId: string): Promise<CaseCardView> {
    // Re-read at delivery time so the card shows the latest state, not the state when the item was written.
    const current = await this.store.getCase(caseId);
    if (current === null) throw new Error('case vanished');
    const messages = await this.store.listMessages(current.conversationId);
    const transcript = messages.filter((m) => m.author !== 'system').slice(-this.transcriptLimit);
    const end = current.claimedAt === null ? this.clock.now() : new Date(current.claimedAt);
    return { case: current, transcript, waitedMinutes: minutesBetween(current.createdAt, end) };
  }

  private async cards(caseId: string, topic: 'case.created' | 'case.reping'): Promise<DeskLocation[]> {
    const results = await this.store.outboxResults(caseId, topic);
    return results.flatMap((result) => {
      const parsed = locationSchema.safeParse(result);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** The case's card and its re-posts, oldest first; thread lines go to the newest. */
  private async allCards(caseId: string): Promise<DeskLocation[]> {
    return [...(await this.cards(caseId, 'case.created')), ...(await this.cards(caseId, 'case.reping'))];
  }
}

function asResult(outcome: DeskOutcome<DeskLocation>): DeskOutcome<Record<string, unknown>> {
  return outcome.ok ? { ok: true, value: { channel: outcome.value.channel, ts: outcome.value.ts } } : outcome;
}
