import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ChatTokenService } from '../channels/web/chat-token-service.js';
import type { Locale } from '../core/locale.js';
import { BenchClient, newTally, type Exchange, type Tally } from './bench-client.js';
import { PostgresCpuReader, postgresCpuUsBetween } from './bench-postgres.js';
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

/**
 * Sent once the server processes exist: where each instance listens and its pid, when they were spawned
 * (epoch ms), and the benchmark's own Postgres database when Candor stores there (its server's CPU is read too).
 */
export const goMessageSchema = z.object({
  type: z.literal('go'),
  urls: z.array(z.string()).min(1),
  serverPids: z.array(z.number().int().positive()).min(1),
  spawnedAt: z.number(),
  postgres: z.object({ url: z.string(), database: z.string() }).nullable(),
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
/** With several instances, one session in this many moves to the next instance once during the measured window. */
const RECONNECT_EVERY = 10;

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

/** Connects `count` clients (indices from `firstIndex`), client i to instance i mod N, a bounded number at a time. */
async function connectClients(factory: ClientFactory, wsUrls: string[], firstIndex: number, count: number, tally: Tally): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next;
      next += 1;
      const client = await factory.create(firstIndex + index, tally, instanceUrl(wsUrls, firstIndex + index));
      await client.connect();
      clients[index] = client;
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, () => worker()));
  return clients;
}

/** The instance a session index is spread to (round robin). */
function instanceUrl(wsUrls: string[], index: number): string {
  return wsUrls[index % wsUrls.length] as string;
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

/** Sums the CPU and RSS of every instance. */
function readInstancesStats(pids: number[], ticksPerSecond: number): ProcessStats {
  const total = { cpuUs: 0, rssKb: 0 };
  for (const pid of pids) {
    const one = readProcessStats(pid, ticksPerSecond);
    total.cpuUs += one.cpuUs;
    total.rssKb += one.rssKb;
  }
  return total;
}

/** Connects a first session to an instance, retrying while it starts; resolves once its first reply is checked. */
async function probeInstance(factory: ClientFactory, index: number, tally: Tally, wsUrl: string, spawnedAt: number): Promise<BenchClient> {
  for (;;) {
    const candidate = await factory.create(index, tally, wsUrl);
    try {
      await candidate.connect();
      candidate.send();
      await candidate.idle();
      return candidate;
    } catch {
      candidate.close();
      if (Date.now() - spawnedAt > 60_000) throw new Error('the server did not accept a connection within 60 s');
      await sleep(10);
    }
  }
}

/**
 * Runs every phase against one deployment (one server, or several Candor instances on one Postgres
 * database): cold start, idle-session memory, the closed loop, the drain. Sessions are spread over the
 * instances; with more than one, every RECONNECT_EVERY-th session moves to the next instance once,
 * mid-window, just after sending a message, whose reply must then reach it there.
 */
async function runAgainstServer(prepare: PrepareMessage, factory: ClientFactory, go: z.infer<typeof goMessageSchema>): Promise<BenchServerResult> {
  const stats = (): ProcessStats => readInstancesStats(go.serverPids, prepare.ticksPerSecond);
  const tally = newTally();
  const wsUrls = go.urls.map((url) => url.replace(/^http/, 'ws'));

  // Cold start: spawn to the first checked reply, from every instance.
  const probeIndex = prepare.clients + prepare.idleSessions;
  const probes = await Promise.all(wsUrls.map((wsUrl, instance) => probeInstance(factory, probeIndex + instance, tally, wsUrl, go.spawnedAt)));
  const coldStartMs = Date.now() - go.spawnedAt;
  for (let turn = 0; turn < PROBE_WARMUP_TURNS; turn += 1) {
    await Promise.all(
      probes.map((probe) => {
        probe.send();
        return probe.idle();
      }),
    );
  }

  // Memory per idle session: each connects and takes one turn, then stays connected.
  let rssPerSessionKb: number | null = null;
  if (prepare.idleSessions > 0) {
    await sleep(200);
    const before = stats().rssKb;
    const idle = await connectClients(factory, wsUrls, prepare.clients, prepare.idleSessions, tally);
    await oneTurnEach(idle);
    await sleep(500);
    const after = stats().rssKb;
    rssPerSessionKb = round2((after - before) / prepare.idleSessions);
    for (const client of idle) client.close();
  }

  // The closed loop: warm up, then measure.
  const clients = await connectClients(factory, wsUrls, 0, prepare.clients, tally);
  const postgres = go.postgres === null ? null : await PostgresCpuReader.open(go.postgres.url, go.postgres.database, prepare.ticksPerSecond);
  let isRunning = true;
  for (const client of clients) {
    client.keepGoing = () => isRunning;
    client.send();
  }
  await sleep(prepare.warmupSeconds * 1000);
  const start = stats();
  const postgresStart = await postgres?.sample();
  const startedAt = performance.now();
  tally.isMeasuring = true;
  const movers = wsUrls.length > 1 ? clients.filter((_, index) => index % RECONNECT_EVERY === 0) : [];
  movers.forEach((client, order) => {
    // Spread over the middle of the window, so the moves do not all land in one turn of the loop.
    const at = startedAt + prepare.seconds * 1000 * (0.1 + (0.7 * order) / Math.max(1, movers.length));
    client.reconnect = { at, instanceUrl: instanceUrl(wsUrls, clients.indexOf(client) + 1) };
  });
  await sleep(prepare.seconds * 1000);
  tally.isMeasuring = false;
  const end = stats();
  const postgresEnd = await postgres?.sample();
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  isRunning = false;
  await postgres?.close();

  const drainDeadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (clients.some((client) => client.isWaiting()) && performance.now() < drainDeadline) await sleep(20);
  const lost = clients.filter((client) => client.isWaiting()).length;
  // Late duplicates would arrive now; give them a moment.
  await sleep(200);
  const rssEndKb = stats().rssKb;
  for (const client of clients) client.close();
  for (const probe of probes) probe.close();

  const latencies = Float64Array.from(tally.latencies).sort();
  const windowReplies = tally.windowReplies;
  const postgresCpuUs = postgresCpuUsBetween(postgresStart ?? null, postgresEnd ?? null);
  return {
    kind: prepare.kind,
    clients: prepare.clients,
    instances: wsUrls.length,
    seconds: round2(elapsedSeconds),
    repliesPerSec: Math.round(windowReplies / elapsedSeconds),
    p50Ms: round2(percentile(latencies, 0.5)),
    p95Ms: round2(percentile(latencies, 0.95)),
    p99Ms: round2(percentile(latencies, 0.99)),
    cpuUsPerReply: windowReplies === 0 ? null : Math.round((end.cpuUs - start.cpuUs) / windowReplies),
    serverCpuCores: round2((end.cpuUs - start.cpuUs) / 1_000_000 / elapsedSeconds),
    postgresCpuUsPerReply: postgresCpuUs === null || windowReplies === 0 ? null : Math.round(postgresCpuUs / windowReplies),
    postgresCpuCores: postgresCpuUs === null ? null : round2(postgresCpuUs / 1_000_000 / elapsedSeconds),
    rssEndMb: round2(rssEndKb / 1024),
    rssPerSessionKb,
    coldStartMs,
    sent: tally.sent,
    replies: tally.replies,
    lost,
    duplicated: tally.duplicated,
    wrong: tally.wrong,
    movedSessions: tally.moves,
    crossInstanceReplies: tally.crossInstanceReplies,
    redeliveredAfterMove: tally.redeliveredAfterMove,
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
