import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';

/** Mismatch examples kept for the report. */
const MAX_PROBLEMS = 5;

/** Tallies shared by every session of one phase. */
export interface Tally {
  sent: number;
  replies: number;
  duplicated: number;
  wrong: number;
  problems: string[];
  /** Latencies (ms) of replies received inside the measured window (replies that crossed a reconnect left out). */
  latencies: number[];
  isMeasuring: boolean;
  windowReplies: number;
  /** Sessions that moved to another instance (each just after sending a message). */
  moves: number;
  /** Replies whose message was sent on one socket and that arrived on a socket to another instance. */
  crossInstanceReplies: number;
  /**
   * Replies received again on the new socket after a move: their ack was still on its way when the old
   * socket closed, so they were still kept. The widget drops a reply id it has shown, as this client does;
   * only a reply received twice on one socket counts as duplicated.
   */
  redeliveredAfterMove: number;
}

/** A fresh tally. */
export function newTally(): Tally {
  return { sent: 0, replies: 0, duplicated: 0, wrong: 0, problems: [], latencies: [], isMeasuring: false, windowReplies: 0, moves: 0, crossInstanceReplies: 0, redeliveredAfterMove: 0 };
}

/** Keeps a few examples of what went wrong. */
export function noteProblem(tally: Tally, problem: string): void {
  if (tally.problems.length < MAX_PROBLEMS) tally.problems.push(problem);
}

/** What one client sends next and how it recognises the answer. */
export interface Exchange {
  frame: string;
  /** Returns null when the frame is the expected answer, a description of the mismatch otherwise. */
  check(frame: ServerFrame): string | null;
}

/** A frame from the server, raw and parsed (null when it is not a JSON object). */
export interface ServerFrame {
  raw: string;
  json: Record<string, unknown> | null;
}

/** A planned move of a session to another instance: the first message sent after `at` leaves just before it. */
export interface PlannedReconnect {
  /** `performance.now()` after which the next message is the one sent before the socket closes. */
  at: number;
  /** The other instance (`ws://host:port`); the session keeps its path and query (its token). */
  instanceUrl: string;
}

/**
 * One benchmark websocket client in a closed loop: it sends a message, waits for its one reply,
 * checks it, and sends the next while `keepGoing()` says so. A planned reconnect sends a message,
 * closes the socket at once and opens one to another instance, where that message's reply must
 * arrive (kept by the first instance, or announced to the second one): exactly once, and right.
 */
export class BenchClient {
  private ws: WebSocket | null = null;
  private sequence = 0;
  private outstanding: { exchange: Exchange; sentAt: number; crossesReconnect: boolean } | null = null;
  /** Reply ids received lately, with the socket (counted from 0) each arrived on. */
  private readonly seenReplyIds = new Map<string, number>();
  private socketNumber = 0;
  private onIdle: (() => void) | null = null;
  keepGoing: () => boolean = () => false;
  reconnect: PlannedReconnect | null = null;

  constructor(
    private url: string,
    private readonly nextExchange: (sequence: number) => Exchange,
    private readonly tally: Tally,
    private readonly awaitsSessionFrame: boolean,
  ) {}

