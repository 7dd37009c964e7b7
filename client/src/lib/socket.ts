import { io, Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../../src/realtime/contract';
import type { ChatSocket } from './reliable-chat';

export type LotseSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket to Lotse's own origin; the token travels in `auth`, never in the URL. */
export function connectSocket(token: string): LotseSocket {
  return io({ auth: { token }, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
}

/** Emits a command and resolves with its ack (a timeout resolves as an INTERNAL error). */
export function command<T>(socket: LotseSocket, event: keyof ClientToServerEvents, payload: object, timeoutMs = 10_000): Promise<Ack<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: { code: 'INTERNAL', message: 'timeout' } }), timeoutMs);
    (socket.emit as (e: string, p: object, ack: (a: Ack<T>) => void) => void)(event, payload, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** The typed socket seen through the event-name-agnostic interface of ReliableChat. */
export function asChatSocket(socket: LotseSocket): ChatSocket {
  return socket as unknown as ChatSocket;
}
