import { emptyChange, JoinOptions, JoinOutcome, LiveQueueStore, QueueChange, QueueEntry, QueueStatus, RestoreInput, SeatsView } from './queue-store';

interface Waiting {
  joinedAt: number;
  message: string | null;
  address: string | null;
}

interface CenterState {
  /** Waiting visitor ids, head first. */
  queue: string[];
  entries: Map<string, Waiting>;
  /** Waiting visitors per address hash. */
  perAddress: Map<string, number>;
  inChat: Map<string, string>;
  shifts: Map<string, number>;
  load: Map<string, number>;
  idleSince: Map<string, number>;
  /** Counselors whose last socket is gone, since when. */
  away: Map<string, number>;
  /** Set once shifts were opened or restored in this process. */
  alive: boolean;
}

/**
 * The embedded single-node store: the same algorithm as the Redis scripts, each step run under a
 * per-center promise-chain lock so no two steps of one center interleave. (TTLs are a Redis concern:
 * this process forgets everything when it ends.)
 */
export class MemoryQueueStore implements LiveQueueStore {
  private readonly centers = new Map<string, CenterState>();
  private readonly locks = new Map<string, Promise<unknown>>();

  private locked<T>(centerId: string, step: (s: CenterState) => T): Promise<T> {
    const prev = this.locks.get(centerId) ?? Promise.resolve();
    const next = prev.then(() => step(this.state(centerId)));
    const tail = next.catch(() => undefined);
    this.locks.set(centerId, tail);
    void tail.then(() => {
      if (this.locks.get(centerId) === tail) this.locks.delete(centerId);
    });
    return next;
  }

  private state(centerId: string): CenterState {
    let s = this.centers.get(centerId);
    if (!s) {
      s = {
        queue: [],
        entries: new Map(),
        perAddress: new Map(),
        inChat: new Map(),
        shifts: new Map(),
        load: new Map(),
        idleSince: new Map(),
        away: new Map(),
        alive: false,
      };
      this.centers.set(centerId, s);
    }
    return s;
  }

  join(centerId: string, visitorId: string, opts: JoinOptions): Promise<JoinOutcome> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      if (s.inChat.has(visitorId) || s.entries.has(visitorId)) return { status: 'already', change };
      if (s.shifts.size === 0) return { status: 'closed', change };
      drain(s, opts.now, change);
      if (s.queue.length === 0) {
        const c = pick(s);
        if (c) {
          assign(s, visitorId, c, opts.now, { joinedAt: opts.now, message: opts.message, address: opts.address }, change);
          return { status: 'assigned', change };
        }
      }
      if (s.queue.length >= opts.limit) return { status: 'full', change };
      if (opts.address && opts.perAddress > 0 && (s.perAddress.get(opts.address) ?? 0) >= opts.perAddress) return { status: 'address_full', change };
      s.queue.push(visitorId);
      s.entries.set(visitorId, { joinedAt: opts.now, message: opts.message, address: opts.address });
      if (opts.address) s.perAddress.set(opts.address, (s.perAddress.get(opts.address) ?? 0) + 1);
      return { status: 'waiting', position: s.queue.length, change };
    });
  }

  leave(centerId: string, visitorId: string): Promise<QueueChange & { left: boolean }> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      const rank = s.queue.indexOf(visitorId);
      if (rank < 0) return { ...change, left: false };
      unqueue(s, visitorId);
      change.removed.push(visitorId);
      positionsFrom(s, rank, change);
      return { ...change, left: true };
    });
  }

  release(centerId: string, visitorId: string, counselorId: string, now: number): Promise<QueueChange> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      if (s.inChat.get(visitorId) === counselorId) {
        s.inChat.delete(visitorId);
        addLoad(s, counselorId, -1);
        s.idleSince.set(counselorId, now);
      }
      drain(s, now, change);
      return change;
    });
  }

  openShift(centerId: string, counselorId: string, maxChats: number, now: number): Promise<QueueChange> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      s.shifts.set(counselorId, maxChats);
      s.away.delete(counselorId);
      s.alive = true;
      if (!s.idleSince.has(counselorId)) s.idleSince.set(counselorId, now);
      drain(s, now, change);
      return change;
    });
  }

  closeShift(centerId: string, counselorId: string): Promise<QueueChange & { lastClosed: boolean }> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      s.shifts.delete(counselorId);
      s.away.delete(counselorId);
      if (s.shifts.size > 0) return { ...change, lastClosed: false };
      change.removed.push(...s.queue);
      s.queue = [];
      s.entries.clear();
      s.perAddress.clear();
      return { ...change, lastClosed: true };
    });
  }

  sweepTimeouts(centerId: string, cutoff: number): Promise<QueueChange> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      let first = -1;
      for (const [i, v] of [...s.queue].entries()) {
        if ((s.entries.get(v)?.joinedAt ?? 0) >= cutoff) continue;
        if (first < 0) first = i;
        change.removed.push(v);
      }
      for (const v of change.removed) unqueue(s, v);
      if (first >= 0) positionsFrom(s, first, change);
      return change;
    });
  }

  restore(centerId: string, input: RestoreInput, now: number): Promise<QueueChange & { restored: boolean }> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      if (s.alive) return { ...change, restored: false };
      s.alive = true;
      for (const sh of input.shifts) {
        if (!s.shifts.has(sh.counselorId)) s.shifts.set(sh.counselorId, sh.maxChats);
        if (!s.idleSince.has(sh.counselorId)) s.idleSince.set(sh.counselorId, now);
      }
      for (const c of input.chats) {
        if (s.inChat.has(c.visitorId)) continue;
        s.inChat.set(c.visitorId, c.counselorId);
        addLoad(s, c.counselorId, 1);
      }
      drain(s, now, change);
      return { ...change, restored: true };
    });
  }

  setAway(centerId: string, counselorId: string, away: boolean, now: number): Promise<QueueChange & { changed: boolean }> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      if (away) {
        // only a counselor on shift can be away: off shift nobody is assigned to them anyway
        if (!s.shifts.has(counselorId) || s.away.has(counselorId)) return { ...change, changed: false };
        s.away.set(counselorId, now);
        return { ...change, changed: true };
      }
      const changed = s.away.delete(counselorId);
      drain(s, now, change);
      return { ...change, changed };
    });
  }

  handOver(centerId: string, visitorId: string, from: string, now: number): Promise<{ to: string | null }> {
    return this.locked(centerId, (s) => {
      if (s.inChat.get(visitorId) !== from) return { to: null };
      const to = pick(s, from);
      if (!to) return { to: null };
      s.inChat.set(visitorId, to);
      addLoad(s, from, -1);
      addLoad(s, to, 1);
      s.idleSince.set(to, now);
      return { to };
    });
  }

  snapshot(centerId: string): Promise<QueueEntry[]> {
    return this.locked(centerId, (s) =>
      s.queue.map((v) => {
        const e = s.entries.get(v);
        return { visitorId: v, joinedAt: e?.joinedAt ?? 0, firstMessage: e?.message ?? null, address: e?.address ?? null };
      }),
    );
  }

  async status(centerId: string): Promise<QueueStatus> {
    const s = this.centers.get(centerId);
    if (!s) return { shifts: 0, waiting: 0, freeSeats: 0 };
    let freeSeats = 0;
    for (const [c, max] of s.shifts) if (!s.away.has(c)) freeSeats += Math.max(0, max - (s.load.get(c) ?? 0));
    return { shifts: s.shifts.size, waiting: s.queue.length, freeSeats };
  }

  seats(centerId: string): Promise<SeatsView> {
    return this.locked(centerId, (s) => ({
      inChat: [...s.inChat].map(([visitorId, counselorId]) => ({ visitorId, counselorId })),
      load: Object.fromEntries(s.load),
      away: [...s.away.keys()],
    }));
  }
}

