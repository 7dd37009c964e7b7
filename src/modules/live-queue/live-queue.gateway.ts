import { ConnectedSocket, MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { AuthContext } from '../../common/auth-context';
import { LotseGateway, LotseSocket, socketAddress, WsAuth } from '../../realtime/ws';
import { JoinQueueDto, LiveEndDto, QueueRemoveDto, ShiftOpenDto } from './dto/live-queue.dto';
import { LiveChatsService } from './live-chats.service';
import { LiveQueueService } from './live-queue.service';
import { ShiftsService } from './shifts.service';

/** `shift.open`, `shift.close`, `queue.join`, `queue.leave`, `queue.remove`, `live.end`, `live.sync`. */
@LotseGateway()
export class LiveQueueGateway {
  constructor(
    private readonly queue: LiveQueueService,
    private readonly shifts: ShiftsService,
    private readonly chats: LiveChatsService,
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

  @SubscribeMessage('queue.remove')
  remove(@WsAuth() auth: AuthContext, @MessageBody() dto: QueueRemoveDto) {
    return this.queue.remove(auth, dto);
  }

  @SubscribeMessage('live.end')
  end(@WsAuth() auth: AuthContext, @MessageBody() dto: LiveEndDto) {
    return this.chats.end(auth, dto);
  }

  @SubscribeMessage('live.sync')
  sync(@WsAuth() auth: AuthContext) {
    return this.chats.sync(auth);
  }
}
