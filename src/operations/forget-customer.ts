import type { Clock, IdGenerator } from '../core/ports/clock.js';
import type { CustomerErasureResult, RetentionStore } from '../core/ports/retention-store.js';
import { eraseCustomer } from '../core/retention-passes.js';

const DAY_MS = 86_400_000;

/** The outcome of a data-deletion request, with what was kept and why. */
export interface ForgetOutcome {
  customerId: string;
  result: CustomerErasureResult;
  /** One line per thing kept, each with its reason and how long. */
  kept: string[];
}

/**
 * Handles a customer's data-deletion request: removes their transcripts, pending replies and case
 * details (Slack threads deleted through the outbox), deletes their explanation records older than
 * audit retention, and keeps the younger ones, saying why and until when. Safe to repeat.
 */
export async function forgetCustomer(deps: { store: RetentionStore; clock: Clock; ids: IdGenerator; auditDays: number; customerId: string }): Promise<ForgetOutcome> {
  const now = deps.clock.now();
  const auditBefore = new Date(now.getTime() - deps.auditDays * DAY_MS).toISOString();
  const result = await eraseCustomer(deps.store, { customerId: deps.customerId, now: now.toISOString(), auditBefore, newId: () => deps.ids.next() });
  const kept: string[] = [];
  for (const record of result.keptExplanations) {
    const until = new Date(Date.parse(record.createdAt) + deps.auditDays * DAY_MS).toISOString().slice(0, 10);
    kept.push(
      `explanation record ${record.id} (decision ${record.decisionId}, given ${record.createdAt}): kept until ${until} — AUDIT_RETENTION_DAYS=${deps.auditDays}; the record of an automated credit-decision explanation is kept to answer reviews and complaints and to show what the customer was told.`,
    );
  }
  if (result.keptConversations > 0) {
    kept.push(
      `${result.keptConversations} anonymised conversation record(s) with no customer id, messages or case details: they hold the kept explanation records together or wait for Slack deletions; removed by retention once nothing holds them.`,
    );
  }
  if (result.casesAwaitingThreadDeletion > 0) {
    kept.push(`${result.casesAwaitingThreadDeletion} case(s) waiting for their Slack card and thread to be deleted through the outbox; the case shells go with the next retention run after that.`);
  }
  return { customerId: deps.customerId, result, kept };
}

/** Renders a forget outcome for the terminal: what was removed, then what was kept and why. */
export function formatForgetOutcome(outcome: ForgetOutcome): string {
  const r = outcome.result;
  const lines = [
    `Customer ${outcome.customerId}: ${r.conversationsFound} conversation(s) found.`,
    `Removed: ${r.messagesDeleted} messages, ${r.deliveriesDeleted} pending replies, customer details of ${r.conversationsAnonymized} conversation(s) and ${r.casesScrubbed} case(s), ${r.conversationsDeleted} conversation(s) and ${r.casesDeleted} case(s) entirely, ${r.explanationsDeleted} expired explanation record(s); ${r.threadDeletionsQueued} Slack thread deletion(s) queued.`,
  ];
  lines.push(outcome.kept.length === 0 ? 'Kept: nothing.' : 'Kept:');
  for (const line of outcome.kept) lines.push(`  - ${line}`);
  return `${lines.join('\n')}\n`;
}
