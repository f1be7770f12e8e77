/** Spaces Candor's writes to each Slack channel (about one a second) and pauses a channel after a 429. */
export class ChannelRateLimiter {
  private readonly nextFreeAt = new Map<string, number>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Waits for the channel's next free slot and reserves it; callers are served in the order they asked. */
  async acquire(channel: string): Promise<void> {
    const now = this.nowMs();
    const slot = Math.max(now, this.nextFreeAt.get(channel) ?? 0);
    this.nextFreeAt.set(channel, slot + this.minIntervalMs);
    const waitMs = slot - now;
    if (waitMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, waitMs));
  }

  /** Holds every write to the channel for `ms` (Slack's Retry-After). */
  pause(channel: string, ms: number): void {
    const until = this.nowMs() + ms;
    this.nextFreeAt.set(channel, Math.max(until, this.nextFreeAt.get(channel) ?? 0));
  }
}
