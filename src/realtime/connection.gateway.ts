import { Inject, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketServer } from '@nestjs/websockets';
import { DomainError } from '../common/errors';
import { TOO_DEEP_MESSAGE, valueTooDeep } from '../common/validation';
import { emitEvent, SOCKET_CONNECTED, SOCKET_DISCONNECTED } from '../common/events';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RateLimitService } from '../infra/redis/rate-limit.service';
import type { Ack } from './contract';
import { DrainService } from './drain.service';
import { RealtimePublisher } from './publisher';
import { roomFor } from './room-names';
import { SOCKET_AUTHENTICATOR, SocketAuthenticator } from './socket-authenticator';
import { boundSendBuffer } from './send-buffer';
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
    private readonly drain: DrainService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  afterInit(server: LotseServer): void {
    this.publisher.attach(server);
    this.drain.attach(server);
    this.tokens.onRevoked((hashes) => this.publisher.disconnectTokens(hashes));
  }

  async handleConnection(socket: LotseSocket): Promise<void> {
    const auth = socket.data.auth;
    if (!auth) {
      socket.disconnect(true);
      return;
    }
    await socket.join([roomFor.subject(auth.subjectId), roomFor.token(auth.tokenHash), roomFor.center(auth.centerId)]);
    boundSendBuffer(socket, this.config.socketSendBufferBytes, (bytes) =>
      this.logger.warn({ socketId: socket.id, bytes }, 'a socket stopped reading: disconnected (its client catches up from history)'),
    );
    socket.use((packet, next) => {
      // counted until answered: a graceful shutdown waits for these acks (DrainService)
      this.drain.trackCommand(socket, packet);
      const ack: unknown = packet[packet.length - 1];
      // in this node's memory and synchronous: a socket lives on one node only
      try {
        this.limits.consumeSocketEvent(socket.id);
      } catch (err) {
        if (typeof ack === 'function' && err instanceof DomainError) (ack as (a: Ack<never>) => void)({ ok: false, error: err.toBody() });
        return;
      }
      // deep payloads are refused before validation could overflow the stack on them
      if (!valueTooDeep(packet.slice(1))) return next();
      if (typeof ack === 'function') (ack as (a: Ack<never>) => void)({ ok: false, error: { code: 'VALIDATION_FAILED', message: TOO_DEEP_MESSAGE } });
    });
    await emitEvent(this.events, SOCKET_CONNECTED, { auth, socketId: socket.id }).catch((err: Error) =>
      this.logger.error({ err: err.message }, 'connect handler failed'),
    );
  }

  async handleDisconnect(socket: LotseSocket): Promise<void> {
    this.drain.forget(socket.id);
    this.limits.forgetSocket(socket.id);
    const auth = socket.data.auth;
    if (!auth) return;
    // counted: a shutdown that disconnected its sockets waits for these handlers before closing the database
    await this.drain.track(() =>
      emitEvent(this.events, SOCKET_DISCONNECTED, { auth, socketId: socket.id }).catch((err: Error) =>
        this.logger.error({ err: err.message }, 'disconnect handler failed'),
      ),
    );
  }
}
