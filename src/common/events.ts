import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { AuthContext } from './auth-context';

/**
 * The typed in-process event map: every event one module announces and others handle, with its
 * payload. Emit through `emitEvent` so name and payload are checked together; handlers use
 * `@OnEvent(NAME, { async: true, promisify: true })` with the payload type named here.
 */

/** A socket authenticated and joined its rooms (shift grace, visitor grace, room rejoin). */
export const SOCKET_CONNECTED = 'realtime.connected';
/** A socket is gone (the feature decides whether that was the caller's last one). */
export const SOCKET_DISCONNECTED = 'realtime.disconnected';
export interface SocketPresenceEvent {
  auth: AuthContext;
  socketId: string;
}

/** Emitted before an account row is deleted; handlers remove what belongs to it (awaited). */
export const ACCOUNT_DELETING = 'account.deleting';
export interface AccountDeletingEvent {
  centerId: string;
  accountId: string;
}

/**
 * Emitted inside the transaction that turns a staff account into a tombstone (status `deleted`,
 * kept as the name on what it wrote in the center's rooms); handlers remove what was only its own
 * (canned responses, reset links), never what it wrote for others. Awaited.
 */
export const STAFF_ACCOUNT_RETIRING = 'account.retiring';

/** A post (any kind) was committed to a thread. Emitted after the commit, not awaited by the writer. */
export const THREAD_POST_CREATED = 'thread.post-created';
export interface ThreadPostCreatedEvent {
  centerId: string;
  threadId: string;
  postId: string;
  seq: number;
  /** Null for system notices. */
  senderId: string | null;
  senderRole: 'client' | 'counselor' | 'admin' | 'system';
  kind: 'post' | 'notice' | 'center_notice' | 'deleted';
}

/** A thread got its first counselor or a new one (reassignment). Emitted after the commit. */
export const THREAD_ASSIGNED = 'thread.assigned';
export interface ThreadAssignedEvent {
  centerId: string;
  threadId: string;
  counselorId: string;
  previousCounselorId: string | null;
}

/**
 * Emitted inside the transaction that deletes a whole thread (its client's account is deleted, or
 * retention); handlers delete what they keep per thread (notes per thread). Awaited.
 */
export const THREAD_DELETING = 'thread.deleting';
export interface ThreadDeletingEvent {
  centerId: string;
  threadId: string;
}

/**
 * Emitted inside the transaction that deletes a video room (its counselor deletes it); handlers
 * delete what they keep per room (the counselor's notes about it). Awaited.
 */
export const VIDEO_ROOM_DELETING = 'video.room-deleting';
export interface VideoRoomDeletingEvent {
  centerId: string;
  roomId: string;
}

/**
 * What the statistics count (issue 13), one name per figure. Counts only: never an id, a name or a
 * text. `value` carries a duration in seconds for the `*.wait`/`*.duration` metrics (kept as a
 * histogram), and is absent (1) for plain counts.
 */
export const STAT_METRICS = [
  'live.started',
  'live.refused_full',
  'live.refused_closed',
  'live.wait',
  'live.duration',
  'topic.held',
  'topic.participants',
  'enquiry.created',
  'thread.posts',
  'appointment.video',
  'appointment.chat',
  'appointment.mail',
  'appointment.phone',
  'video.sessions',
] as const;
export type StatMetric = (typeof STAT_METRICS)[number];

/**
 * Something the statistics count happened (emitted after the commit of what it counts; handlers
 * must not throw into the emitter). `at` decides the center-local day.
 */
export const STAT_COUNTED = 'stats.counted';
export interface StatCountedEvent {
  centerId: string;
  metric: StatMetric;
  at: Date;
  /** Seconds for durations (`live.wait`, `live.duration`); absent for a count of one. */
  value?: number;
}

export interface AppEvents {
  [SOCKET_CONNECTED]: SocketPresenceEvent;
  [SOCKET_DISCONNECTED]: SocketPresenceEvent;
  [ACCOUNT_DELETING]: AccountDeletingEvent;
  [STAFF_ACCOUNT_RETIRING]: AccountDeletingEvent;
  [THREAD_POST_CREATED]: ThreadPostCreatedEvent;
  [THREAD_ASSIGNED]: ThreadAssignedEvent;
  [THREAD_DELETING]: ThreadDeletingEvent;
  [STAT_COUNTED]: StatCountedEvent;
  [VIDEO_ROOM_DELETING]: VideoRoomDeletingEvent;
}
export type AppEventName = keyof AppEvents;

/** Emits an event of the map and waits for its async handlers. */
export function emitEvent<K extends AppEventName>(events: EventEmitter2, name: K, payload: AppEvents[K]): Promise<unknown[]> {
  return events.emitAsync(name, payload);
}
