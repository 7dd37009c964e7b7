import { Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketServer } from '@nestjs/websockets';
import type { Server } from 'socket.io';
import { AuthContext } from '../common/auth-context';
import { DomainError } from '../common/errors';
import { TOO_DEEP_MESSAGE, valueTooDeep } from '../common/validation';
import { RateLimitService } from '../infra/redis/rate-limit.service';
import { TokensService } from '../modules/auth/tokens.service';
import type { Ack } from './contract';
import { RealtimePublisher } from './publisher';
import { roomFor } from './room-names';
import { LotseGateway, LotseSocket } from './ws';

/** In-process events for features that track presence (shift grace, visitor grace). */
export const SOCKET_CONNECTED = 'realtime.connected';
export const SOCKET_DISCONNECTED = 'realtime.disconnected';
export interface SocketPresenceEvent {
  auth: AuthContext;
  socketId: string;
}

/**
 * Connection lifecycle: joins each socket to its subject, token and center rooms, applies the
 * per-socket and per-account event limits, and announces presence changes to the features.
 */
@LotseGateway()
export class ConnectionGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() server!: Server;

  constructor(
    private readonly publisher: RealtimePublisher,
    private readonly tokens: TokensService,
    private readonly limits: RateLimitService,
    private readonly events: EventEmitter2,
  ) {}

  afterInit(server: Server): void {
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
    const event: SocketPresenceEvent = { auth, socketId: socket.id };
    await this.events.emitAsync(SOCKET_CONNECTED, event).catch((err: Error) => this.logger.error({ err: err.message }, 'connect handler failed'));
  }

  async handleDisconnect(socket: LotseSocket): Promise<void> {
    const auth = socket.data.auth;
    if (!auth) return;
    const event: SocketPresenceEvent = { auth, socketId: socket.id };
    await this.events.emitAsync(SOCKET_DISCONNECTED, event).catch((err: Error) => this.logger.error({ err: err.message }, 'disconnect handler failed'));
  }
}
