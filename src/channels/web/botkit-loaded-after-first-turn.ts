import { silentLogger, type Logger } from '../../core/ports/logger.js';
import type { IncomingMessage } from '../../core/turn.js';
import type { ConnectionLookup } from './candor-web-adapter.js';
import { runWebTurn, type WebTurnDependencies, type WebTurnOutcome, type WebTurnRunner } from './web-turn-runner.js';

/** What the runner needs: the turn's dependencies, the sockets Botkit's adapter asks about, and how to load Botkit. */
export interface BotkitLoadedAfterFirstTurnDependencies extends WebTurnDependencies {
  connections: ConnectionLookup;
  logger?: Logger;
  /** Loads the Botkit runner; by default imports `candor-web-adapter.ts` (Botkit and the Bot Framework). */
  loadBotkit?: () => Promise<(deps: WebTurnDependencies & { connections: ConnectionLookup }) => WebTurnRunner>;
}

/**
 * The web channel's turns through Botkit, with Botkit imported once the first turn has been answered:
 * importing Botkit and the Bot Framework beneath it takes most of a second, which would otherwise all come
 * before the first reply after a start. Until it has loaded, turns run `runWebTurn` directly, the
 * same function Botkit's message handler runs, so every reply is the same either way.
 */
export class BotkitLoadedAfterFirstTurn implements WebTurnRunner {
  private botkit: WebTurnRunner | null = null;
  private loading: Promise<void> | null = null;
  private readonly logger: Logger;

  constructor(private readonly deps: BotkitLoadedAfterFirstTurnDependencies) {
    this.logger = deps.logger ?? silentLogger;
  }

  async receive(message: IncomingMessage): Promise<WebTurnOutcome> {
    if (this.botkit !== null) return this.botkit.receive(message);
    const outcome = await runWebTurn(this.deps, message);
    // After this turn's replies have been written, not before them.
    if (this.loading === null) setImmediate(() => void this.load());
    return outcome;
  }

  /** True once turns run through Botkit. */
  runsThroughBotkit(): boolean {
    return this.botkit !== null;
  }

  /** Loads Botkit (once); resolves when later turns run through it. A failed load is logged and turns keep running without it. */
  load(): Promise<void> {
    this.loading ??= (this.deps.loadBotkit ?? importBotkitRunner)().then(
      (create) => {
        this.botkit = create(this.deps);
      },
      (error: unknown) => this.logger.error({ err: error }, 'Botkit could not be loaded; web turns keep running without it'),
    );
    return this.loading;
  }

  async shutdown(): Promise<void> {
    await this.loading;
    await this.botkit?.shutdown();
  }
}

async function importBotkitRunner(): Promise<(deps: WebTurnDependencies & { connections: ConnectionLookup }) => WebTurnRunner> {
  return (await import('./candor-web-adapter.js')).createBotkitTurnRunner;
}
