/** What a DeliverySignal calls back on the instance that listens. */
export interface DeliverySignalHandlers {
  /** A recipient this instance watches has new kept replies (possibly already acknowledged elsewhere). */
  onPending(recipient: string): void;
  /** Signals may have been missed (the listener reconnected): every watched recipient should be re-scanned. */
  onResync(): void;
}

/**
 * Tells the instances that hold a customer's sockets that a reply was kept for them, so a reply
 * stored by one instance reaches sockets open on another; carries no message text and no customer id.
 */
export interface DeliverySignal {
  /** Starts listening and calls the handlers from then on; resolves once listening. */
  start(handlers: DeliverySignalHandlers): Promise<void>;
  /** Announces, to every instance, that kept replies wait for this recipient. */
  announce(recipient: string): Promise<void>;
  /** This instance holds a socket of the recipient: report its signals. */
  watch(recipient: string): void;
  /** This instance holds no socket of the recipient any more. */
  unwatch(recipient: string): void;
  /** Stops listening. */
  close(): Promise<void>;
}

/** The signal of a single instance: every socket is local, so there is no one else to tell. */
export const localDeliverySignal: DeliverySignal = {
  start: async () => undefined,
  announce: async () => undefined,
  watch: () => undefined,
  unwatch: () => undefined,
  close: async () => undefined,
};
