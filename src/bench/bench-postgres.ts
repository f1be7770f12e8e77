import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { quoteIdentifier } from '../storage/postgres/migrations.js';

/** The local test server, as the tests use it (trust authentication). */
export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A database created for one benchmark run and dropped after it. */
export interface BenchDatabase {
  /** The database's name (its backends are told apart from others' by it in `pg_stat_activity`). */
  name: string;
  /** `baseUrl` with this database in its path. */
  url: string;
  /** Drops the database, ending whatever is still connected to it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh database on the server of `baseUrl` (its role needs CREATEDB). A database of its own,
 * rather than a schema, is what lets the benchmark find the Postgres backends that serve it, and only them.
 */
export async function createBenchDatabase(baseUrl: string): Promise<BenchDatabase> {
  const name = `candor_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl, application_name: 'candor-bench' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client({ connectionString: baseUrl, application_name: 'candor-bench' });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** CPU (user + system, µs) of each Postgres server process serving the benchmark, by pid. */
export type PostgresCpuSample = Map<number, number>;

/** The server-wide processes whose work is partly the benchmark's (WAL writing, checkpoints, page writing). */
const SHARED_BACKEND_TYPES = ['walwriter', 'checkpointer', 'background writer'];

/**
 * Reads the CPU of the Postgres processes that serve one benchmark database, from `/proc`: the
 * backends connected to it and its autovacuum workers (`pg_stat_activity.datname`), the server-wide
 * WAL writer, checkpointer and background writer, and the postmaster (their parent, which forks every
 * new connection). The reader's own connection is left out. Null when the server is not on this
 * machine (its pids are not postgres processes here).
 */
export class PostgresCpuReader {
  private constructor(
    private readonly client: pg.Client,
    private readonly database: string,
    private readonly ticksPerSecond: number,
  ) {}

  /** Connects to the benchmark database (one connection, idle between samples). */
  static async open(url: string, database: string, ticksPerSecond: number): Promise<PostgresCpuReader> {
    const client = new pg.Client({ connectionString: url, application_name: 'candor-bench-cpu' });
    await client.connect();
    return new PostgresCpuReader(client, database, ticksPerSecond);
  }

  /** The CPU of every serving process now; null when they cannot be read from this machine's `/proc`. */
  async sample(): Promise<PostgresCpuSample | null> {
    const { rows } = await this.client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE pid <> pg_backend_pid() AND (datname = $1 OR backend_type = ANY($2::text[]))`,
      [this.database, SHARED_BACKEND_TYPES],
    );
    const sample: PostgresCpuSample = new Map();
    let postmaster: number | null = null;
    for (const { pid } of rows) {
      const stat = readPostgresStat(pid);
      if (stat === null) continue;
      sample.set(pid, (stat.ticks * 1_000_000) / this.ticksPerSecond);
      postmaster ??= stat.parentPid;
    }
    if (sample.size === 0) return null;
    const parent = postmaster === null ? null : readPostgresStat(postmaster);
    if (postmaster !== null && parent !== null) sample.set(postmaster, (parent.ticks * 1_000_000) / this.ticksPerSecond);
    return sample;
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/**
 * The CPU spent between two samples, in µs: a process in both counts its growth, one that appeared in
 * between counts all of its CPU, one that ended in between is missed (a pool keeps its connections
 * open under load, so few do).
 */
export function postgresCpuUsBetween(start: PostgresCpuSample | null, end: PostgresCpuSample | null): number | null {
  if (start === null || end === null) return null;
  let total = 0;
  for (const [pid, cpuUs] of end) total += Math.max(0, cpuUs - (start.get(pid) ?? 0));
  return total;
}

/** utime + stime (clock ticks) and the parent pid of a local postgres process; null when it is not one. */
function readPostgresStat(pid: number): { ticks: number; parentPid: number } | null {
  try {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') return null;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), parentPid: Number(fields[1]) };
  } catch {
    return null;
  }
}
