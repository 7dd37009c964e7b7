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

export interface AppEvents {
  [SOCKET_CONNECTED]: SocketPresenceEvent;
  [SOCKET_DISCONNECTED]: SocketPresenceEvent;
  [ACCOUNT_DELETING]: AccountDeletingEvent;
  [STAFF_ACCOUNT_RETIRING]: AccountDeletingEvent;
}
export type AppEventName = keyof AppEvents;

/** Emits an event of the map and waits for its async handlers. */
export function emitEvent<K extends AppEventName>(events: EventEmitter2, name: K, payload: AppEvents[K]): Promise<unknown[]> {
  return events.emitAsync(name, payload);
}
