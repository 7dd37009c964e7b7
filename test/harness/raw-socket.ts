import { io } from 'socket.io-client';
import type { TestSocket } from './app';

export interface HandshakeOptions {
  token: string;
  /** The `Origin` header the handshake sends (none: as a non-browser client). */
  origin?: string;
  transport?: 'websocket' | 'polling';
  /** More headers (e.g. `x-forwarded-for` behind TRUSTED_PROXIES). */
  headers?: Record<string, string>;
}

/**
 * One Socket.IO handshake without reconnection: resolves 'connected' (and disconnects at once) or
 * the connect_error message (`UNAUTHORIZED`, an origin refusal, …). Used by the gateway hardening
 * e2e tests and the attack suite's transport cases.
 */
export function handshake(url: string, o: HandshakeOptions): Promise<string> {
  const socket = io(url, {
    auth: { token: o.token },
    transports: [o.transport ?? 'websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { ...o.headers, ...(o.origin ? { origin: o.origin } : {}) },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      socket.disconnect();
      resolve(err.message);
    });
  });
}

/**
 * The answer to a raw Socket.IO packet sent on a connected socket's engine (engine.io adds its
 * message type `4`) with ack id `id`, or 'disconnected' when the server closes the socket instead.
 */
export function rawFrame(socket: TestSocket, frame: string, id?: number, ms = 3000): Promise<unknown> {
  const engine = socket.io.engine;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(() => reject(new Error(`no answer to ${frame.slice(0, 60)} within ${ms} ms`))), ms);
    const onPacket = (packet: { type: string; data?: unknown }) => {
      const data = packet.data;
      if (id === undefined || packet.type !== 'message' || typeof data !== 'string' || !data.startsWith(`3${id}[`)) return;
      done(() => resolve((JSON.parse(data.slice(`3${id}`.length)) as unknown[])[0]));
    };
    const onClose = () => done(() => resolve('disconnected'));
    const done = (fn: () => void) => {
      clearTimeout(timer);
      engine.off('packet', onPacket);
      socket.off('disconnect', onClose);
      fn();
    };
    engine.on('packet', onPacket);
    socket.once('disconnect', onClose);
    engine.send(frame);
  });
}
