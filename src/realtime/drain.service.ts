import { Injectable, Logger } from '@nestjs/common';
import type { LotseServer, LotseSocket } from './ws';

/** How long a command of a socket that went away still counts as in flight at most. */
const FORGET_MS = 3000;

/**
 * The node's part in a graceful shutdown (SIGTERM, see src/graceful-shutdown.ts): once `begin()`
 * ran, `/health/ready` answers 503 `draining` and the socket server refuses new handshakes; socket
 * commands still running are counted here (`track`), so the shutdown can wait for their acks before
 * it hands the sockets over (disconnects them: clients reconnect to another node and resend what
 * was not acknowledged, with the same ids).
 */
@Injectable()
export class DrainService {
  private readonly logger = new Logger('Drain');
  private server: LotseServer | null = null;
  private isDraining = false;
  private running = 0;
  private waiters: (() => void)[] = [];
  /** Unanswered commands per socket id. */
  private readonly open = new Map<string, Set<() => void>>();

  attach(server: LotseServer): void {
    this.server = server;
  }

  get draining(): boolean {
    return this.isDraining;
  }

  /** Commands (and disconnect handlers) running on this node now. */
  get inFlight(): number {
    return this.running;
  }

  /** Readiness false, no new handshakes from now on. */
  begin(): void {
    if (this.isDraining) return;
    this.isDraining = true;
    this.logger.log({ inFlight: this.running, sockets: this.server?.of('/').sockets.size ?? 0 }, 'draining: readiness false, new handshakes refused');
  }

  /** Counts one unit of work until the returned function is called (once; later calls do nothing). */
  start(): () => void {
    this.running++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      if (this.running === 0) this.wake();
    };
  }

  /** Runs `work` counted as in flight. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    const done = this.start();
    try {
      return await work();
    } finally {
      done();
    }
  }

  /**
   * Wraps the ack callback of an incoming command so the command counts as in flight until it is
   * answered; a socket that goes away releases what it still had running (its acks can no longer
   * be delivered, and a command nobody answers must not hold the shutdown up).
   */
  trackCommand(socket: LotseSocket, packet: unknown[]): void {
    const ack: unknown = packet[packet.length - 1];
    if (typeof ack !== 'function') return;
    const done = this.start();
    let open = this.open.get(socket.id);
    if (!open) this.open.set(socket.id, (open = new Set()));
    const pending = open;
    pending.add(done);
    packet[packet.length - 1] = (...args: unknown[]) => {
      pending.delete(done);
      done();
      (ack as (...a: unknown[]) => void)(...args);
    };
  }

  /**
   * The socket is gone. A command it started still runs to its end (its write commits; only the ack
   * cannot be delivered any more) and counts until then, but at most `FORGET_MS` longer: a command
   * that nobody answers (an unknown event with an ack) must not hold a shutdown up.
   */
  forget(socketId: string): void {
    const open = this.open.get(socketId);
    this.open.delete(socketId);
    if (!open || open.size === 0) return;
    setTimeout(() => open.forEach((done) => done()), FORGET_MS).unref();
  }

  /** Resolves when nothing is in flight, or after `ms` (resolves with how many are still running). */
  async settle(ms: number): Promise<number> {
    if (this.running === 0) return 0;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.max(0, ms));
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(finish);
    });
    return this.running;
  }

  /** Disconnects every socket of this node (only this one: `local`, never through the adapter). */
  disconnectLocal(): number {
    if (!this.server) return 0;
    const count = this.server.of('/').sockets.size;
    this.server.local.disconnectSockets(true);
    return count;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
