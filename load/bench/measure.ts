// The measurements of one target: message rate steps, idle sockets, the live queue, the status
// endpoint and thread posts, each against Lotse and its baseline with the same generators.
// Server CPU is read from /proc for each process group before and after each step.
import type { ConnectResult, LoadResult, QueueResult, Task } from './generator';
import { Generators, share } from './generators';
import { log } from './log';
import { groupCpuSeconds, groupRssMb } from './sampler';
import { BenchSocket, command, connectSocket, pool, Seed } from './seeding';
import { CENTER, Settings } from './settings';
import { judgeStep, JudgedStep, mergeSorted, percentile, StepOutcome } from './stats';
import type { System } from './targets';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const START_DELAY_MS = 300;
const WARM_UP_SECONDS = 2;

/**
 * Waits until the system's servers are idle again (under 10 % of a core over half a second, at most
 * 30 s): a failed step leaves a backlog that would otherwise be billed to the next step or phase.
 */
export async function settle(system: System, maxMs = 30_000): Promise<void> {
  const pids = system.groups.server ?? [];
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const a = groupCpuSeconds(pids);
    await sleep(500);
    const b = groupCpuSeconds(pids);
    if (a === null || b === null || b - a < 0.05) return;
  }
}

function cpuOf(system: System): Record<string, number | null> {
  return Object.fromEntries(Object.entries(system.groups).map(([k, pids]) => [k, groupCpuSeconds(pids)]));
}

function cpuDelta(before: Record<string, number | null>, after: Record<string, number | null>): Record<string, number | null> {
  return Object.fromEntries(Object.keys(before).map((k) => [k, before[k] != null && after[k] != null ? after[k] - before[k] : null]));
}

/** Sums the generators' answers of one open-loop step into a step outcome (lost sends count as Infinity). */
export function outcomeOf(rate: number, seconds: number, results: LoadResult[], serverCpu: Record<string, number | null>): StepOutcome {
  const sent = results.reduce((a, r) => a + r.sent, 0);
  const acked = results.reduce((a, r) => a + r.acked, 0);
  const lost = Math.max(0, sent - acked);
  const all = mergeSorted([...results.map((r) => r.latencies), new Array<number>(lost).fill(Infinity)]);
  return {
    rate,
    seconds,
    sent,
    acked,
    errors: results.reduce((a, r) => a + r.errors, 0),
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    serverCpu,
    generatorCpu: results.reduce((a, r) => a + r.cpuSeconds, 0),
    generatorMaxCorePercent: Math.max(0, ...results.map((r) => (r.wallSeconds > 0 ? (r.cpuSeconds / r.wallSeconds) * 100 : 0))),
  };
}

const errorKindsOf = (results: { errorKinds: Record<string, number> }[]) => {
  const kinds: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errorKinds)) kinds[k] = (kinds[k] ?? 0) + v;
  return kinds;
};

export interface StepRow extends JudgedStep {
  errorKinds: Record<string, number>;
  pushes?: number;
}

/** One open-loop step: every generator its share of `rate`, all starting at the same moment. */
async function step(
  system: System,
  gens: Generators,
  rate: number,
  seconds: number,
  graceMs: number,
  task: (i: number, at: number, rate: number) => Task,
  p99LimitMs?: number,
): Promise<StepRow> {
  await settle(system);
  const at = Date.now() + START_DELAY_MS;
  const before = cpuOf(system);
  const results = await gens.all<LoadResult>((i) => task(i, at, rate / gens.count));
  const outcome = outcomeOf(rate, seconds, results, cpuDelta(before, cpuOf(system)));
  return { ...outcome, ...judgeStep(outcome, p99LimitMs), errorKinds: errorKindsOf(results), pushes: results.reduce((a, r) => a + r.pushes, 0) };
}

