/** A per-connection rate limiter: `burst` tokens, refilled at `perSecond`; each frame takes one. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly burst: number;
  private readonly perMs: number;
  private readonly now: () => number;

  constructor(options: { burst: number; perSecond: number; now?: () => number }) {
    this.burst = options.burst;
    this.perMs = options.perSecond / 1000;
    this.now = options.now ?? Date.now;
    this.tokens = options.burst;
    this.updatedAt = this.now();
  }

  /** Takes one token; returns false when the bucket is empty. */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * this.perMs);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
