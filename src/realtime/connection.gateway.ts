import { Inject, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketServer } from '@nestjs/websockets';
import { DomainError } from '../common/errors';
import { TOO_DEEP_MESSAGE, valueTooDeep } from '../common/validation';
import { emitEvent, SOCKET_CONNECTED, SOCKET_DISCONNECTED } from '../common/events';
import { RateLimitService } from '../infra/redis/rate-limit.service';
import type { Ack } from './contract';
import { RealtimePublisher } from './publisher';
import { roomFor } from './room-names';
import { SOCKET_AUTHENTICATOR, SocketAuthenticator } from './socket-authenticator';
import { LotseGateway, LotseServer, LotseSocket } from './ws';

/**
 * Connection lifecycle: joins each socket to its subject, token and center rooms, applies the
 * per-socket and per-account event limits, and announces presence changes to the features.
 */
@LotseGateway()
export class ConnectionGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() server!: LotseServer;

  constructor(
    private readonly publisher: RealtimePublisher,
    @Inject(SOCKET_AUTHENTICATOR) private readonly tokens: SocketAuthenticator,
    private readonly limits: RateLimitService,
    private readonly events: EventEmitter2,
  ) {}

  afterInit(server: LotseServer): void {
    this.publisher.attach(server);
    this.tokens.onRevoked((hashes) => this.publisher.disconnectTokens(hashes));
  }

  async handleConnection(socket: LotseSocket): Promise<void> {
    const auth = socket.data.auth;
    if (!auth) {
      socket.disconnect(true);
      return;
    }
    await socket.join([roomFor.subject(auth.subjectId), roomFor.token(auth.tokenHash), roomFor.center(auth.centerId)]);
    socket.use((packet, next) => {
      const ack: unknown = packet[packet.length - 1];
      this.limits
        .consume('socketEvents', socket.id)
        .then(() => {
          // deep payloads are refused before validation could overflow the stack on them
          if (!valueTooDeep(packet.slice(1))) return next();
          if (typeof ack === 'function') (ack as (a: Ack<never>) => void)({ ok: false, error: { code: 'VALIDATION_FAILED', message: TOO_DEEP_MESSAGE } });
        })
        .catch((err: unknown) => {
          if (typeof ack === 'function' && err instanceof DomainError) (ack as (a: Ack<never>) => void)({ ok: false, error: err.toBody() });
        });
    });
    await emitEvent(this.events, SOCKET_CONNECTED, { auth, socketId: socket.id }).catch((err: Error) =>
      this.logger.error({ err: err.message }, 'connect handler failed'),
    );
  }

  async handleDisconnect(socket: LotseSocket): Promise<void> {
    const auth = socket.data.auth;
    if (!auth) return;
    await emitEvent(this.events, SOCKET_DISCONNECTED, { auth, socketId: socket.id }).catch((err: Error) =>
      this.logger.error({ err: err.message }, 'disconnect handler failed'),
    );
  }
}
