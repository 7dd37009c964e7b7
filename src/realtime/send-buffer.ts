import type { LotseSocket } from './ws';

interface EnginePacket {
  data?: unknown;
}

/** What engine.io exposes of a connection (internal fields, stable across engine.io 6). */
interface EngineConn {
  writeBuffer: EnginePacket[];
  readyState: string;
  transport?: { name?: string; writable?: boolean; socket?: { terminate?: () => void } };
  on(event: 'packetCreate', fn: (packet: EnginePacket) => void): void;
  on(event: 'flush', fn: () => void): void;
  close(discard?: boolean): void;
}

const sizeOf = (data: unknown): number =>
  typeof data === 'string' ? data.length : Buffer.isBuffer(data) ? data.length : data instanceof ArrayBuffer ? data.byteLength : 0;

/**
 * Socket.IO queues what it sends to a socket without a bound: a client that stops reading (a
 * frozen tab, a stalled mobile network) would make the node hold every push for it in memory. The
 * packets waiting in engine.io's write buffer (they wait there while the transport has the previous
 * batch still unwritten: the peer's TCP window is full) are counted here; beyond `limitBytes` the
 * connection is closed at once, its queue discarded. The client catches up from `room.history`
 * when it reconnects; nothing it missed is lost (the database is the truth).
 */
export function boundSendBuffer(socket: LotseSocket, limitBytes: number, onOverflow: (bytes: number) => void): void {
  const conn = socket.conn as unknown as EngineConn;
  let queued = 0;
  let cut = false;
  conn.on('flush', () => {
    queued = 0;
  });
  conn.on('packetCreate', (packet) => {
    // a writable transport takes the packet at once (flush): only what piles up behind a batch the
    // peer has not taken yet counts, so one large answer (a history page) never cuts a healthy client
    if (cut || conn.transport?.writable) return;
    queued += sizeOf(packet.data);
    if (queued <= limitBytes) return;
    cut = true;
    onOverflow(queued);
    const ws = conn.transport?.name === 'websocket' ? conn.transport.socket : undefined;
    // discard: engine.io would otherwise wait for the queue to drain before closing, which never comes
    conn.close(true);
    // and the TCP connection itself, with what the kernel and ws still hold for it
    ws?.terminate?.();
  });
}
