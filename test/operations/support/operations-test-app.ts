import { loadConfig, type CandorConfig } from '../../../src/config/load-config.js';
import type { Clock, IdGenerator } from '../../../src/core/ports/clock.js';
import type { ConversationStore } from '../../../src/core/ports/conversation-store.js';
import type { Logger } from '../../../src/core/ports/logger.js';
import type { CandorMetrics } from '../../../src/observability/candor-metrics.js';
import type { IncomingMessage, TurnHandler, TurnResult } from '../../../src/core/turn.js';
import { buildCandor, type Candor } from '../../../src/main.js';

/** A clock a test moves by hand. */
export class ManualClock implements Clock {
  private at: number;
  constructor(iso: string) {
    this.at = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.at);
  }
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** Ids `op-1`, `op-2`, … so test output is readable. */
export function countingIds(prefix = 'op-'): IdGenerator {
  let n = 0;
  return { next: () => `${prefix}${(n += 1)}` };
}

/** The real Candor (buildCandor on in-memory SQLite unless env says otherwise) wired with the operations decorators as the composition root should. */
export interface OperationsTestApp {
  config: CandorConfig;
  candor: Candor;
  metrics: CandorMetrics;
  /** The instrumented turn handler. */
  turns: TurnHandler;
  store: ConversationStore;
  say(conversationId: string, customerId: string | null, text: string, extra?: Partial<IncomingMessage>): Promise<TurnResult>;
  close(): Promise<void>;
}

/** Builds the real app with buildCandor, which wires the metrics decorators itself. */
export async function startOperationsTestApp(options: { env?: Record<string, string>; logger?: Logger; clock?: Clock; ids?: IdGenerator } = {}): Promise<OperationsTestApp> {
  const result = loadConfig({ SQLITE_PATH: ':memory:', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...options.env });
  if (!result.ok) throw new Error(result.problems);
  const config = result.config;
  const candor = await buildCandor(config, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
  });
  return {
    config,
    candor,
    metrics: candor.metrics,
    turns: candor.turns,
    store: candor.store,
    say: (conversationId, customerId, text, extra = {}) =>
      candor.turns.handle({ conversationId, channel: 'web', customerId, locale: 'en', text, ...extra }),
    close: () => candor.close(),
  };
}

/** Reads one sample's value from Prometheus text, or undefined when absent; labels must match exactly. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]\w*=")/)
      .filter((part) => part !== '')
      .sort()
      .join(',');
    if (got === wanted) return Number(match[3]);
  }
  return undefined;
}