const ms = (v: number | null) => (v === null ? '–' : Number.isFinite(v) ? v.toFixed(1) : '∞');
const fmtStep = (label: string, s: StepRow) =>
  `  ${label} ${s.rate}/s: ${s.acked}/${s.sent} acked, p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms, ` +
  `server CPU ${s.serverCpu.server?.toFixed(2) ?? '–'} s, generators ${s.generatorCpu.toFixed(2)} s (busiest ${s.generatorMaxCorePercent.toFixed(0)} % of a core)` +
  `${s.passed ? '' : ` — FAILS: ${s.reason}`}${Object.keys(s.errorKinds).length ? ` errors ${JSON.stringify(s.errorKinds)}` : ''}`;

export interface Sides<T> {
  lotse: T;
  baseline: T;
}

/** Connects every room's two members (counselor → the first node, client → the last), the rooms split over the generators. */
async function connectRooms(system: System, gens: Generators, seed: Seed): Promise<void> {
  const [first, last] = [system.urls[0] as string, system.urls.at(-1) as string];
  const results = await gens.all<ConnectResult>((i) => ({
    op: 'connect',
    url: first,
    concurrency: 20,
    sockets: share(seed.rooms, i, gens.count).flatMap((r) => [
      { token: r.counselor, roomId: r.roomId, url: first },
      { token: r.client, roomId: r.roomId, url: last },
    ]),
  }));
  const failed = results.reduce((a, r) => a + r.failed, 0);
  if (failed > 0) throw new Error(`${system.name}: ${failed} room members could not connect: ${results.find((r) => r.firstError)?.firstError}`);
}

/** The message steps, Lotse and the baseline interleaved step by step; each side stops at its first failing step. */
export async function messageSteps(s: Settings, systems: Sides<System>, gens: Sides<Generators>, seeds: Sides<Seed>): Promise<Sides<StepRow[]>> {
  const out: Sides<StepRow[]> = { lotse: [], baseline: [] };
  const sides = ['lotse', 'baseline'] as const;
  for (const side of sides) await connectRooms(systems[side], gens[side], seeds[side]);
  // Warm-up (not recorded): the first load a process sees pays for JIT compilation and lazy set-up.
  for (const side of sides) {
    const rate = Math.min(s.steps[0] ?? 250, 250);
    await step(systems[side], gens[side], rate, WARM_UP_SECONDS, s.graceMs, (_i, at, r) => ({
      op: 'send',
      at,
      rate: r,
      seconds: WARM_UP_SECONDS,
      graceMs: s.graceMs,
    }));
  }
  const going = { lotse: true, baseline: true };
  for (const rate of s.steps) {
    for (const side of sides) {
      if (!going[side]) continue;
      const row = await step(systems[side], gens[side], rate, s.stepSeconds, s.graceMs, (_i, at, r) => ({
        op: 'send',
        at,
        rate: r,
        seconds: s.stepSeconds,
        graceMs: s.graceMs,
      }));
      log(fmtStep(`messages ${side}`, row));
      out[side].push(row);
      if (!row.passed) going[side] = false;
      await sleep(500);
    }
    if (!going.lotse && !going.baseline) break;
  }
  for (const side of sides) await gens[side].all((): { op: 'close' } => ({ op: 'close' }));
  return out;
}

/** GET /api/centers/:c/live in rising steps (p99 ≤ 20 ms is the figure; a step fails beyond 500 ms or < 99 %). */
export async function liveSteps(s: Settings, systems: Sides<System>, gens: Sides<Generators>): Promise<Sides<StepRow[]>> {
  const out: Sides<StepRow[]> = { lotse: [], baseline: [] };
  for (const side of ['lotse', 'baseline'] as const) {
    const system = systems[side];
    const get =
      (seconds: number) =>
      (i: number, at: number, r: number): Task => ({
        op: 'http',
        url: system.urls[i % system.urls.length] as string,
        method: 'GET',
        targets: [{ path: `/api/centers/${CENTER}/live` }],
        at,
        rate: r,
        seconds,
        graceMs: s.graceMs,
        connections: 32,
      });
    await step(system, gens[side], Math.min(s.liveSteps[0] ?? 100, 100), WARM_UP_SECONDS, s.graceMs, get(WARM_UP_SECONDS));
    for (const rate of s.liveSteps) {
      const row = await step(system, gens[side], rate, s.httpSeconds, s.graceMs, get(s.httpSeconds));
      log(fmtStep(`live status ${side}`, row));
      out[side].push(row);
      if (!row.passed) break;
      await sleep(500);
    }
  }
  return out;
}

