import type { ExplanationRecord } from '../escalation-case.js';

/** Filters for reading explanation records. */
export interface ExplanationQuery {
  customerId?: string;
  from?: string;
  to?: string;
}

/** The audit trail: explanation records, read for export and review. */
export interface AuditStore {
  listExplanations(query: ExplanationQuery): Promise<ExplanationRecord[]>;
}
