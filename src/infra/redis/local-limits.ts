import { errors } from '../../common/errors';

/** What a store call of RateLimitService.take answers. */
export interface Taken {
  allowed: boolean;
  consumed: number;
  msBeforeNext: number;
}

interface Lease {
  /** Points of the store's current window this node may still grant. */
  left: number;
  /** End of the store's window the points belong to (performance.now() time). */
  until: number;
  /** The store was over the limit: refused here until then, without asking it again. */
  refusedUntil: number;
  pending: Promise<void> | null;
}

const SWEEP_FROM = 10_000;

/**
 * A limit of the shared store (Redis: every node together) taken in batches: one store call takes
 * `batch` points for this node, and the next messages of the key are granted from them in memory,
 * synchronously. Only the points the store counted at or below its limit are granted (a batch that
 * crosses the limit grants its part below it), and a lease ends with the store's window it was
 * taken in, so the points granted in one store window on all nodes together never exceed the
 * limit. The price: points leased by a node and not used in that window are lost to the others
 * (at most `batch - 1` per node), and the end of a lease is the store's answer plus the round trip
 * (a fraction of a millisecond late). Refusals are remembered until the window ends (no store call).
 */
export class LeasedLimit {
  private readonly leases = new Map<string, Lease>();
  private sweepAt = SWEEP_FROM;

  constructor(
    private readonly points: number,
    readonly batch: number,
    private readonly take: (key: string, points: number) => Promise<Taken>,
  ) {}

  /** null: granted at once; otherwise a promise that settles when a batch was taken (RATE_LIMITED when refused). */
  consume(key: string): Promise<void> | null {
    const lease = this.leases.get(key);
    if (lease && !lease.pending) {
      const now = performance.now();
      if (now < lease.until) {
        if (lease.left > 0) {
          lease.left--;
          return null;
        }
        if (now < lease.refusedUntil) return Promise.reject(errors.rateLimited(Math.ceil(lease.refusedUntil - now)));
      }
    }
    return this.renew(key);
  }

  /** Forgets the key's lease on this node (the store's count is reset by the caller). */
  forget(key: string): void {
    this.leases.delete(key);
  }

  private async renew(key: string): Promise<void> {
    let lease = this.leases.get(key);
    if (lease?.pending) {
      await lease.pending;
      const again = this.consume(key);
      if (again) await again;
      return;
    }
    if (!lease) {
      if (this.leases.size >= this.sweepAt) this.sweep();
      lease = { left: 0, until: 0, refusedUntil: 0, pending: null };
      this.leases.set(key, lease);
    }
    const l = lease;
    let refused = false;
    l.pending = (async () => {
      try {
        const taken = await this.take(key, this.batch);
        // the store counted `consumed` in its window, this batch included: ours are those at or below the limit
        const granted = Math.max(0, Math.min(this.batch, this.points - (taken.consumed - this.batch)));
        const until = performance.now() + Math.max(0, taken.msBeforeNext);
        refused = granted < this.batch;
        l.left = granted;
        l.until = until;
        l.refusedUntil = refused ? until : 0;
      } finally {
        l.pending = null;
      }
    })();
    await l.pending;
    if (l.left > 0) {
      l.left--;
      return;
    }
    if (refused) throw errors.rateLimited(Math.max(1, Math.ceil(l.refusedUntil - performance.now())));
    // a whole batch, taken by the sends that waited for it: the next one
    await this.renew(key);
  }

  private sweep(): void {
    const now = performance.now();
    for (const [key, l] of this.leases) if (!l.pending && now >= l.until) this.leases.delete(key);
    this.sweepAt = Math.max(SWEEP_FROM, this.leases.size * 2);
  }
}

/**
 * A fixed-window count per key in this node's memory, synchronous: for the per-socket event limit
 * (a socket lives on exactly one node, so no other node could count its events).
 */
export class LocalWindow {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private sweepAt = SWEEP_FROM;

  constructor(
    private readonly points: number,
    private readonly durationMs: number,
  ) {}

  /** Counts one event; throws RATE_LIMITED (with the time to the window's end) beyond the limit. */
  consume(key: string): void {
    const now = performance.now();
    let w = this.windows.get(key);
    if (!w || now >= w.resetAt) {
      if (!w && this.windows.size >= this.sweepAt) this.sweep(now);
      w = { count: 0, resetAt: now + this.durationMs };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count > this.points) throw errors.rateLimited(Math.ceil(w.resetAt - now));
  }

  forget(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now >= w.resetAt) this.windows.delete(key);
    this.sweepAt = Math.max(SWEEP_FROM, this.windows.size * 2);
  }
}