/** POST /api/threads/:id/posts at one rate: each client to its own enquiry. */
export async function threadPosts(s: Settings, systems: Sides<System>, gens: Sides<Generators>, seeds: Sides<Seed>): Promise<Sides<StepRow>> {
  const run = async (side: 'lotse' | 'baseline') => {
    const system = systems[side];
    const post =
      (seconds: number) =>
      (i: number, at: number, r: number): Task => ({
        op: 'http',
        url: system.urls[i % system.urls.length] as string,
        method: 'POST',
        targets: share(seeds[side].threads, i, gens[side].count).map((t) => ({ path: `/api/threads/${t.threadId}/posts`, token: t.token })),
        at,
        rate: r,
        seconds,
        graceMs: s.graceMs,
        connections: 16,
      });
    await step(system, gens[side], Math.min(s.postRate, 50), WARM_UP_SECONDS, s.graceMs, post(WARM_UP_SECONDS));
    const row = await step(system, gens[side], s.postRate, s.httpSeconds, s.graceMs, post(s.httpSeconds));
    log(fmtStep(`thread posts ${side}`, row));
    return row;
  };
  return { lotse: await run('lotse'), baseline: await run('baseline') };
}

export interface QueueFigures {
  joins: number;
  joined: number;
  assigned: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** ms from the common start to the last join's ack / the last assignment. */
  lastAckMs: number | null;
  lastAssignedMs: number | null;
  p99AckMs: number | null;
  serverCpu: Record<string, number | null>;
  generatorCpu: number;
}

/** `joins` visitors send queue.join at the same moment while every counselor is on shift with 10 seats. */
export async function queueJoins(s: Settings, systems: Sides<System>, gens: Sides<Generators>, counselors: Sides<string[]>): Promise<Sides<QueueFigures>> {
  const run = async (side: 'lotse' | 'baseline'): Promise<QueueFigures> => {
    const system = systems[side];
    const g = gens[side];
    const onShift: BenchSocket[] = await pool(counselors[side], 10, (token) => connectSocket(system.urls[0] as string, token));
    try {
      await Promise.all(onShift.map((socket) => command(socket, 'shift.open', { maxChats: 10 })));
      const last = system.urls.at(-1) as string;
      const per = (i: number) => Math.floor(s.queueJoins / g.count) + (i < s.queueJoins % g.count ? 1 : 0);
      await g.all((i) => ({ op: 'visitors', url: last, center: CENTER, count: per(i), concurrency: 8 }));
      const connected = await g.all<ConnectResult>(() => ({ op: 'connect', url: last, sockets: [], useVisitors: true, concurrency: 20 }));
      const failed = connected.reduce((a, r) => a + r.failed, 0);
      if (failed) throw new Error(`${side}: ${failed} visitors could not connect: ${connected.find((r) => r.firstError)?.firstError}`);
      await settle(system);
      const at = Date.now() + START_DELAY_MS;
      const before = cpuOf(system);
      const results = await g.all<QueueResult>(() => ({ op: 'queue', at, graceMs: 5000 }));
      const serverCpu = cpuDelta(before, cpuOf(system));
      const ack = mergeSorted(results.map((r) => r.ackMs));
      const assigned = mergeSorted(results.map((r) => r.assignedMs));
      const figures: QueueFigures = {
        joins: s.queueJoins,
        joined: ack.length,
        assigned: assigned.length,
        errors: results.reduce((a, r) => a + r.errors, 0),
        errorKinds: errorKindsOf(results),
        lastAckMs: ack.at(-1) ?? null,
        lastAssignedMs: assigned.at(-1) ?? null,
        p99AckMs: percentile(ack, 99),
        serverCpu,
        generatorCpu: results.reduce((a, r) => a + r.cpuSeconds, 0),
      };
      log(
        `  queue ${side}: ${figures.joined}/${figures.joins} joins acked (last at ${figures.lastAckMs?.toFixed(0) ?? '–'} ms), ${figures.assigned} assigned ` +
          `(last at ${figures.lastAssignedMs?.toFixed(0) ?? '–'} ms), server CPU ${serverCpu.server?.toFixed(2) ?? '–'} s` +
          `${figures.errors ? `, errors ${JSON.stringify(figures.errorKinds)}` : ''}`,
      );
      await g.all((): { op: 'close' } => ({ op: 'close' }));
      return figures;
    } finally {
      await Promise.all(onShift.map((socket) => command(socket, 'shift.close', {}).catch(() => undefined)));
      for (const socket of onShift) socket.disconnect();
    }
  };
  const lotse = await run('lotse');
  const lotseClosed = Date.now();
  const baseline = await run('baseline');
  // The visitors' chats end VISITOR_GRACE_MS (20 s) after their sockets closed, 500 at once: that
  // is the queue's work, not the next phase's (it was billed to the idle sockets' connect time).
  await sleep(Math.max(0, lotseClosed + s.queueSettleMs - Date.now()));
  await settle(systems.lotse);
  return { lotse, baseline };
}

