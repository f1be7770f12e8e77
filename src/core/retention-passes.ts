import { ANONYMIZED_CONVERSATION_PREFIX } from './conversation.js';
import { OPEN_CASE_STATUSES } from './escalation-case.js';
import type { AuditPurgeResult, CustomerErasureResult, RetentionPass, RetentionStore, TranscriptPurgeResult } from './ports/retention-store.js';
import { step } from './retention-pass.js';

/** An open case of a purged or erased conversation is closed as handed back, so it is never re-pinged or re-posted. */
const PURGED_CASE_STATUS = 'returned';

/**
 * Deletes message bodies and pending deliveries older than `before`, and anonymises conversations
 * inactive since then (new opaque id, no customer id, open cases closed, cases scrubbed, undelivered
 * outbox items dropped, Slack thread deletion queued); a second run with the same cutoff changes nothing.
 */
export function purgeTranscripts(store: RetentionStore, input: { before: string; now: string; newId: () => string }): Promise<TranscriptPurgeResult> {
  return store.runRetentionPass(purgeTranscriptsPass(input));
}

/** Deletes explanation records older than `before`, then anonymised conversations nothing holds any more. */
export function purgeAuditRecords(store: RetentionStore, input: { before: string }): Promise<AuditPurgeResult> {
  return store.runRetentionPass(purgeAuditRecordsPass(input));
}

/** Removes a customer's transcripts and cases, keeping explanation records newer than `auditBefore` (and the shells they point to). */
export function eraseCustomer(store: RetentionStore, input: { customerId: string; now: string; auditBefore: string; newId: () => string }): Promise<CustomerErasureResult> {
  return store.runRetentionPass(eraseCustomerPass(input));
}

function* purgeTranscriptsPass(input: { before: string; now: string; newId: () => string }): RetentionPass<TranscriptPurgeResult> {
  const messagesDeleted = yield* step((s) => s.deleteMessagesBefore(input.before));
  const inactive = yield* step((s) => s.listInactiveConversations(input.before));
  const scrubbed = yield* anonymize(inactive, { now: input.now, erase: false, newId: input.newId });
  const deliveriesDeleted = yield* step((s) => s.deleteDeliveriesBefore(input.before));
  const eventsDeleted = yield* step((s) => s.deleteSeenEventsBefore(input.before));
  return {
    messagesDeleted: messagesDeleted + scrubbed.messagesDeleted,
    conversationsAnonymized: scrubbed.conversationsAnonymized,
    casesScrubbed: scrubbed.casesScrubbed,
    casesClosed: scrubbed.casesClosed,
    threadDeletionsQueued: scrubbed.threadDeletionsQueued,
    deliveriesDeleted: deliveriesDeleted + scrubbed.deliveriesDeleted,
    eventsDeleted,
  };
}

function* purgeAuditRecordsPass(input: { before: string }): RetentionPass<AuditPurgeResult> {
  const explanationsDeleted = yield* step((s) => s.deleteExplanationsBefore(input.before));
  const shells = yield* step((s) => s.listAnonymizedShells(input.before));
  return { explanationsDeleted, ...(yield* deleteUnheldShells(shells)) };
}

function* eraseCustomerPass(input: { customerId: string; now: string; auditBefore: string; newId: () => string }): RetentionPass<CustomerErasureResult> {
  const explanationsDeleted = yield* step((s) => s.deleteCustomerExplanationsBefore(input.customerId, input.auditBefore));
  const found = yield* step((s) => s.listCustomerConversations(input.customerId));
  const scrubbed = yield* anonymize(found, { now: input.now, erase: true, newId: input.newId });
  const deleted = yield* deleteUnheldShells(scrubbed.ids);
  const kept = yield* step((s) => s.listExistingConversations(scrubbed.ids));
  const keptExplanations = yield* step((s) => s.listCustomerExplanations(input.customerId));
  const awaiting = yield* step((s) => s.countCasesAwaitingThreadDeletion(kept));
  return {
    conversationsFound: found.length,
    conversationsAnonymized: scrubbed.conversationsAnonymized,
    messagesDeleted: scrubbed.messagesDeleted,
    deliveriesDeleted: scrubbed.deliveriesDeleted,
    casesScrubbed: scrubbed.casesScrubbed,
    threadDeletionsQueued: scrubbed.threadDeletionsQueued,
    explanationsDeleted,
    conversationsDeleted: deleted.conversationsDeleted,
    casesDeleted: deleted.casesDeleted,
    keptExplanations,
    keptConversations: kept.length,
    casesAwaitingThreadDeletion: awaiting,
  };
}

/**
 * Gives each conversation a new opaque id (its old id may embed the customer id), drops its customer
 * id, messages and pending deliveries, scrubs its cases and queues the deletion of their Slack threads.
 * Conversations already anonymised only get the erase mark. Returns the conversations' current ids.
 */
function* anonymize(ids: string[], options: { now: string; erase: boolean; newId: () => string }) {
  let messagesDeleted = 0;
  let deliveriesDeleted = 0;
  let conversationsAnonymized = 0;
  const current: string[] = [];
  for (const id of ids) {
    const found = yield* step((s) => s.lockConversation(id));
    if (found === null) continue;
    messagesDeleted += yield* step((s) => s.deleteConversationMessages(id));
    deliveriesDeleted += yield* step((s) => s.deleteConversationDeliveries(id));
    if (found.anonymizedAt !== null) {
      if (options.erase && found.eraseRequestedAt === null) {
        yield* step((s) => s.markEraseRequested(id, options.now));
        conversationsAnonymized += 1;
      }
      current.push(id);
      continue;
    }
    const opaqueId = `${ANONYMIZED_CONVERSATION_PREFIX}${options.newId()}`;
    yield* step((s) => s.renameToAnonymous({ id, opaqueId, at: options.now, eraseRequestedAt: options.erase ? options.now : null }));
    conversationsAnonymized += 1;
    current.push(opaqueId);
  }
  const casesScrubbed = yield* step((s) => s.scrubCases(current));
  yield* step((s) => s.blankSentCaseMessages(current));
  const needDeletion = yield* step((s) => s.listCasesNeedingThreadDeletion(current));
  for (const caseId of needDeletion) {
    yield* step((s) => s.queueOutbox({ id: options.newId(), topic: 'case.delete_thread', caseId, payload: {}, createdAt: options.now }));
  }
  const casesClosed = yield* closePurgedCases(current, options.now);
  return { ids: current, messagesDeleted, deliveriesDeleted, conversationsAnonymized, casesScrubbed, casesClosed, threadDeletionsQueued: needDeletion.length };
}

/**
 * Closes the open cases of anonymised conversations (a queued case would otherwise be re-pinged with
 * its marker gone), puts the conversations back with the bot, and drops their undelivered outbox items,
 * so nothing but the thread deletion reaches Slack after a purge. Returns how many cases it closed.
 */
function* closePurgedCases(conversationIds: string[], now: string) {
  const closed = yield* step((s) => s.closeCases(conversationIds, { from: OPEN_CASE_STATUSES, to: PURGED_CASE_STATUS, at: now }));
  yield* step((s) => s.setConversationState(conversationIds, { state: 'bot', awaitingRating: false }));
  yield* step((s) => s.dropPendingCaseOutbox(conversationIds, 'case.delete_thread'));
  return closed;
}

/** Deletes the anonymised conversations (with their cases and outbox rows) that no explanation record and no pending outbox item holds. */
function* deleteUnheldShells(conversationIds: string[]) {
  const deletable = yield* step((s) => s.listUnheldShells(conversationIds));
  return yield* step((s) => s.deleteConversations(deletable));
}