  /** Opens the socket and resolves once the server is ready for messages. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      this.ws = ws;
      let isOpen = false;
      const opened = () => {
        if (isOpen) return;
        isOpen = true;
        resolve();
      };
      ws.on('open', () => {
        if (!this.awaitsSessionFrame) opened();
      });
      ws.on('message', (data, isBinary) => {
        // A socket left behind by a reconnect is ignored: what it still receives is kept for the new one.
        if (ws !== this.ws) return;
        const frame = readFrame(data, isBinary);
        if (!isOpen && frame.json?.type === 'session') return opened();
        this.onFrame(frame);
      });
      ws.on('error', (error) => {
        if (!isOpen) reject(error);
      });
      ws.on('close', () => {
        if (!isOpen) reject(new Error('closed before ready'));
      });
    });
  }

  /** Sends the next message (does nothing while one is outstanding); moves to another instance when planned. */
  send(): void {
    if (this.outstanding || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    this.sequence += 1;
    const exchange = this.nextExchange(this.sequence);
    const move = this.reconnect !== null && performance.now() >= this.reconnect.at ? this.reconnect : null;
    this.outstanding = { exchange, sentAt: performance.now(), crossesReconnect: move !== null };
    this.tally.sent += 1;
    this.ws.send(exchange.frame);
    if (move) this.moveTo(move.instanceUrl);
  }

  /** Resolves when no message is outstanding. */
  idle(): Promise<void> {
    if (!this.outstanding) return Promise.resolve();
    return new Promise((resolve) => {
      this.onIdle = resolve;
    });
  }

  /** True while a message waits for its reply. */
  isWaiting(): boolean {
    return this.outstanding !== null;
  }

  close(): void {
    this.ws?.terminate();
  }

  /** Closes the socket (gracefully: the message just sent reaches the server first) and opens one to the other instance. */
  private moveTo(instanceUrl: string): void {
    this.reconnect = null;
    this.tally.moves += 1;
    this.ws?.close();
    this.socketNumber += 1;
    const next = new URL(this.url);
    next.host = new URL(instanceUrl).host;
    this.url = next.toString();
    this.connect().catch((error: unknown) => {
      noteProblem(this.tally, `reconnect to another instance failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private onFrame(frame: ServerFrame): void {
    const type = frame.json?.type;
    // Typing, history and delivery receipts are not replies.
    if (type === 'typing' || type === 'session' || type === 'history' || type === 'delivered') return;
    const replyId = typeof frame.json?.id === 'string' && type === 'message' ? frame.json.id : null;
    // Candor keeps each reply until the widget acknowledges it; the client acks like the widget does.
    if (replyId !== null && this.awaitsSessionFrame) this.ws?.send(JSON.stringify({ type: 'ack', id: replyId }));
    if (replyId !== null) {
      const seenOn = this.seenReplyIds.get(replyId);
      if (seenOn !== undefined && seenOn < this.socketNumber) {
        this.tally.redeliveredAfterMove += 1;
        return;
      }
      if (seenOn !== undefined) {
        this.tally.duplicated += 1;
        noteProblem(this.tally, `reply ${replyId} received twice`);
        return;
      }
      this.seenReplyIds.set(replyId, this.socketNumber);
      if (this.seenReplyIds.size > 64) this.seenReplyIds.delete(this.seenReplyIds.keys().next().value as string);
    }
    const outstanding = this.outstanding;
    if (!outstanding) {
      this.tally.duplicated += 1;
      noteProblem(this.tally, `unexpected frame with nothing outstanding: ${frame.raw.slice(0, 120)}`);
      return;
    }
    this.outstanding = null;
    this.tally.replies += 1;
    if (outstanding.crossesReconnect) this.tally.crossInstanceReplies += 1;
    const mismatch = outstanding.exchange.check(frame);
    if (mismatch !== null) {
      this.tally.wrong += 1;
      noteProblem(this.tally, mismatch);
    }
    if (this.tally.isMeasuring) {
      this.tally.windowReplies += 1;
      // A reply that waited for a new socket measures the reconnect, not the server.
      if (!outstanding.crossesReconnect) this.tally.latencies.push(performance.now() - outstanding.sentAt);
    }
    const idle = this.onIdle;
    this.onIdle = null;
    idle?.();
    if (this.keepGoing()) this.send();
  }
}

function readFrame(data: RawData, isBinary: boolean): ServerFrame {
  const raw = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
  if (isBinary) return { raw, json: null };
  try {
    const json: unknown = JSON.parse(raw);
    return { raw, json: typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : null };
  } catch {
    return { raw, json: null };
  }
}
