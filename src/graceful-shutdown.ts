import { INestApplication, Logger, ShutdownSignal } from '@nestjs/common';
import { DrainService } from './realtime/drain.service';

/** Signals that drain the node gracefully (main.ts); Nest's own shutdown hooks keep the others. */
export const DRAIN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** The signals Nest handles itself (app.ts): every shutdown signal but the drained ones. */
export const NEST_SHUTDOWN_SIGNALS: string[] = Object.values(ShutdownSignal).filter((s) => !(DRAIN_SIGNALS as readonly string[]).includes(s));

/** The bounds of a graceful shutdown (ms after the signal). */
export const SHUTDOWN_TIMING = {
  /** In-flight socket commands are awaited up to here before the sockets are disconnected. */
  commandsMs: 5000,
  /** Disconnect handlers and the commands still running are awaited up to here. */
  handOverMs: 7500,
  /** Whatever is still open then: the process exits anyway (a load balancer's 10 s are kept). */
  hardExitMs: 9500,
} as const;

/**
 * SIGTERM (and SIGINT): readiness false and new handshakes refused at once; the socket commands
 * running now are answered (up to 5 s); then this node's sockets are disconnected — their clients
 * reconnect to another node and resend what was not acknowledged, with the same ids — and their
 * disconnect handlers run; then Nest closes the socket server, the HTTP listener (REST requests in
 * flight finish; new connections are refused), Redis and the database. At 9.5 s the process exits
 * whatever is still open. Nothing acknowledged is lost: an ack is sent only after the commit.
 */
export function installGracefulShutdown(app: INestApplication, timing = SHUTDOWN_TIMING): void {
  const logger = new Logger('Shutdown');
  let started = false;
  const run = async (signal: string): Promise<void> => {
    if (started) return;
    started = true;
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    const hard = setTimeout(() => {
      logger.error({ ms: elapsed() }, 'graceful shutdown did not finish in time: exiting');
      process.exit(1);
    }, timing.hardExitMs);
    hard.unref();
    try {
      const drain = app.get(DrainService);
      drain.begin();
      const unanswered = await drain.settle(timing.commandsMs - elapsed());
      const sockets = drain.disconnectLocal();
      const still = await drain.settle(timing.handOverMs - elapsed());
      logger.log({ signal, sockets, unanswered, still, ms: elapsed() }, 'sockets handed over; closing');
      await app.close();
      logger.log({ ms: elapsed() }, 'shut down');
      clearTimeout(hard);
      process.exit(0);
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err), ms: elapsed() }, 'graceful shutdown failed');
      process.exit(1);
    }
  };
  for (const signal of DRAIN_SIGNALS) process.on(signal, () => void run(signal));
}
