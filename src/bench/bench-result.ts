/** The three servers of the chat benchmark, in the order they take turns. */
export const benchServerKinds = ['candor', 'echo', 'botkit'] as const;

/** Which server a result is for: Candor's full turn, the bare `ws` echo floor, or the stock Botkit echo bot. */
export type BenchServerKind = (typeof benchServerKinds)[number];

/** What the load process measured against one server in one round. */
export interface BenchServerResult {
  kind: BenchServerKind;
  clients: number;
  /** Server processes sharing the load (Candor instances on one Postgres database; 1 otherwise). */
  instances: number;
  /** Length of the measured window. */
  seconds: number;
  repliesPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Server CPU (user + system) over the window divided by the replies in it. */
  cpuUsPerReply: number | null;
  /** Server CPU over the window, in cores (1 = one core busy all the time); summed over instances. */
  serverCpuCores: number;
  /** CPU of the Postgres server processes serving the run over the window, per reply; null without Postgres or when it is not on this machine. */
  postgresCpuUsPerReply: number | null;
  /** The same in cores. */
  postgresCpuCores: number | null;
  /** Server RSS after the closed loop drained. */
  rssEndMb: number;
  /** (RSS with the idle sessions − RSS before) / idle sessions; null when none were opened. */
  rssPerSessionKb: number | null;
  /** Spawn of the server process to the first checked reply. */
  coldStartMs: number;
  sent: number;
  replies: number;
  /** Messages still unanswered when the drain timed out. */
  lost: number;
  /** Replies received twice, or frames with no message outstanding. */
  duplicated: number;
  /** Replies that were not the expected answer (or error frames). */
  wrong: number;
  /** Sessions that moved to another instance mid-window (0 with one instance). */
  movedSessions: number;
  /** Replies to a message sent just before a move that arrived on the new instance's socket. */
  crossInstanceReplies: number;
  /** Replies already received on the old socket and sent again on the new one (their ack was in flight); the widget drops them. */
  redeliveredAfterMove: number;
  /** A few examples of what went wrong. */
  problems: string[];
}

/** The figures reported per server: the median over rounds of each. */
export const BENCH_FIGURES = ['repliesPerSec', 'p50Ms', 'p95Ms', 'p99Ms', 'cpuUsPerReply', 'postgresCpuUsPerReply', 'rssEndMb', 'rssPerSessionKb', 'coldStartMs'] as const;

/** One reported figure. */
export type BenchFigure = (typeof BENCH_FIGURES)[number];

/** The median over rounds of each figure of one server, plus its reply checks summed over rounds. */
export interface BenchServerSummary {
  rounds: number;
  figures: Record<BenchFigure, number | null>;
  checks: { sent: number; replies: number; lost: number; duplicated: number; wrong: number; movedSessions: number; crossInstanceReplies: number; redeliveredAfterMove: number };
  problems: string[];
}

/** The median of the numbers, ignoring nulls; null when there are none. */
export function median(values: (number | null)[]): number | null {
  const numbers = values.filter((value): value is number => value !== null && Number.isFinite(value)).sort((a, b) => a - b);
  if (numbers.length === 0) return null;
  const middle = Math.floor(numbers.length / 2);
  const value = numbers.length % 2 === 1 ? (numbers[middle] as number) : ((numbers[middle - 1] as number) + (numbers[middle] as number)) / 2;
  return Math.round(value * 100) / 100;
}

/** Summarises one server's rounds: medians of the figures, sums of the checks. */
export function summarizeServer(results: BenchServerResult[]): BenchServerSummary {
  const figures = Object.fromEntries(BENCH_FIGURES.map((figure) => [figure, median(results.map((result) => result[figure]))])) as Record<BenchFigure, number | null>;
  const checks = { sent: 0, replies: 0, lost: 0, duplicated: 0, wrong: 0, movedSessions: 0, crossInstanceReplies: 0, redeliveredAfterMove: 0 };
  for (const result of results) {
    checks.sent += result.sent;
    checks.replies += result.replies;
    checks.lost += result.lost;
    checks.duplicated += result.duplicated;
    checks.wrong += result.wrong;
    checks.movedSessions += result.movedSessions;
    checks.crossInstanceReplies += result.crossInstanceReplies;
    checks.redeliveredAfterMove += result.redeliveredAfterMove;
  }
  return { rounds: results.length, figures, checks, problems: results.flatMap((result) => result.problems).slice(0, 10) };
}

/** Each figure of `a` divided by the same figure of `b` (null when either is missing or b is 0). */
export function ratioOf(a: BenchServerSummary, b: BenchServerSummary): Record<BenchFigure, number | null> {
  return Object.fromEntries(
    BENCH_FIGURES.map((figure) => {
      const top = a.figures[figure];
      const bottom = b.figures[figure];
      return [figure, top === null || bottom === null || bottom === 0 ? null : Math.round((top / bottom) * 100) / 100];
    }),
  ) as Record<BenchFigure, number | null>;
}

/** True when a summary saw no lost, duplicated or wrong reply, and every session that moved got its reply on the new instance. */
export function isClean(summary: BenchServerSummary): boolean {
  const { checks } = summary;
  return checks.lost === 0 && checks.duplicated === 0 && checks.wrong === 0 && checks.replies > 0 && checks.crossInstanceReplies === checks.movedSessions;
}
