import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Interval } from '@nestjs/schedule';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { DomainError } from '../../common/errors';
import { SOCKET_CONNECTED, SOCKET_DISCONNECTED, SocketPresenceEvent } from '../../common/events';
import type { ShiftOpenResult } from '../../realtime/contract';
import { RealtimePublisher } from '../../realtime/publisher';
import { roomFor } from '../../realtime/room-names';
import { ShiftOpenDto } from './dto/live-queue.dto';
import { LiveChatsService } from './live-chats.service';
import { LiveQueueRepository } from './live-queue.repository';
import { QueueEffectsService } from './queue-effects.service';
import { LIVE_QUEUE_STORE, LiveQueueStore } from './queue-store';
import { Shift } from './shift.entity';

/**
 * Counselors' shifts: open (or change maxChats), close, and the grace period that lets a shift
 * outlive a reload. The database holds the shift and its grace deadline (database time); every
 * node sweeps, and the conditional update decides who closes it.
 */
@Injectable()
export class ShiftsService implements OnModuleDestroy {
  private readonly logger = new Logger('Shifts');
  private stopping = false;

  constructor(
    @Inject(LIVE_QUEUE_STORE) private readonly store: LiveQueueStore,
    private readonly effects: QueueEffectsService,
    private readonly chats: LiveChatsService,
    private readonly repo: LiveQueueRepository,
    private readonly publisher: RealtimePublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async open(auth: AuthContext, dto: ShiftOpenDto): Promise<ShiftOpenResult> {
    requireRole(auth, 'counselor', 'admin');
    let shift = await this.repo.findOpenShift(auth.centerId, auth.subjectId);
    if (shift) {
      await this.repo.reopenShift(auth.centerId, shift.id, dto.maxChats);
    } else {
      const fresh = Object.assign(new Shift(), {
        id: this.ids.uuid(),
        centerId: auth.centerId,
        counselorId: auth.subjectId,
        maxChats: dto.maxChats,
        openKey: auth.subjectId,
        openedAt: this.clock.now(),
        closedAt: null,
        graceUntil: null,
        closeReason: null,
      });
      shift = (await this.repo.insertShift(fresh)) ? fresh : await this.repo.findOpenShift(auth.centerId, auth.subjectId);
      if (!shift) throw new DomainError('CONFLICT', 'The shift changed at the same time. Please try again.');
    }
    this.publisher.joinRoom(roomFor.subject(auth.subjectId), roomFor.onShift(auth.centerId));
    const change = await this.store.openShift(auth.centerId, auth.subjectId, dto.maxChats, this.clock.now().getTime());
    await this.effects.apply(auth.centerId, change);
    return { shiftId: shift.id };
  }

  /** Idempotent: closing without an open shift answers `{}` as well. */
  async close(auth: AuthContext): Promise<Record<string, never>> {
    requireRole(auth, 'counselor', 'admin');
    const shift = await this.repo.findOpenShift(auth.centerId, auth.subjectId);
    if (shift) await this.closeShift(shift, 'closed');
    return {};
  }

  /**
   * Stops new assignments (running chats go on); the last shift sends the waiting visitors home.
   * One database write, then the live-queue store (Redis), which cannot join a transaction. The
   * database goes first: its conditional close decides which caller (on any node) acts, exactly
   * once, and it is the truth a lost store state is rebuilt from (LiveQueueService.sweepQueues). If
   * the store step fails after it, the store still counts the shift (the error reaches the caller or
   * the sweep's log) until the counselor's next `shift.open`; running chats are unaffected.
   */
  private async closeShift(shift: Shift, reason: string, graceDueAt?: Date): Promise<void> {
    if (!(await this.repo.closeShift(shift.centerId, shift.id, reason, graceDueAt))) return;
    this.publisher.leaveRoom(roomFor.subject(shift.counselorId), roomFor.onShift(shift.centerId));
    this.publisher.toSubject(shift.counselorId, 'shift.closed', { shiftId: shift.id, reason });
    const change = await this.store.closeShift(shift.centerId, shift.counselorId);
    await this.effects.apply(shift.centerId, change, 'shift_closed');
    // gone beyond the grace: their running chats are handed over or ended, never left to a ghost
    if (reason === 'disconnected') await this.chats.counselorGone(shift.centerId, shift.counselorId);
  }

  @OnEvent(SOCKET_DISCONNECTED, { async: true, promisify: true })
  async onDisconnected(event: SocketPresenceEvent): Promise<void> {
    const { auth } = event;
    if (auth.role !== 'counselor' && auth.role !== 'admin') return;
    const shift = await this.repo.findOpenShift(auth.centerId, auth.subjectId);
    // while this node shuts down the adapter cannot count sockets: start the grace anyway (a
    // reconnect to another node clears it, and the sweep checks for sockets before closing)
    if (!this.stopping && (await this.publisher.countSubjectSockets(auth.subjectId)) > 0) return;
    if (!shift) {
      // off shift their running chats go on: the visitors are told, the chat sweep decides after the grace
      if (this.stopping) return;
      await this.chats
        .counselorAwayOffShift(auth.centerId, auth.subjectId)
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'could not mark a counselor away'));
      return;
    }
    const center = await this.effects.center(auth.centerId);
    await this.repo.startGrace(auth.centerId, shift.id, center.shiftGraceSeconds);
    // while this node shuts down its store client may be gone: the other nodes' ghost sweep marks them away
    if (this.stopping) return;
    await this.chats
      .counselorAway(auth.centerId, auth.subjectId)
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'could not mark a counselor away'));
  }

  /** A reconnect within the grace keeps the shift; the new socket sees the queue at once. */
  @OnEvent(SOCKET_CONNECTED, { async: true, promisify: true })
  async onConnected(event: SocketPresenceEvent): Promise<void> {
    const { auth } = event;
    if (auth.role !== 'counselor' && auth.role !== 'admin') return;
    await this.chats
      .counselorBackOffShift(auth.centerId, auth.subjectId)
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'could not mark a counselor back'));
    const shift = await this.repo.findOpenShift(auth.centerId, auth.subjectId);
    if (!shift) return;
    await this.repo.clearGrace(auth.centerId, shift.id);
    this.publisher.joinRoom(event.socketId, roomFor.onShift(auth.centerId));
    await this.chats
      .counselorBack(auth.centerId, auth.subjectId)
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'could not mark a counselor back'));
    this.effects.scheduleUpdate(auth.centerId);
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  @Interval(1000)
  async sweepGrace(): Promise<void> {
    try {
      // the database decides what is due (one clock for every node), read once per sweep
      const now = await this.repo.dbNow();
      for (const shift of await this.repo.findGraceDue(now)) {
        // a reconnect can overtake the disconnect that started the grace: a connected counselor keeps the shift
        if ((await this.publisher.countSubjectSockets(shift.counselorId)) > 0) {
          await this.repo.clearGrace(shift.centerId, shift.id);
          await this.chats.counselorBack(shift.centerId, shift.counselorId);
        } else await this.closeShift(shift, 'disconnected', now);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'shift grace sweep failed');
    }
  }

  /**
   * A node that died (or shut down) took its disconnect events with it: open shifts whose counselor
   * has no socket on any node start their grace here, and the counselor counts as away in the store.
   */
  @Interval(10_000)
  async sweepGhostShifts(): Promise<void> {
    if (this.stopping) return;
    try {
      const now = await this.repo.dbNow();
      for (const shift of await this.repo.findAllOpenShifts()) {
        if ((await this.publisher.countSubjectSockets(shift.counselorId)) > 0) continue;
        if (!shift.graceUntil) {
          const center = await this.effects.center(shift.centerId);
          await this.repo.startGrace(shift.centerId, shift.id, center.shiftGraceSeconds, now);
        }
        await this.chats.counselorAway(shift.centerId, shift.counselorId);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'ghost shift sweep failed');
    }
  }
}
