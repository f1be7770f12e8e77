import type { CustomerChannel } from '../../core/reply.js';
import type { IncomingMessage, TurnHandler } from '../../core/turn.js';

/** The outcome of one web turn: handled (replies delivered), or failed with the error to report. */
export type WebTurnOutcome = { status: 'handled'; replies: number } | { status: 'failed'; error: unknown };

/** Runs verified web messages as turns (Botkit's runner is one), so the gateway does not depend on Botkit. */
export interface WebTurnRunner {
  receive(message: IncomingMessage): Promise<WebTurnOutcome>;
  shutdown(): Promise<void>;
}

/** What a web turn needs: the core's turn handler and the channel its replies go out through. */
export interface WebTurnDependencies {
  turns: TurnHandler;
  customerChannel: CustomerChannel;
}

/** One web turn, the same whichever runner runs it: the core handles the message and each reply goes out through the CustomerChannel. */
export async function runWebTurn(deps: WebTurnDependencies, message: IncomingMessage): Promise<WebTurnOutcome> {
  try {
    const result = await deps.turns.handle(message);
    for (const reply of result.replies) await deps.customerChannel.deliver(reply);
    return { status: 'handled', replies: result.replies.length };
  } catch (error) {
    return { status: 'failed', error };
  }
}
