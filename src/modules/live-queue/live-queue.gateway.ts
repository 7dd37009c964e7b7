import { ConnectedSocket, MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { AuthContext } from '../../common/auth-context';
import { LotseGateway, LotseSocket, socketAddress, WsAuth } from '../../realtime/ws';
import { JoinQueueDto, LiveEndDto, ShiftOpenDto } from './dto/live-queue.dto';
import { LiveQueueService } from './live-queue.service';
import { ShiftsService } from './shifts.service';

/** `shift.open`, `shift.close`, `queue.join`, `queue.leave`, `live.end`. */
@LotseGateway()
export class LiveQueueGateway {
  constructor(
    private readonly queue: LiveQueueService,
    private readonly shifts: ShiftsService,
  ) {}

  @SubscribeMessage('shift.open')
  openShift(@WsAuth() auth: AuthContext, @MessageBody() dto: ShiftOpenDto) {
    return this.shifts.open(auth, dto);
  }

  @SubscribeMessage('shift.close')
  closeShift(@WsAuth() auth: AuthContext) {
    return this.shifts.close(auth);
  }

  @SubscribeMessage('queue.join')
  join(@WsAuth() auth: AuthContext, @MessageBody() dto: JoinQueueDto, @ConnectedSocket() socket: LotseSocket) {
    return this.queue.join(auth, dto, { ip: socketAddress(socket) });
  }

  @SubscribeMessage('queue.leave')
  leave(@WsAuth() auth: AuthContext) {
    return this.queue.leave(auth);
  }

  @SubscribeMessage('live.end')
  end(@WsAuth() auth: AuthContext, @MessageBody() dto: LiveEndDto) {
    return this.queue.end(auth, dto);
  }
}
