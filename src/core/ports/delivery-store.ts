/** A reply kept for a customer until one of their sockets acknowledges it. */
export interface PendingDelivery {
  id: string;
  recipient: string;
  payload: Record<string, unknown>;
  /** Optional: `payload` already serialised as JSON by the caller, so the store need not serialise it again. */
  payloadJson?: string;
  createdAt: string;
  /** When a socket acknowledged it; only listed when asked for with `includeAckedSince`. */
  ackedAt?: string;
}

/** Offline deliveries: replies kept for a customer until one of their sockets acknowledges them. */
export interface DeliveryStore {
  enqueueDelivery(delivery: PendingDelivery): Promise<void>;
  /**
   * The recipient's unacknowledged replies, oldest first; with `includeAckedSince`, also those
   * acknowledged at or after that instant (another instance's socket may have acknowledged a reply
   * a socket here has not seen yet).
   */
  listPendingDeliveries(recipient: string, options?: { includeAckedSince?: string }): Promise<PendingDelivery[]>;
  /** Marks a reply acknowledged; it is no longer pending, and is forgotten a few minutes later. */
  ackDelivery(recipient: string, id: string): Promise<void>;
}
