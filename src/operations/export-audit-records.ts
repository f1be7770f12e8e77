import type { AuditStore, ExplanationQuery } from '../core/ports/audit-store.js';
import type { TurnStore } from '../core/ports/turn-store.js';
import type { ExplanationRecord } from '../core/escalation-case.js';

/** Who an export is for: the customer's own copy, or compliance (everything, suppressed codes included). */
export type AuditAudience = 'customer' | 'compliance';

/** The audiences `audit:export --for` accepts. */
export const AUDIT_AUDIENCES: readonly AuditAudience[] = ['customer', 'compliance'];

/**
 * One line of the customer's copy: what Candor told them about one decision, when, and in which
 * language — never a reason code, a suppressed or restricted reason, a template or a content version.
 */
export interface CustomerExportLine {
  time: string;
  customerId: string;
  decisionId: string;
  locale: string;
  /** The reply word for word, or null when neither the record nor the transcript still has it. */
  text: string | null;
  /** The reasons as the customer read them, in order; null when the record predates keeping them. */
  reasonsShown: string[] | null;
  reviewRequested: boolean;
}

/** Where an exported text came from: the record itself, the turn's stored reply (older records), or nowhere. */
export type TextSource = 'record' | 'transcript' | null;

/** One line of the compliance export: the whole record, suppressed codes included, with the text the customer saw. */
export interface ComplianceExportLine {
  recordId: string;
  decisionId: string;
  customerId: string;
  conversationId: string;
  locale: string;
  reasonsShown: string[];
  reasonsSuppressed: string[];
  reasonTexts: string[] | null;
  text: string | null;
  textSource: TextSource;
  templateIds: string[];
  contentVersion: string;
  reviewRequested: boolean;
  time: string;
}

/** The text the customer saw, and where it was found. */
interface ShownText {
  text: string | null;
  source: TextSource;
}

/** Maps an explanation record to a line of the customer's copy. */
export function toCustomerExportLine(record: ExplanationRecord, shown: ShownText = { text: record.text, source: 'record' }): CustomerExportLine {
  return {
    time: record.createdAt,
    customerId: record.customerId,
    decisionId: record.decisionId,
    locale: record.locale,
    text: shown.text,
    reasonsShown: record.reasonTexts,
    reviewRequested: record.reviewRequested,
  };
}

/** Maps an explanation record to a line of the compliance export. */
export function toComplianceExportLine(record: ExplanationRecord, shown: ShownText = { text: record.text, source: 'record' }): ComplianceExportLine {
  return {
    recordId: record.id,
    decisionId: record.decisionId,
    customerId: record.customerId,
    conversationId: record.conversationId,
    locale: record.locale,
    reasonsShown: record.codesShown,
    reasonsSuppressed: record.codesSuppressed,
    reasonTexts: record.reasonTexts,
    text: shown.text,
    textSource: shown.text === null ? null : shown.source,
    templateIds: record.templateIds,
    contentVersion: record.contentVersion,
    reviewRequested: record.reviewRequested,
    time: record.createdAt,
  };
}

/**
 * The text a record's customer saw. Records written since the text is kept carry it; for older ones it
 * is the bot's reply of the same turn (same conversation, same instant) while retention still keeps
 * the transcript.
 */
async function findShownText(store: Pick<TurnStore, 'listMessages'>, record: ExplanationRecord): Promise<ShownText> {
  if (record.text !== null) return { text: record.text, source: 'record' };
  const turn = (await store.listMessages(record.conversationId)).filter((message) => message.author === 'bot' && message.createdAt === record.createdAt);
  return turn.length === 0 ? { text: null, source: null } : { text: turn.map((message) => message.text).join('\n\n'), source: 'transcript' };
}

/** Writes the matching explanation records as JSON lines for the audience, oldest first; returns how many were written. */
export async function exportAuditRecords(
  store: AuditStore & Pick<TurnStore, 'listMessages'>,
  query: ExplanationQuery,
  audience: AuditAudience,
  write: (line: string) => void,
): Promise<number> {
  const records = await store.listExplanations(query);
  for (const record of records) {
    const shown = await findShownText(store, record);
    const line = audience === 'customer' ? toCustomerExportLine(record, shown) : toComplianceExportLine(record, shown);
    write(`${JSON.stringify(line)}\n`);
  }
  return records.length;
}
