import { Assignment, emptyChange, JoinOutcome, LiveQueueStore, QueueChange, QueueEntry, QueueStatus, RestoreInput } from './queue-store';

interface CenterState {
  /** Waiting visitor ids, head first. */
  queue: string[];
  entries: Map<string, { joinedAt: number; message: string | null }>;
  inChat: Map<string, string>;
  shifts: Map<string, number>;
  load: Map<string, number>;
  idleSince: Map<string, number>;
  /** Set once shifts were opened or restored in this process. */
  alive: boolean;
}

/**
 * The embedded single-node store: the same algorithm as the Redis scripts, each step run under a
 * per-center promise-chain lock so no two steps of one center interleave.
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
      s = { queue: [], entries: new Map(), inChat: new Map(), shifts: new Map(), load: new Map(), idleSince: new Map(), alive: false };
      this.centers.set(centerId, s);
    }
    return s;
  }

  join(centerId: string, visitorId: string, opts: { now: number; limit: number; message: string | null }): Promise<JoinOutcome> {
    return this.locked(centerId, (s) => {
      const change = emptyChange();
      if (s.inChat.has(visitorId) || s.entries.has(visitorId)) return { status: 'already', change };
      if (s.shifts.size === 0) return { status: 'closed', change };
      drain(s, opts.now, change);
      if (s.queue.length === 0) {
        const c = pick(s);
        if (c) {
          assign(s, visitorId, c, opts.now, change);
          return { status: 'assigned', change };
        }
      }
      if (s.queue.length >= opts.limit) return { status: 'full', change };
      s.queue.push(visitorId);
      s.entries.set(visitorId, { joinedAt: opts.now, message: opts.message });
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
        const l = (s.load.get(counselorId) ?? 0) - 1;
        if (l <= 0) s.load.delete(counselorId);
        else s.load.set(counselorId, l);
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
      if (s.shifts.size > 0) return { ...change, lastClosed: false };
      change.removed.push(...s.queue);
      s.queue = [];
      s.entries.clear();
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
        s.load.set(c.counselorId, (s.load.get(c.counselorId) ?? 0) + 1);
      }
      drain(s, now, change);
      return { ...change, restored: true };
    });
  }

  snapshot(centerId: string): Promise<QueueEntry[]> {
    return this.locked(centerId, (s) =>
      s.queue.map((v) => ({ visitorId: v, joinedAt: s.entries.get(v)?.joinedAt ?? 0, firstMessage: s.entries.get(v)?.message ?? null })),
    );
  }

  async status(centerId: string): Promise<QueueStatus> {
    const s = this.centers.get(centerId);
    if (!s) return { shifts: 0, waiting: 0, freeSeats: 0 };
    let freeSeats = 0;
    for (const [c, max] of s.shifts) freeSeats += Math.max(0, max - (s.load.get(c) ?? 0));
    return { shifts: s.shifts.size, waiting: s.queue.length, freeSeats };
  }
}

/** The counselor on shift with a free seat and the fewest chats; ties: the longest idle, then the id. */
function pick(s: CenterState): string | null {
  let best: string | null = null;
  let bestLoad = 0;
  let bestIdle = 0;
  for (const [c, max] of s.shifts) {
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

function assign(s: CenterState, visitorId: string, counselorId: string, now: number, change: QueueChange): void {
  s.load.set(counselorId, (s.load.get(counselorId) ?? 0) + 1);
  s.idleSince.set(counselorId, now);
  s.inChat.set(visitorId, counselorId);
  change.assigned.push({ visitorId, counselorId } satisfies Assignment);
}

function unqueue(s: CenterState, visitorId: string): void {
  const i = s.queue.indexOf(visitorId);
  if (i >= 0) s.queue.splice(i, 1);
  s.entries.delete(visitorId);
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
    unqueue(s, head);
    assign(s, head, c, now, change);
    n++;
  }
  if (n > 0) positionsFrom(s, 0, change);
}
