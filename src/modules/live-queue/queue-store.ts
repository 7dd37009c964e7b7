/**
 * The waiting line and the seats of one center's live chat. Every method is one atomic step on
 * the shared store (a Redis Lua script, or the in-process implementation under a per-center lock)
 * and returns what changed, so the calling node can push the events.
 *
 * Invariants kept inside each step: no counselor above maxChats; waiting ≤ the center's limit;
 * no visitor assigned twice; FIFO order; whenever a seat is free the queue is drained.
 */
export interface Assignment {
  visitorId: string;
  counselorId: string;
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
  | { status: 'closed' | 'full' | 'already'; change: QueueChange }
  | { status: 'assigned'; change: QueueChange }
  | { status: 'waiting'; position: number; change: QueueChange };

export interface QueueEntry {
  visitorId: string;
  joinedAt: number;
  /** Sensitive: kept only in the store and shown only to counselors on shift; never logged. */
  firstMessage: string | null;
}

export interface QueueStatus {
  shifts: number;
  waiting: number;
  freeSeats: number;
}

export interface RestoreInput {
  shifts: { counselorId: string; maxChats: number }[];
  chats: Assignment[];
}

export interface LiveQueueStore {
  join(centerId: string, visitorId: string, opts: { now: number; limit: number; message: string | null }): Promise<JoinOutcome>;
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
  snapshot(centerId: string): Promise<QueueEntry[]>;
  status(centerId: string): Promise<QueueStatus>;
}

export const LIVE_QUEUE_STORE = Symbol('LIVE_QUEUE_STORE');

export const emptyChange = (): QueueChange => ({ assigned: [], positions: [], removed: [] });