export interface IdleFigures {
  sockets: number;
  connected: number;
  failed: number;
  firstError: string | null;
  /** the failures by kind (all generators together) */
  errorKinds: Record<string, number>;
  rssBeforeMb: number | null;
  rssAfterMb: number | null;
  connectSeconds: number;
  serverCpu: Record<string, number | null>;
}

/** `idleSockets` visitor sockets connected (tokens made first), RSS of the nodes before and after. */
export async function idleSockets(s: Settings, systems: Sides<System>, gens: Sides<Generators>): Promise<Sides<IdleFigures>> {
  const run = async (side: 'lotse' | 'baseline'): Promise<IdleFigures> => {
    const system = systems[side];
    const g = gens[side];
    const url = (i: number) => system.urls[i % system.urls.length] as string;
    const per = (i: number) => Math.floor(s.idleSockets / g.count) + (i < s.idleSockets % g.count ? 1 : 0);
    await g.all((i) => ({ op: 'visitors', url: url(i), center: CENTER, count: per(i), concurrency: 8 }));
    await settle(system);
    await sleep(1000);
    const rssBeforeMb = groupRssMb(system.groups.server ?? []);
    const before = cpuOf(system);
    const t0 = Date.now();
    const results = await g.all<ConnectResult>((i) => ({ op: 'connect', url: url(i), sockets: [], useVisitors: true, concurrency: 50 }));
    const connectSeconds = (Date.now() - t0) / 1000;
    const serverCpu = cpuDelta(before, cpuOf(system));
    await sleep(3000);
    const rssAfterMb = groupRssMb(system.groups.server ?? []);
    const f: IdleFigures = {
      sockets: s.idleSockets,
      connected: results.reduce((a, r) => a + r.connected, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      firstError: results.find((r) => r.firstError)?.firstError ?? null,
      errorKinds: results.reduce<Record<string, number>>((all, r) => {
        for (const [k, n] of Object.entries(r.errorKinds)) all[k] = (all[k] ?? 0) + n;
        return all;
      }, {}),
      rssBeforeMb,
      rssAfterMb,
      connectSeconds,
      serverCpu,
    };
    log(
      `  idle ${side}: ${f.connected}/${f.sockets} connected in ${connectSeconds.toFixed(1)} s, RSS ${rssBeforeMb?.toFixed(0)} → ${rssAfterMb?.toFixed(0)} MB` +
        `${
          f.failed
            ? `, ${f.failed} failed (${Object.entries(f.errorKinds)
                .map(([k, n]) => `${n}× ${k}`)
                .join('; ')})`
            : ''
        }`,
    );
    await g.all((): { op: 'close' } => ({ op: 'close' }));
    return f;
  };
  return { lotse: await run('lotse'), baseline: await run('baseline') };
}
