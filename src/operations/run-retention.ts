import type { Clock, IdGenerator } from '../core/ports/clock.js';
import type { AuditPurgeResult, RetentionStore, TranscriptPurgeResult } from '../core/ports/retention-store.js';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import { purgeAuditRecords, purgeTranscripts } from '../core/retention-passes.js';

const DAY_MS = 86_400_000;

/** The retention periods, in days. */
export interface RetentionPolicy {
  transcriptDays: number;
  auditDays: number;
}

/** What one retention run did, with the cutoffs it used. */
export interface RetentionOutcome {
  transcriptCutoff: string;
  auditCutoff: string;
  transcripts: TranscriptPurgeResult;
  audit: AuditPurgeResult;
}

/**
 * Runs retention once: transcripts and message bodies older than `transcriptDays` are deleted or
 * anonymised (their Slack threads queued for deletion through the outbox), then explanation records
 * older than `auditDays` and the anonymised shells nothing holds any more are deleted. Safe to repeat.
 */
export async function runRetention(deps: { store: RetentionStore; clock: Clock; ids: IdGenerator; policy: RetentionPolicy; logger?: Logger }): Promise<RetentionOutcome> {
  const now = deps.clock.now();
  const transcriptCutoff = new Date(now.getTime() - deps.policy.transcriptDays * DAY_MS).toISOString();
  const auditCutoff = new Date(now.getTime() - deps.policy.auditDays * DAY_MS).toISOString();
  const transcripts = await purgeTranscripts(deps.store, { before: transcriptCutoff, now: now.toISOString(), newId: () => deps.ids.next() });
  const audit = await purgeAuditRecords(deps.store, { before: auditCutoff });
  (deps.logger ?? silentLogger).info({ transcriptCutoff, auditCutoff, ...transcripts, ...audit }, 'retention run finished');
  return { transcriptCutoff, auditCutoff, transcripts, audit };
}

/** A running retention timer. */
export interface RetentionTimer {
  stop(): Promise<void>;
}

/**
 * Runs retention every `intervalHours` inside the server (first after `initialDelayMs`), one run at a
 * time; with an interval of 0 it does nothing. Failures are logged and retried at the next tick.
 */
export function startRetentionTimer(options: { run: () => Promise<unknown>; intervalHours: number; initialDelayMs?: number; logger?: Logger }): RetentionTimer {
  const logger = options.logger ?? silentLogger;
  if (options.intervalHours <= 0) return { stop: async () => undefined };
  let running: Promise<void> | null = null;
  let isStopped = false;
  const tick = (): void => {
    if (running !== null || isStopped) return;
    running = options
      .run()
      .then(
        () => undefined,
        (error: unknown) => logger.error({ err: error }, 'retention run failed'),
      )
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(tick, options.initialDelayMs ?? 60_000);
  const every = setInterval(tick, Math.max(1, Math.round(options.intervalHours * 3_600_000)));
  first.unref();
  every.unref();
  return {
    async stop(): Promise<void> {
      isStopped = true;
      clearTimeout(first);
      clearInterval(every);
      if (running !== null) await running;
    },
  };
}

/** Renders a retention outcome as lines for the terminal. */
export function formatRetentionOutcome(outcome: RetentionOutcome): string {
  const t = outcome.transcripts;
  const a = outcome.audit;
  return [
    `Transcripts before ${outcome.transcriptCutoff}: ${t.messagesDeleted} messages deleted, ${t.conversationsAnonymized} conversations anonymised, ${t.casesScrubbed} cases scrubbed, ${t.casesClosed} open cases closed, ${t.threadDeletionsQueued} Slack thread deletions queued, ${t.deliveriesDeleted} pending deliveries and ${t.eventsDeleted} event ids deleted.`,
    `Audit records before ${outcome.auditCutoff}: ${a.explanationsDeleted} explanation records deleted, ${a.conversationsDeleted} anonymised conversations and ${a.casesDeleted} cases removed.`,
  ].join('\n') + '\n';
}
