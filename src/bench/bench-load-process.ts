import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, type RawData } from 'ws';
import { z } from 'zod';
import { ChatTokenService } from '../channels/web/chat-token-service.js';
import type { Locale } from '../core/locale.js';
import { benchCustomerId, buildBenchScripts, expectedReply, type BenchScript } from './bench-questions.js';
import { readProcessStats, type ProcessStats } from './process-stats.js';
import { benchServerKinds, type BenchServerResult } from './bench-result.js';

/** What the orchestrator tells the load process before the server starts. */
export const prepareMessageSchema = z.object({
  type: z.literal('prepare'),
  kind: z.enum(benchServerKinds),
  clients: z.number().int().positive(),
  idleSessions: z.number().int().nonnegative(),
  seconds: z.number().positive(),
  warmupSeconds: z.number().nonnegative(),
  ticksPerSecond: z.number().positive(),
  token: z.object({ secret: z.string().min(32), audience: z.string(), issuer: z.string() }),
});

/** Sent once the server process exists: where it listens, its pid, and when it was spawned (epoch ms). */
export const goMessageSchema = z.object({
  type: z.literal('go'),
  url: z.string(),
  serverPid: z.number().int().positive(),
  spawnedAt: z.number(),
});

/** Messages the load process sends back. */
export type LoadProcessMessage = { type: 'ready' } | { type: 'result'; result: BenchServerResult } | { type: 'failed'; error: string };

type PrepareMessage = z.infer<typeof prepareMessageSchema>;

/** Sessions are connected this many at a time, so a burst of upgrades does not overflow the listen backlog. */
const CONNECT_CONCURRENCY = 100;
/** Sequential turns on the probe session before the idle-memory baseline (JIT and young-generation warm-up). */
const PROBE_WARMUP_TURNS = 300;
/** How long outstanding messages may take to be answered after the measured window before they count as lost. */
const DRAIN_TIMEOUT_MS = 15_000;
/** Mismatch examples kept for the report. */
const MAX_PROBLEMS = 5;

/** Tallies shared by every session of one phase. */
interface Tally {
  sent: number;
  replies: number;
  duplicated: number;
  wrong: number;
  problems: string[];
  /** Latencies (ms) of replies received inside the measured window. */
  latencies: number[];
  isMeasuring: boolean;
  windowReplies: number;
}

function newTally(): Tally {
  return { sent: 0, replies: 0, duplicated: 0, wrong: 0, problems: [], latencies: [], isMeasuring: false, windowReplies: 0 };
}

function noteProblem(tally: Tally, problem: string): void {
  if (tally.problems.length < MAX_PROBLEMS) tally.problems.push(problem);
}

/** What one client sends next and how it recognises the answer. */
interface Exchange {
  frame: string;
  /** Returns null when the frame is the expected answer, a description of the mismatch otherwise. */
  check(frame: ServerFrame): string | null;
}

interface ServerFrame {
  raw: string;
  json: Record<string, unknown> | null;
}

/**
 * One benchmark websocket client in a closed loop: it sends a message, waits for its one reply,
 * checks it, and sends the next while `keepGoing()` says so.
 */
class BenchClient {
  private ws: WebSocket | null = null;
  private sequence = 0;
  private outstanding: { exchange: Exchange; sentAt: number } | null = null;
  private readonly seenReplyIds = new Set<string>();
  private onIdle: (() => void) | null = null;
  keepGoing: () => boolean = () => false;

