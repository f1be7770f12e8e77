import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU time and resident memory of one process, read from `/proc` (Linux). */
export interface ProcessStats {
  /** User plus system CPU time, in microseconds. */
  cpuUs: number;
  /** Resident set size, in KiB. */
  rssKb: number;
}

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, 100 on almost every Linux). */
export function readClockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** Reads utime + stime from `/proc/<pid>/stat` and VmRSS from `/proc/<pid>/status`. */
export function readProcessStats(pid: number, ticksPerSecond: number): ProcessStats {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses; the fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return { cpuUs: (ticks * 1_000_000) / ticksPerSecond, rssKb: rss?.[1] === undefined ? 0 : Number(rss[1]) };
}

/** Describes the machine for the report: cores, CPU model and the load average. */
export function describeMachine(loadAverage: number[], cores: number): { cores: number; model: string; loadAverage: number[] } {
  let model = 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) model = match[1].trim();
  } catch {
    // Not Linux: the model stays unknown.
  }
  return { cores, model, loadAverage: loadAverage.map((value) => Math.round(value * 100) / 100) };
}
