/** A case the core is about to open, as the limiter sees it. */
export interface EscalationAttempt {
  conversationId: string;
  /** True for a visitor without a verified identity. */
  isAnonymous: boolean;
}

/** Decides whether one more case may be opened now (caps against floods); a refused attempt opens nothing. */
export interface EscalationLimiter {
  /** Returns true and counts the case when it is within every cap; false when some cap is reached. */
  tryOpen(attempt: EscalationAttempt): boolean;
}
