import { performance } from 'node:perf_hooks';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import type { IncomingMessage, TurnHandler, TurnResult } from '../core/turn.js';
import type { CandorMetrics } from './candor-metrics.js';

/**
 * Wraps a TurnHandler so every turn is counted (channel, intent, action), timed, and its fallbacks,
 * clarifications and escalations recorded; the core stays free of prom-client. The customer's text
 * is logged at debug only, with the conversation id, and the logger redacts it.
 */
export function instrumentTurnHandler(turns: TurnHandler, metrics: CandorMetrics, logger: Logger = silentLogger): TurnHandler {
  return {
    async handle(message: IncomingMessage): Promise<TurnResult> {
      const channel = message.channel;
      const started = performance.now();
      logger.debug({ conversationId: message.conversationId, channel, text: message.text, topic: message.topic ?? null }, 'customer message');
      let result: TurnResult;
      try {
        result = await turns.handle(message);
      } catch (error) {
        metrics.turnFailures.inc({ channel });
        logger.error({ conversationId: message.conversationId, channel, err: error }, 'turn failed');
        throw error;
      } finally {
        metrics.turnSeconds.observe({ channel }, (performance.now() - started) / 1000);
      }
      metrics.turns.inc({ channel, intent: result.intent ?? 'none', action: result.action ?? 'duplicate' });
      if (result.action === 'out_of_scope') metrics.fallbacks.inc({ channel });
      if (result.action === 'clarify') metrics.clarifications.inc({ channel });
      if (result.escalation !== null) metrics.escalations.inc({ trigger: result.escalation });
      return result;
    },
  };
}
