import type { AuditStore, ExplanationQuery } from '../core/ports/audit-store.js';
import type { ExplanationRecord } from '../core/escalation-case.js';

/** One line of the audit export: what Candor told a customer about one decision, and from which content. */
export interface AuditExportLine {
  recordId: string;
  decisionId: string;
  customerId: string;
  conversationId: string;
  locale: string;
  reasonsShown: string[];
  reasonsSuppressed: string[];
  templateIds: string[];
  contentVersion: string;
  reviewRequested: boolean;
  time: string;
}

/** Maps an explanation record to its export line. */
export function toAuditExportLine(record: ExplanationRecord): AuditExportLine {
  return {
    recordId: record.id,
    decisionId: record.decisionId,
    customerId: record.customerId,
    conversationId: record.conversationId,
    locale: record.locale,
    reasonsShown: record.codesShown,
    reasonsSuppressed: record.codesSuppressed,
    templateIds: record.templateIds,
    contentVersion: record.contentVersion,
    reviewRequested: record.reviewRequested,
    time: record.createdAt,
  };
}

/** Writes the matching explanation records as JSON lines, oldest first; returns how many were written. */
export async function exportAuditRecords(store: AuditStore, query: ExplanationQuery, write: (line: string) => void): Promise<number> {
  const records = await store.listExplanations(query);
  for (const record of records) write(`${JSON.stringify(toAuditExportLine(record))}\n`);
  return records.length;
}
