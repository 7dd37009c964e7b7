/**
 * The waiting line and the seats of one center's live chat. Every method is one atomic step on
 * the shared store (a Redis Lua script, or the in-process implementation under a per-center lock)
 * and returns what changed, so the calling node can push the events.
 *
 * Invariants kept inside each step: no counselor above maxChats; waiting ≤ the center's limit;
 * no visitor assigned twice; FIFO order; whenever a seat is free the queue is drained.
 */
export interface Seat {
  visitorId: string;
  counselorId: string;
}

/** A visitor who just got a counselor, with what their waiting entry held (read before it was removed). */
export interface Assignment extends Seat {
  /** The waiting entry's first message as stored (ciphertext), null when none or assigned at once without one. */
  message: string | null;
  /** When the visitor joined the line (ms); equals the assignment time when assigned at once. */
  joinedAt: number;
  /** HMAC of the visitor's address, if known. */
  address: string | null;
  /** The time of the step that assigned (ms): `assignedAt - joinedAt` is the wait. */
  assignedAt: number;
}

export interface PositionChange {
  visitorId: string;
  position: number;
}

export interface QueueChange {
  /** Visitors that just got a counselor (in queue order). */
  assigned: Assignment[];
  /** Waiting visitors whose position changed (1 = next). */
  positions: PositionChange[];
  /** Visitors taken out of the waiting line (left, timed out, sent home). */
  removed: string[];
}

export type JoinOutcome =
  | { status: 'closed' | 'full' | 'already' | 'address_full'; change: QueueChange }
  | { status: 'assigned'; change: QueueChange }
  | { status: 'waiting'; position: number; change: QueueChange };

export interface QueueEntry {
  visitorId: string;
  joinedAt: number;
  /** Sensitive: ciphertext (center key), shown only to counselors on shift; never logged. */
  firstMessage: string | null;
  /** HMAC of the visitor's address (never the address), for the per-address cap and blocks. */
  address: string | null;
}

export interface JoinOptions {
  now: number;
  limit: number;
  /** The first message as it is to be stored (ciphertext), or null. */
  message: string | null;
  address: string | null;
  /** At most this many waiting visitors per address (0: no cap). */
  perAddress: number;
  /** Expiry of the center's waiting-line keys (Redis), refreshed by every join. */
  ttlMs: number;
}

/** The seats in the store, for the invariant check against the open live chats in the database. */
export interface SeatsView {
  inChat: Seat[];
  load: Record<string, number>;
  away: string[];
}

export interface QueueStatus {
  shifts: number;
  waiting: number;
  freeSeats: number;
}

export interface RestoreInput {
  shifts: { counselorId: string; maxChats: number }[];
  chats: Seat[];
}

export interface LiveQueueStore {
  join(centerId: string, visitorId: string, opts: JoinOptions): Promise<JoinOutcome>;
  /** Takes a waiting visitor out of the line (`left` false when they were not waiting). */
  leave(centerId: string, visitorId: string): Promise<QueueChange & { left: boolean }>;
  /** A chat ended: frees the counselor's seat (once per visitor) and drains the queue. */
  release(centerId: string, visitorId: string, counselorId: string, now: number): Promise<QueueChange>;
  /** Opens a shift or changes its maxChats, then drains the queue. */
  openShift(centerId: string, counselorId: string, maxChats: number, now: number): Promise<QueueChange>;
  /** Closes a shift; when it was the last one every waiting visitor is removed (`lastClosed`). */
  closeShift(centerId: string, counselorId: string): Promise<QueueChange & { lastClosed: boolean }>;
  /** Removes everybody who joined before `cutoff` (ms). */
  sweepTimeouts(centerId: string, cutoff: number): Promise<QueueChange>;
  /** Rebuilds shifts and seats from the database when the store lost the center's state. */
  restore(centerId: string, input: RestoreInput, now: number): Promise<QueueChange & { restored: boolean }>;
  /**
   * A counselor's connection state: away (their last socket is gone; `pick` skips them) or back
   * (then the queue is drained). `changed` is true only for the step that flipped the state.
   */
  setAway(centerId: string, counselorId: string, away: boolean, now: number): Promise<QueueChange & { changed: boolean }>;
  /**
   * Moves a running chat's seat from `from` to another counselor on shift who is not away and has a
   * free seat (least loaded, then longest idle). `to` null: nobody can take it (nothing changed).
   */
  handOver(centerId: string, visitorId: string, from: string, now: number): Promise<{ to: string | null }>;
  snapshot(centerId: string): Promise<QueueEntry[]>;
  status(centerId: string): Promise<QueueStatus>;
  seats(centerId: string): Promise<SeatsView>;
}

export const LIVE_QUEUE_STORE = Symbol('LIVE_QUEUE_STORE');

export const emptyChange = (): QueueChange => ({ assigned: [], positions: [], removed: [] });
