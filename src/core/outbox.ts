/** What an outbox item asks the escalation worker to do in Slack (or any other agent desk). */
export type OutboxTopic =
  | 'case.created'
  | 'case.updated'
  | 'case.message'
  | 'case.reping'
  | 'case.delete_thread';

/** An item written in the same transaction as the row it announces. */
export interface NewOutboxItem {
  id: string;
  topic: OutboxTopic;
  /** The case the item belongs to; items of one case are delivered in order. */
  caseId: string;
  /** JSON-serialisable payload; redacted text only. */
  payload: Record<string, unknown>;
  createdAt: string;
}

/** Where an outbox item is in its life. */
export type OutboxStatus = 'pending' | 'done' | 'dead';

/** A stored outbox item with its delivery bookkeeping. */
export interface OutboxItem extends NewOutboxItem {
  seq: number;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  /** What the desk returned when done, e.g. `{ "channel": "C1", "ts": "1.2" }`. */
  result: Record<string, unknown> | null;
}
