import type Redis from 'ioredis';
import { QUEUE_KEY_NAMES, QUEUE_SCRIPTS, queueKeys, QueueScriptName } from './queue-scripts';
import { JoinOptions, JoinOutcome, LiveQueueStore, QueueChange, QueueEntry, QueueStatus, RestoreInput, SeatsView } from './queue-store';

interface ScriptResult {
  s: string;
  p?: number;
  a?: unknown;
  q?: unknown;
  r?: unknown;
  l?: number;
  e?: unknown;
  st?: unknown;
  c?: number;
  t?: string;
  ic?: unknown;
  ld?: unknown;
  aw?: unknown;
}

type ScriptFn = (...args: (string | number)[]) => Promise<string>;

// cjson encodes an empty Lua table as {}; treat anything but an array as empty
const list = (x: unknown): unknown[] => (Array.isArray(x) ? (x as unknown[]) : []);

function toChange(r: ScriptResult): QueueChange {
  const a = list(r.a).map(String);
  const q = list(r.q);
  const change: QueueChange = { assigned: [], positions: [], removed: list(r.r).map(String) };
  for (let i = 0; i + 5 < a.length; i += 6) {
    const [visitorId, counselorId, message, joinedAt, address, assignedAt] = a.slice(i, i + 6) as [string, string, string, string, string, string];
    change.assigned.push({
      visitorId,
      counselorId,
      message: message || null,
      joinedAt: Number(joinedAt),
      address: address || null,
      assignedAt: Number(assignedAt),
    });
  }
  // later entries win (a step may report a visitor twice)
  const positions = new Map<string, number>();
  for (let i = 0; i + 1 < q.length; i += 2) positions.set(String(q[i]), Number(q[i + 1]));
  change.positions = [...positions].map(([visitorId, position]) => ({ visitorId, position }));
  return change;
}

/** The waiting line's store (Redis) cannot be reached right now. */
export class QueueStoreUnavailable extends Error {
  constructor(state: string) {
    super(`the live queue store is unavailable (redis ${state})`);
  }
}

/** The multi-node store: the queue lives in Redis and changes only through the Lua scripts (EVALSHA). */
export class RedisQueueStore implements LiveQueueStore {
  constructor(private readonly redis: Redis) {
    for (const [name, lua] of Object.entries(QUEUE_SCRIPTS)) redis.defineCommand(name, { numberOfKeys: QUEUE_KEY_NAMES.length, lua });
  }

  private async run(name: QueueScriptName, centerId: string, ...args: (string | number)[]): Promise<ScriptResult> {
    // Redis away: answer at once (LIVE_CLOSED "for a moment", status open: false) instead of after
    // ioredis' retries; nothing is changed, so nothing is half done
    if (this.redis.status !== 'ready') throw new QueueStoreUnavailable(this.redis.status);
    const fn = (this.redis as unknown as Record<QueueScriptName, ScriptFn>)[name].bind(this.redis);
    return JSON.parse(await fn(...queueKeys(centerId), ...args)) as ScriptResult;
  }

  async join(centerId: string, visitorId: string, opts: JoinOptions): Promise<JoinOutcome> {
    const ttl = Math.max(1000, Math.ceil(opts.ttlMs));
    const r = await this.run('lqJoin', centerId, visitorId, opts.now, opts.limit, opts.message ?? '', opts.address ?? '', opts.perAddress, ttl);
    const change = toChange(r);
    if (r.s === 'waiting') return { status: 'waiting', position: Number(r.p), change };
    if (r.s === 'assigned' || r.s === 'closed' || r.s === 'full' || r.s === 'already' || r.s === 'address_full') return { status: r.s, change };
    throw new Error(`unexpected join status ${r.s}`);
  }

  async leave(centerId: string, visitorId: string): Promise<QueueChange & { left: boolean }> {
    const r = await this.run('lqLeave', centerId, visitorId);
    return { ...toChange(r), left: r.s === 'left' };
  }

  async release(centerId: string, visitorId: string, counselorId: string, now: number): Promise<QueueChange> {
    return toChange(await this.run('lqRelease', centerId, visitorId, counselorId, now));
  }

  async openShift(centerId: string, counselorId: string, maxChats: number, now: number): Promise<QueueChange> {
    return toChange(await this.run('lqOpenShift', centerId, counselorId, maxChats, now));
  }

  async closeShift(centerId: string, counselorId: string): Promise<QueueChange & { lastClosed: boolean }> {
    const r = await this.run('lqCloseShift', centerId, counselorId);
    return { ...toChange(r), lastClosed: r.l === 1 };
  }

  async sweepTimeouts(centerId: string, cutoff: number): Promise<QueueChange> {
    return toChange(await this.run('lqSweep', centerId, cutoff));
  }

  async restore(centerId: string, input: RestoreInput, now: number): Promise<QueueChange & { restored: boolean }> {
    const shifts = JSON.stringify(input.shifts.map((s) => [s.counselorId, s.maxChats]));
    const chats = JSON.stringify(input.chats.map((c) => [c.visitorId, c.counselorId]));
    const r = await this.run('lqRestore', centerId, now, shifts.length > 2 ? shifts : '[]', chats.length > 2 ? chats : '[]');
    return { ...toChange(r), restored: r.s === 'restored' };
  }

  async setAway(centerId: string, counselorId: string, away: boolean, now: number): Promise<QueueChange & { changed: boolean }> {
    const r = await this.run('lqSetAway', centerId, counselorId, away ? '1' : '0', now);
    return { ...toChange(r), changed: r.c === 1 };
  }

  async handOver(centerId: string, visitorId: string, from: string, now: number): Promise<{ to: string | null }> {
    const r = await this.run('lqHandOver', centerId, visitorId, from, now);
    return { to: r.t || null };
  }

  async snapshot(centerId: string): Promise<QueueEntry[]> {
    const e = list((await this.run('lqSnapshot', centerId)).e).map(String);
    const entries: QueueEntry[] = [];
    for (let i = 0; i + 3 < e.length; i += 4) {
      entries.push({ visitorId: e[i]!, joinedAt: Number(e[i + 1]), firstMessage: e[i + 2] || null, address: e[i + 3] || null });
    }
    return entries;
  }

  async seats(centerId: string): Promise<SeatsView> {
    const r = await this.run('lqSeats', centerId);
    const ic = list(r.ic).map(String);
    const ld = list(r.ld).map(String);
    const view: SeatsView = { inChat: [], load: {}, away: list(r.aw).map(String) };
    for (let i = 0; i + 1 < ic.length; i += 2) view.inChat.push({ visitorId: ic[i]!, counselorId: ic[i + 1]! });
    for (let i = 0; i + 1 < ld.length; i += 2) view.load[ld[i]!] = Number(ld[i + 1]);
    return view;
  }

  async status(centerId: string): Promise<QueueStatus> {
    const [shifts, waiting, freeSeats] = list((await this.run('lqStatus', centerId)).st).map(Number);
    return { shifts: shifts ?? 0, waiting: waiting ?? 0, freeSeats: freeSeats ?? 0 };
  }
}
