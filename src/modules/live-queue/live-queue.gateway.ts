import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { AuthContext } from '../../common/auth-context';
import { Command, LotseGateway, LotseSocket, socketAddress, WsAuth } from '../../realtime/ws';
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

  @Command('shift.open')
  openShift(@WsAuth() auth: AuthContext, @MessageBody() dto: ShiftOpenDto) {
    return this.shifts.open(auth, dto);
  }

  @Command('shift.close')
  closeShift(@WsAuth() auth: AuthContext) {
    return this.shifts.close(auth);
  }

  @Command('queue.join')
  join(@WsAuth() auth: AuthContext, @MessageBody() dto: JoinQueueDto, @ConnectedSocket() socket: LotseSocket) {
    return this.queue.join(auth, dto, { ip: socketAddress(socket) });
  }

  @Command('queue.leave')
  leave(@WsAuth() auth: AuthContext) {
    return this.queue.leave(auth);
  }

  @Command('queue.remove')
  remove(@WsAuth() auth: AuthContext, @MessageBody() dto: QueueRemoveDto) {
    return this.queue.remove(auth, dto);
  }

  @Command('live.end')
  end(@WsAuth() auth: AuthContext, @MessageBody() dto: LiveEndDto) {
    return this.chats.end(auth, dto);
  }

  @Command('live.sync')
  sync(@WsAuth() auth: AuthContext) {
    return this.chats.sync(auth);
  }
}