  constructor(
    private readonly url: string,
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

  /** Sends the next message (does nothing while one is outstanding). */
  send(): void {
    if (this.outstanding || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    this.sequence += 1;
    const exchange = this.nextExchange(this.sequence);
    this.outstanding = { exchange, sentAt: performance.now() };
    this.tally.sent += 1;
    this.ws.send(exchange.frame);
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

  private onFrame(frame: ServerFrame): void {
    const type = frame.json?.type;
    // Typing, history and delivery receipts are not replies.
    if (type === 'typing' || type === 'session' || type === 'history' || type === 'delivered') return;
    const replyId = typeof frame.json?.id === 'string' && type === 'message' ? frame.json.id : null;
    // Candor keeps each reply until the widget acknowledges it; the client acks like the widget does.
    if (replyId !== null && this.awaitsSessionFrame) this.ws?.send(JSON.stringify({ type: 'ack', id: replyId }));
    if (replyId !== null) {
      if (this.seenReplyIds.has(replyId)) {
        this.tally.duplicated += 1;
        noteProblem(this.tally, `reply ${replyId} received twice`);
        return;
      }
      this.seenReplyIds.add(replyId);
      if (this.seenReplyIds.size > 64) this.seenReplyIds.delete(this.seenReplyIds.values().next().value as string);
    }
    const outstanding = this.outstanding;
    if (!outstanding) {
      this.tally.duplicated += 1;
      noteProblem(this.tally, `unexpected frame with nothing outstanding: ${frame.raw.slice(0, 120)}`);
      return;
    }
    this.outstanding = null;
    this.tally.replies += 1;
    const mismatch = outstanding.exchange.check(frame);
    if (mismatch !== null) {
      this.tally.wrong += 1;
      noteProblem(this.tally, mismatch);
    }
    if (this.tally.isMeasuring) {
      this.tally.windowReplies += 1;
      this.tally.latencies.push(performance.now() - outstanding.sentAt);
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

/** Builds the clients of one server kind: URLs, frames and reply checks. */
interface ClientFactory {
  create(index: number, tally: Tally, wsUrl: string): Promise<BenchClient>;
}

/** Everything slow (content, expected replies) happens here, before the server is spawned. */
function createClientFactory(prepare: PrepareMessage): ClientFactory {
  if (prepare.kind === 'echo') {
    return {
      async create(index, tally, wsUrl) {
        return new BenchClient(`${wsUrl}/`, (sequence) => echoExchange(JSON.stringify({ type: 'message', id: `c${index}m${sequence}`, text: 'why did my limit drop' })), tally, false);
      },
    };
  }
  if (prepare.kind === 'botkit') {
    return {
      async create(index, tally, wsUrl) {
        const user = `bench-user-${index}`;
        return new BenchClient(
          `${wsUrl}/`,
          (sequence) => {
            const text = `why did my limit drop #${index}.${sequence}`;
            return {
              frame: JSON.stringify({ type: 'message', text, user, channel: 'websocket' }),
              check: (frame) => (frame.json?.type === 'message' && frame.json.text === text ? null : `expected the echo of "${text}", got ${frame.raw.slice(0, 120)}`),
            };
          },
          tally,
          false,
        );
      },
    };
  }
  const tokens = new ChatTokenService({ secret: new TextEncoder().encode(prepare.token.secret), audience: prepare.token.audience, issuer: prepare.token.issuer, ttlSeconds: 3600 });
  const scripts = buildBenchScripts();
  const demoIds = [...scripts.keys()];
  return {
    async create(index, tally, wsUrl) {
      const demoId = demoIds[index % demoIds.length] as string;
      const locale: Locale = Math.floor(index / demoIds.length) % 2 === 0 ? 'en' : 'zh-CN';
      const questions = scripts.get(demoId)?.[locale] as BenchScript[];
      const customerId = benchCustomerId(demoId, index);
      const { token } = await tokens.issue(customerId);
      // The session's conversation context, as Candor keeps it: the decision it last explained.
      let explained: string | null = null;
      return new BenchClient(
        `${wsUrl}/chat/socket?token=${encodeURIComponent(token)}&locale=${locale}`,
        (sequence) => {
          const script = questions[(index + sequence) % questions.length] as BenchScript;
          return {
            frame: JSON.stringify({ type: 'message', id: `m${sequence}`, text: script.question.text, locale }),
            check: (frame) => {
              if (frame.json?.type !== 'message') return `${customerId} "${script.question.text}": expected a reply, got ${frame.raw.slice(0, 160)}`;
              const expected = expectedReply(script, explained);
              explained = expected.explained;
              if (frame.json.text !== expected.text) {
                return `${customerId} "${script.question.text}" (${script.question.intent}): got ${JSON.stringify(String(frame.json.text).slice(0, 160))}`;
              }
              return null;
            },
          };
        },
        tally,
        true,
      );
    },
  };
}

function echoExchange(frame: string): Exchange {
  return { frame, check: (reply) => (reply.raw === frame ? null : `expected the same payload back, got ${reply.raw.slice(0, 120)}`) };
}

/** Connects `count` clients (indices from `firstIndex`), a bounded number at a time. */
async function connectClients(factory: ClientFactory, wsUrl: string, firstIndex: number, count: number, tally: Tally): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next;
      next += 1;
      const client = await factory.create(firstIndex + index, tally, wsUrl);
      await client.connect();
      clients[index] = client;
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, () => worker()));
  return clients;
}

/** Each client sends one message and waits for its reply, a bounded number at a time. */
async function oneTurnEach(clients: BenchClient[]): Promise<void> {
  let next = 0;
  async function worker(): Promise<void> {
    while (next < clients.length) {
      const client = clients[next] as BenchClient;
      next += 1;
      client.send();
      await client.idle();
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, clients.length) }, () => worker()));
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] as number;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Runs every phase against one server: cold start, idle-session memory, the closed loop, the drain. */
async function runAgainstServer(prepare: PrepareMessage, factory: ClientFactory, go: z.infer<typeof goMessageSchema>): Promise<BenchServerResult> {
  const stats = (): ProcessStats => readProcessStats(go.serverPid, prepare.ticksPerSecond);
  const tally = newTally();
  const wsUrl = go.url.replace(/^http/, 'ws');

  // Cold start: spawn to the first checked reply.
  let probe: BenchClient | null = null;
  const probeIndex = prepare.clients + prepare.idleSessions;
  while (!probe) {
    const candidate = await factory.create(probeIndex, tally, wsUrl);
    try {
      await candidate.connect();
      probe = candidate;
    } catch {
      candidate.close();
      if (Date.now() - go.spawnedAt > 60_000) throw new Error('the server did not accept a connection within 60 s');
      await sleep(10);
    }
  }
  probe.send();
  await probe.idle();
  const coldStartMs = Date.now() - go.spawnedAt;
  for (let turn = 0; turn < PROBE_WARMUP_TURNS; turn += 1) {
    probe.send();
    await probe.idle();
  }

  // Memory per idle session: each connects and takes one turn, then stays connected.
  let rssPerSessionKb: number | null = null;
  if (prepare.idleSessions > 0) {
    await sleep(200);
    const before = stats().rssKb;
    const idle = await connectClients(factory, wsUrl, prepare.clients, prepare.idleSessions, tally);
    await oneTurnEach(idle);
    await sleep(500);
    const after = stats().rssKb;
    rssPerSessionKb = round2((after - before) / prepare.idleSessions);
    for (const client of idle) client.close();
  }

  // The closed loop: warm up, then measure.
  const clients = await connectClients(factory, wsUrl, 0, prepare.clients, tally);
  let isRunning = true;
  for (const client of clients) {
    client.keepGoing = () => isRunning;
    client.send();
  }
  await sleep(prepare.warmupSeconds * 1000);
  const start = stats();
  const startedAt = performance.now();
  tally.isMeasuring = true;
  await sleep(prepare.seconds * 1000);
  tally.isMeasuring = false;
  const end = stats();
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  isRunning = false;

  const drainDeadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (clients.some((client) => client.isWaiting()) && performance.now() < drainDeadline) await sleep(20);
  const lost = clients.filter((client) => client.isWaiting()).length;
  // Late duplicates would arrive now; give them a moment.
  await sleep(200);
  const rssEndKb = stats().rssKb;
  for (const client of clients) client.close();
  probe.close();

  const latencies = Float64Array.from(tally.latencies).sort();
  const windowReplies = tally.windowReplies;
  return {
    kind: prepare.kind,
    clients: prepare.clients,
    seconds: round2(elapsedSeconds),
    repliesPerSec: Math.round(windowReplies / elapsedSeconds),
    p50Ms: round2(percentile(latencies, 0.5)),
    p95Ms: round2(percentile(latencies, 0.95)),
    p99Ms: round2(percentile(latencies, 0.99)),
    cpuUsPerReply: windowReplies === 0 ? null : Math.round((end.cpuUs - start.cpuUs) / windowReplies),
    serverCpuCores: round2((end.cpuUs - start.cpuUs) / 1_000_000 / elapsedSeconds),
    rssEndMb: round2(rssEndKb / 1024),
    rssPerSessionKb,
    coldStartMs,
    sent: tally.sent,
    replies: tally.replies,
    lost,
    duplicated: tally.duplicated,
    wrong: tally.wrong,
    problems: tally.problems,
  };
}

function post(message: LoadProcessMessage): void {
  process.send?.(message);
}

/** The load process: prepares clients, waits for the server, drives it, and reports one result. */
async function main(): Promise<void> {
  if (!process.send) throw new Error('the load process is started by bench-chat-cli over IPC');
  const prepare = prepareMessageSchema.parse(await nextMessage());
  const factory = createClientFactory(prepare);
  const goPromise = nextMessage();
  post({ type: 'ready' });
  const go = goMessageSchema.parse(await goPromise);
  const result = await runAgainstServer(prepare, factory, go);
  post({ type: 'result', result });
}

function nextMessage(): Promise<unknown> {
  return new Promise((resolve) => process.once('message', resolve));
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    post({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
    process.disconnect?.();
  },
);
