import { io, Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../../src/realtime/contract';
import type { CommandName, CommandPayload, CommandResult } from './contract';
import type { ChatSocket } from './reliable-chat';

export type LotseSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket to Lotse's own origin; the token travels in `auth`, never in the URL. */
export function connectSocket(token: string): LotseSocket {
  return io({ auth: { token }, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
}

/**
 * Emits a command and resolves with its ack (a timeout resolves as an INTERNAL error). The
 * payload and the ack's data are the contract's types for `event`.
 */
export function command<E extends CommandName>(socket: LotseSocket, event: E, payload: CommandPayload<E>, timeoutMs = 10_000): Promise<Ack<CommandResult<E>>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: { code: 'INTERNAL', message: 'timeout' } }), timeoutMs);
    // A generic E cannot be spread into emit's tuple; the signature below is that tuple spelled out.
    const emit = socket.emit.bind(socket) as (e: E, p: CommandPayload<E>, ack: (a: Ack<CommandResult<E>>) => void) => unknown;
    emit(event, payload, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/**
 * The typed socket seen through ReliableChat's typed pick of the contract (`ChatSocket`). The
 * cast is needed only because socket.io-client's generic `on`/`emit` signatures are conditional
 * types TypeScript cannot compare with a pick; the picked events are the contract's own.
 */
export function asChatSocket(socket: LotseSocket): ChatSocket {
  return socket as unknown as ChatSocket;
}
