// CPU time and RSS of running processes, read from /proc/<pid>/stat and /proc/<pid>/status (Linux):
// no process is spawned per sample.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (asked once). */
export const CLK_TCK = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime from the text of /proc/<pid>/stat; null when it does not read as one. */
export function statTicks(stat: string): number | null {
  // The fields after the command name (which may hold spaces and parentheses): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks : null;
}

/** VmRSS in MB from the text of /proc/<pid>/status (the figure `ps -o rss` shows); null when it has none (a zombie). */
export function statusRssMb(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) / 1024 : null;
}

const readProc = (pid: number, file: string): string | null => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
};

/** User + system CPU time of `pid` in clock ticks; null when it is gone. */
export function cpuTicks(pid: number): number | null {
  const stat = readProc(pid, 'stat');
  return stat === null ? null : statTicks(stat);
}

/** Resident set size of `pid` in MB; null when it is gone. */
export function rssMb(pid: number): number | null {
  const status = readProc(pid, 'status');
  return status === null ? null : statusRssMb(status);
}

export interface Sample {
  /** ms since the sampler started. */
  t: number;
  rssMb: Record<string, number | null>;
  ticks: Record<string, number | null>;
}

export interface ProcessFigures {
  peakRssMb: number | null;
  /** CPU seconds over the whole run. */
  cpuSeconds: number | null;
  /** Mean CPU inside the window (100 % = one core busy). */
  activeCpuPercent: number | null;
}

/** ms since the sampler started: from artillery's first phase to its last virtual user, when the load is on. */
export interface Window {
  start: number;
  end: number;
}

export interface Sampled {
  samples: Sample[];
  figures: Record<string, ProcessFigures>;
}

export interface Sampler {
  elapsed: () => number;
  stop: (window: Window | null) => Sampled;
}

function figuresOf(samples: Sample[], key: string, window: Window | null): ProcessFigures {
  const alive = samples.filter((s) => s.ticks[key] !== null);
  const rss = samples.map((s) => s.rssMb[key]).filter((v): v is number => typeof v === 'number');
  const inWindow = window ? alive.filter((s) => s.t >= window.start && s.t <= window.end) : [];
  const ticks = (s: Sample | undefined) => s?.ticks[key] ?? 0;
  const [first, last] = [inWindow[0], inWindow.at(-1)];
  const firstAlive = alive[0];
  const lastAlive = alive.at(-1);
  return {
    peakRssMb: rss.length ? Math.max(...rss) : null,
    cpuSeconds: alive.length >= 2 ? (ticks(lastAlive) - ticks(firstAlive)) / CLK_TCK : null,
    activeCpuPercent: first && last && last.t > first.t ? ((ticks(last) - ticks(first)) / CLK_TCK / ((last.t - first.t) / 1000)) * 100 : null,
  };
}

/** The sum over a group of processes (the nodes of a target, several generators); null when one of them is gone. */
function sum(pids: readonly number[], read: (pid: number) => number | null): number | null {
  let total = 0;
  for (const pid of pids) {
    const v = read(pid);
    if (v === null) return null;
    total += v;
  }
  return pids.length ? total : null;
}

/** The summed RSS of a group of processes in MB; null when one of them is gone. */
export const groupRssMb = (pids: readonly number[]): number | null => sum(pids, rssMb);

/**
 * Samples RSS and CPU ticks every `everyMs` of each group of pids (a key per group, e.g. the
 * server processes and the load generator's); `stop(window)` gives the figures per key.
 */
export function startSampler(groups: Record<string, readonly number[]>, everyMs = 1000): Sampler {
  const started = Date.now();
  const samples: Sample[] = [];
  const take = () => {
    const s: Sample = { t: Date.now() - started, rssMb: {}, ticks: {} };
    for (const [key, pids] of Object.entries(groups)) {
      s.rssMb[key] = sum(pids, rssMb);
      s.ticks[key] = sum(pids, cpuTicks);
    }
    samples.push(s);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    elapsed: () => Date.now() - started,
    stop: (window) => {
      clearInterval(timer);
      take();
      return { samples, figures: Object.fromEntries(Object.keys(groups).map((key) => [key, figuresOf(samples, key, window)])) };
    },
  };
}

/** The pids whose command name (/proc/<pid>/comm) is one of `names`: mariadbd and redis-server, which the bench does not start. */
export function pidsByName(names: readonly string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = readProc(Number(entry), 'comm');
    if (comm !== null && names.includes(comm.trim())) pids.push(Number(entry));
  }
  return pids;
}

/** The summed CPU seconds of a group of processes now; null when one of them is gone. */
export const groupCpuSeconds = (pids: readonly number[]): number | null => {
  const ticks = sum(pids, cpuTicks);
  return ticks === null ? null : ticks / CLK_TCK;
};
