import { EventEmitter } from 'node:events';
import { DrainService } from '../../src/realtime/drain.service';
import { boundSendBuffer } from '../../src/realtime/send-buffer';
import type { LotseSocket } from '../../src/realtime/ws';

const fakeSocket = (id: string) => ({ id }) as unknown as LotseSocket;

describe('DrainService', () => {
  it('should count a command until its ack is called and let settle wait for it', async () => {
    const drain = new DrainService();
    const acked: unknown[] = [];
    const packet: unknown[] = ['message.send', {}, (a: unknown) => acked.push(a)];
    drain.trackCommand(fakeSocket('s1'), packet);
    expect(drain.inFlight).toBe(1);
    let settled: number | null = null;
    const waiting = drain.settle(5000).then((n) => (settled = n));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBeNull();
    (packet[2] as (a: unknown) => void)({ ok: true });
    await waiting;
    expect({ settled, acked, inFlight: drain.inFlight }).toEqual({ settled: 0, acked: [{ ok: true }], inFlight: 0 });
  });

  it('should give up waiting after the bound and say how many still run', async () => {
    const drain = new DrainService();
    drain.trackCommand(fakeSocket('s1'), ['x', {}, () => undefined]);
    const started = performance.now();
    await expect(drain.settle(100)).resolves.toBe(1);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('should not count a command without an ack, and release an unanswered one of a socket that went away', async () => {
    jest.useFakeTimers();
    try {
      const drain = new DrainService();
      drain.trackCommand(fakeSocket('s1'), ['x', {}]);
      expect(drain.inFlight).toBe(0);
      drain.trackCommand(fakeSocket('s2'), ['x', {}, () => undefined]);
      drain.forget('s2');
      expect(drain.inFlight).toBe(1);
      jest.advanceTimersByTime(3000);
      expect(drain.inFlight).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('boundSendBuffer', () => {
  function fakeConn() {
    const conn = Object.assign(new EventEmitter(), {
      writeBuffer: [] as unknown[],
      readyState: 'open',
      transport: { name: 'websocket', writable: false, socket: { terminate: jest.fn() } },
      close: jest.fn(),
    });
    return conn;
  }

  it('should cut a connection whose unsent packets pass the limit, and only then', () => {
    const conn = fakeConn();
    const overflow = jest.fn();
    boundSendBuffer({ conn } as unknown as LotseSocket, 1000, overflow);
    conn.emit('packetCreate', { data: 'x'.repeat(600) });
    conn.emit('flush');
    conn.emit('packetCreate', { data: 'x'.repeat(600) });
    expect(conn.close).not.toHaveBeenCalled();
    conn.emit('packetCreate', { data: 'x'.repeat(600) });
    expect(overflow).toHaveBeenCalledWith(1200);
    expect(conn.close).toHaveBeenCalledWith(true);
    expect(conn.transport.socket.terminate).toHaveBeenCalled();
  });

  it('should never count a packet a writable transport takes at once (one large answer)', () => {
    const conn = fakeConn();
    conn.transport.writable = true;
    boundSendBuffer({ conn } as unknown as LotseSocket, 1000, jest.fn());
    conn.emit('packetCreate', { data: 'x'.repeat(5000) });
    expect(conn.close).not.toHaveBeenCalled();
  });
});
