import { Injectable, Logger } from '@nestjs/common';
import type { AuthContext } from '../common/auth-context';
import { toErrorBody } from '../common/http-exception.filter';
import { MetricsService } from '../infra/metrics/metrics.service';
import type { Ack } from './contract';
import type { CommandName, CommandPayload, CommandResult, LotseSocket } from './ws';

interface LeanHandler {
  accept(payload: unknown): unknown;
  run(auth: AuthContext, payload: unknown): Promise<unknown>;
}

/**
 * A lean dispatch for the hottest commands (`message.send`): the handler is called straight from
 * the socket's listener, without Nest's per-call machinery (the rxjs chain of the interceptors,
 * the execution context, the class-transformer/class-validator pipe, the param factories), which
 * cost about a fifth of the CPU of a message.
 *
 * Semantics stay those of the Nest path: `accept` takes a payload only when the DTO's validation
 * would pass it unchanged (the same checks, from class-validator's own functions) and returns what
 * the pipe would hand the handler; anything else — an unknown field, a wrong type, a missing
 * field, a socket without auth — is declined and goes through Nest's pipeline, which answers it
 * with its usual VALIDATION_FAILED/UNAUTHORIZED. Answers keep the ack shape (`{ ok: true, data }`
 * or `{ ok: false, error }` by `toErrorBody`, as WsErrorFilter), and the metrics of
 * CommandMetricsInterceptor (ack latency by command and outcome, acknowledged messages).
 */
@Injectable()
export class LeanCommands {
  private readonly handlers = new Map<string, LeanHandler>();
  private readonly logger = new Logger('WsError');

  constructor(private readonly metrics: MetricsService) {}

  register<E extends CommandName>(
    command: E,
    accept: (payload: unknown) => CommandPayload<E> | null,
    run: (auth: AuthContext, payload: CommandPayload<E>) => Promise<CommandResult<E>>,
  ): void {
    this.handlers.set(command, { accept, run });
  }

  /** True when the command was taken (and will be acked); false: the caller runs Nest's handler. */
  dispatch(command: string, socket: LotseSocket, data: unknown, ack: ((answer: unknown) => void) | undefined): boolean {
    const handler = this.handlers.get(command);
    if (!handler || !ack) return false;
    const auth = socket.data.auth;
    if (!auth) return false;
    const payload = handler.accept(data);
    if (payload === null) return false;
    const stop = this.metrics.ackLatency.startTimer({ command });
    // a handler that throws before its first await answers like one that rejects
    Promise.resolve()
      .then(() => handler.run(auth, payload))
      .then(
        (result) => {
          stop({ outcome: 'ok' });
          if (command === 'message.send') this.metrics.messages.inc();
          ack({ ok: true, data: result ?? {} } satisfies Ack<unknown>);
        },
        (err: unknown) => {
          stop({ outcome: 'error' });
          ack({ ok: false, error: toErrorBody(err, this.logger) } satisfies Ack<never>);
        },
      );
    return true;
  }
}
