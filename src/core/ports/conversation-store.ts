import type { AuditStore } from './audit-store.js';
import type { CaseStore } from './case-store.js';
import type { DeliveryStore } from './delivery-store.js';
import type { OperationsQueries } from './operations-queries.js';
import type { OutboxStore } from './outbox-store.js';
import type { RetentionStore } from './retention-store.js';
import type { TurnStore } from './turn-store.js';

export type { AuditStore, ExplanationQuery } from './audit-store.js';
export type { CaseStore, ClaimResult } from './case-store.js';
export type { DeliveryStore, PendingDelivery } from './delivery-store.js';
export type { ConversationSummary, CountedValue, OperationsQueries, TimeRange } from './operations-queries.js';
export type { OutboxStore } from './outbox-store.js';
export type { AuditPurgeResult, CustomerErasureResult, RetentionPass, RetentionSteps, RetentionStore, TranscriptPurgeResult } from './retention-store.js';
export type { SaveTurnOutcome, TurnState, TurnStore, TurnWrite } from './turn-store.js';

/** Candor's persistence: every store port over one database, with readiness and shutdown. */
export interface ConversationStore extends TurnStore, CaseStore, OutboxStore, DeliveryStore, AuditStore, OperationsQueries, RetentionStore {
  /** Throws `storage_unavailable` unless the database answers a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
