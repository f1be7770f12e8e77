/** Acknowledged deliveries older than the keep time are forgotten at most this often per recipient. */
const FORGET_ACKED_EVERY_MS = 60_000;
/** Recipients whose last forgetting time is remembered; the map starts over beyond this. */
const MAX_FORGET_TIMES = 50_000;

/**
 * When a recipient's long-acknowledged deliveries are forgotten: forgetting scans the recipient's rows,
 * so each store does it at most once a minute per recipient, not on every acknowledgement.
 */
export class AckedDeliveryForgetting {
  /** When each recipient's long-acknowledged deliveries were last forgotten (epoch ms). */
  private readonly forgottenAt = new Map<string, number>();

  /** True when the recipient is due for forgetting at `now` (epoch ms); the time is then recorded. */
  isDue(recipient: string, now: number): boolean {
    if (now - (this.forgottenAt.get(recipient) ?? 0) < FORGET_ACKED_EVERY_MS) return false;
    if (this.forgottenAt.size >= MAX_FORGET_TIMES) this.forgottenAt.clear();
    this.forgottenAt.set(recipient, now);
    return true;
  }
}
