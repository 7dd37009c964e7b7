import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { MetricsService } from '../infra/metrics/metrics.service';
import type { Ack } from './contract';

/**
 * Times every socket command from its arrival to its ack (lotse_ack_latency_seconds, by command and
 * outcome) and counts the acknowledged messages. On every gateway (LotseGateway): Nest's global
 * interceptors do not reach gateways.
 */
@Injectable()
export class CommandMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'ws') return next.handle();
    const command = ctx.switchToWs().getPattern();
    const stop = this.metrics.ackLatency.startTimer({ command });
    return next.handle().pipe(
      tap({
        next: (answer: unknown) => {
          const ok = (answer as Ack<unknown> | undefined)?.ok !== false;
          stop({ outcome: ok ? 'ok' : 'error' });
          if (ok && command === 'message.send') this.metrics.messages.inc();
        },
        error: () => stop({ outcome: 'error' }),
      }),
    );
  }
}
