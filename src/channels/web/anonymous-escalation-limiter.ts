import type { Clock } from '../../core/ports/clock.js';
import type { EscalationAttempt, EscalationLimiter } from '../../core/ports/escalation-limiter.js';
import type { Logger } from '../../core/ports/logger.js';

/** The caps on cases anonymous visitors may open; verified customers are never capped (their right to a human review). */
export interface AnonymousEscalationCaps {
  /** Cases one anonymous conversation may open per window. */
  perSession: number;
  /** Cases anonymous conversations from one client address (an IPv6 /64) may open per window. */
  perAddress: number;
  /** The window of the per-session and per-address caps, in ms. */
  windowMs: number;
  /** Cases all anonymous conversations together may open per minute. */
  perMinute: number;
}

/** Keys remembered per map; the oldest are forgotten first, so a flood of new sessions cannot grow memory without bound. */
const MAX_KEYS = 20_000;
const MINUTE_MS = 60_000;

/**
 * Caps the cases anonymous visitors open (per conversation, per client address, and in total per
 * minute), so a flood of anonymous sockets cannot flood the agents' channel. The web gateway tells
 * it each anonymous conversation's client address. Counts are per process: with several instances
 * behind a balancer, each caps its own share.
 */
export class AnonymousEscalationLimiter implements EscalationLimiter {
  private readonly caps: AnonymousEscalationCaps;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly addresses = new Map<string, string>();
  private readonly bySession = new Map<string, number[]>();
  private readonly byAddress = new Map<string, number[]>();
  private recent: number[] = [];

  constructor(deps: { caps: AnonymousEscalationCaps; clock: Clock; logger: Logger }) {
    this.caps = deps.caps;
    this.clock = deps.clock;
    this.logger = deps.logger;
  }

  /** Records the client address an anonymous conversation connects from (the latest one wins). */
  noteAddress(conversationId: string, address: string): void {
    remember(this.addresses, conversationId, addressKey(address));
  }

  /** Counts the case and returns true when the visitor is verified or every cap still has room. */
  tryOpen(attempt: EscalationAttempt): boolean {
    if (!attempt.isAnonymous) return true;
    const now = this.clock.now().getTime();
    const since = now - this.caps.windowMs;
    const address = this.addresses.get(attempt.conversationId);
    this.recent = this.recent.filter((at) => at > now - MINUTE_MS);
    const session = recentTimes(this.bySession, attempt.conversationId, since);
    const fromAddress = address === undefined ? [] : recentTimes(this.byAddress, address, since);

    const cap =
      session.length >= this.caps.perSession ? 'session' : fromAddress.length >= this.caps.perAddress ? 'address' : this.recent.length >= this.caps.perMinute ? 'total' : null;
    if (cap !== null) {
      this.logger.warn({ conversationId: attempt.conversationId, cap }, 'anonymous escalation refused: over the cap');
      return false;
    }
    this.recent.push(now);
    remember(this.bySession, attempt.conversationId, [...session, now]);
    if (address !== undefined) remember(this.byAddress, address, [...fromAddress, now]);
    return true;
  }
}

function recentTimes(map: Map<string, number[]>, key: string, since: number): number[] {
  return (map.get(key) ?? []).filter((at) => at > since);
}

/** Sets a key as the newest entry, forgetting the oldest beyond the bound. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_KEYS) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

/** IPv4 addresses count one by one; an IPv6 address counts by its /64, which one subscriber usually holds whole. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