/**
 * The counselor on shift, not away, with a free seat and the fewest chats; ties: the longest idle,
 * then the id. `except`: a counselor who must not be picked (the one a chat is handed away from).
 */
function pick(s: CenterState, except?: string): string | null {
  let best: string | null = null;
  let bestLoad = 0;
  let bestIdle = 0;
  for (const [c, max] of s.shifts) {
    if (c === except || s.away.has(c)) continue;
    const l = s.load.get(c) ?? 0;
    if (l >= max) continue;
    const idle = s.idleSince.get(c) ?? 0;
    if (best === null || l < bestLoad || (l === bestLoad && (idle < bestIdle || (idle === bestIdle && c < best)))) {
      best = c;
      bestLoad = l;
      bestIdle = idle;
    }
  }
  return best;
}

function addLoad(s: CenterState, counselorId: string, by: number): void {
  const l = (s.load.get(counselorId) ?? 0) + by;
  if (l <= 0) s.load.delete(counselorId);
  else s.load.set(counselorId, l);
}

function assign(s: CenterState, visitorId: string, counselorId: string, now: number, entry: Waiting, change: QueueChange): void {
  addLoad(s, counselorId, 1);
  s.idleSince.set(counselorId, now);
  s.inChat.set(visitorId, counselorId);
  change.assigned.push({ visitorId, counselorId, message: entry.message, joinedAt: entry.joinedAt, address: entry.address, assignedAt: now });
}

function unqueue(s: CenterState, visitorId: string): Waiting | undefined {
  const i = s.queue.indexOf(visitorId);
  if (i >= 0) s.queue.splice(i, 1);
  const entry = s.entries.get(visitorId);
  s.entries.delete(visitorId);
  if (entry?.address) {
    const n = (s.perAddress.get(entry.address) ?? 0) - 1;
    if (n <= 0) s.perAddress.delete(entry.address);
    else s.perAddress.set(entry.address, n);
  }
  return entry;
}

function positionsFrom(s: CenterState, rank: number, change: QueueChange): void {
  for (let i = rank; i < s.queue.length; i++) change.positions.push({ visitorId: s.queue[i]!, position: i + 1 });
}

function drain(s: CenterState, now: number, change: QueueChange): void {
  let n = 0;
  for (;;) {
    const head = s.queue[0];
    if (head === undefined) break;
    const c = pick(s);
    if (!c) break;
    const entry = unqueue(s, head) ?? { joinedAt: now, message: null, address: null };
    assign(s, head, c, now, entry, change);
    n++;
  }
  if (n > 0) positionsFrom(s, 0, change);
}
