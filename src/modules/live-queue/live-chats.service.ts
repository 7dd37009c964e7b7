import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Interval } from '@nestjs/schedule';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { emitEvent, STAT_COUNTED } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import type { LiveChatView, LiveEndReason, LiveSyncResult, QueueWaitingEntry } from '../../realtime/contract';
import { RealtimePublisher } from '../../realtime/publisher';
import { TokensService } from '../auth/tokens.service';
import { RoomsService } from '../rooms/rooms.service';
import { chatLabel } from './chat-label';
import { LiveEndDto } from './dto/live-queue.dto';
import { LiveChat } from './live-chat.entity';
import { LiveQueueRepository } from './live-queue.repository';
import { QueueEffectsService } from './queue-effects.service';
import { LIVE_QUEUE_STORE, LiveQueueStore } from './queue-store';
import { VisitorBlock } from './visitor-block.entity';

/** A visitor whose last socket is gone this long leaves the queue, or their running chat ends ('disconnected'). */
export const VISITOR_GRACE_MS = 20_000;

/**
 * Running live chats: ending them (once, with a LiveEndReason), blocks, the counselor's `live.sync`,
 * and what happens when either side is gone: `live.paused`/`live.resumed`, the hand-over to another
 * counselor, and the sweeps that end chats whose visitor stayed away (every node; the conditional
 * update on live_chats decides, so each chat ends exactly once).
 */
@Injectable()
export class LiveChatsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LiveChats');
  private stopping = false;

  constructor(
    @Inject(LIVE_QUEUE_STORE) private readonly store: LiveQueueStore,
    private readonly effects: QueueEffectsService,
    private readonly repo: LiveQueueRepository,
    private readonly rooms: RoomsService,
    private readonly tokens: TokensService,
    private readonly publisher: RealtimePublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
    private readonly events: EventEmitter2,
  ) {}

  onModuleInit(): void {
    // `room.close` on a live chat: its counselor ends it exactly like `live.end`
    this.rooms.registerCloser('live', (auth, roomId) => this.closeByCounselor(auth, roomId));
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  /** `live.end`: its counselor (optionally blocking the visitor) or its visitor. */
  async end(auth: AuthContext, dto: LiveEndDto): Promise<Record<string, never>> {
    const chat = await this.repo.findChatByRoom(auth.centerId, dto.roomId);
    if (!chat) throw errors.notFound('The live chat');
    if (auth.subjectId === chat.counselorId) await this.endChat(chat, dto.block ? 'blocked' : 'ended_by_counselor', dto.block ? auth.subjectId : null);
    else if (auth.subjectId === chat.visitorId) await this.endChat(chat, 'ended_by_visitor', null);
    // anyone else learns nothing about the room, as with every room they are not in
    else throw errors.notFound('The live chat');
    return {};
  }

  private async closeByCounselor(auth: AuthContext, roomId: string): Promise<void> {
    const chat = await this.repo.findChatByRoom(auth.centerId, roomId);
    if (!chat || chat.counselorId !== auth.subjectId) throw errors.notFound('The live chat');
    await this.endChat(chat, 'ended_by_counselor', null);
  }

  /** The visitor's running chat, if any, ends for `reason` (queue.leave, quick exit). */
  async endChatOfVisitor(centerId: string, visitorId: string, reason: LiveEndReason): Promise<boolean> {
    const chat = await this.repo.findRunningChatOfVisitor(centerId, visitorId);
    return chat ? this.endChat(chat, reason, null) : false;
  }

  /**
   * Once per chat (conditional update): close the room for both sides, block if asked, free the seat.
   * The chat row, the room's close (and its messages), the block and the revoked tokens are one
   * transaction; the seat in the live-queue store (Redis) cannot join it and is freed after the
   * commit. So a failed transaction leaves the chat running with its seat held (consistent: either
   * side can end it again), and a store failure after the commit leaves the ended chat's seat taken
   * in the store: the counselor gets one chat fewer for a while, never one too many, and no chat
   * runs without a seat (the safe side of the invariants in DESIGN-NOTES §2).
   */
  async endChat(chat: LiveChat, reason: LiveEndReason, blockedBy: string | null): Promise<boolean> {
    const center = await this.effects.center(chat.centerId);
    const ended = await this.tx.run(async () => {
      if (!(await this.repo.endChat(chat.centerId, chat.id, reason))) return false;
      await this.rooms.closeRoom(chat.centerId, chat.roomId, reason, { deleteMessages: !center.keepLiveTranscripts });
      if (blockedBy) await this.block(chat.centerId, chat.visitorId, chat.addressHash, blockedBy);
      return true;
    });
    if (!ended) return false;
    // statistics: the conditional update above let exactly one caller get here
    const endedAt = this.clock.now();
    void emitEvent(this.events, STAT_COUNTED, {
      centerId: chat.centerId,
      metric: 'live.duration',
      at: endedAt,
      value: (endedAt.getTime() - chat.assignedAt.getTime()) / 1000,
    });
    const change = await this.store.release(chat.centerId, chat.visitorId, chat.counselorId, this.clock.now().getTime());
    await this.effects.apply(chat.centerId, change);
    return true;
  }

  /** Blocks a visitor id and its address hash for the center's liveBlockHours; its tokens are revoked (both or neither). */
  async block(centerId: string, visitorId: string, addressHash: string | null, blockedBy: string): Promise<void> {
    const center = await this.effects.center(centerId);
    const now = this.clock.now();
    await this.tx.run(async () => {
      await this.repo.insertBlock(
        Object.assign(new VisitorBlock(), {
          id: this.ids.uuid(),
          centerId,
          visitorId,
          blockedBy,
          createdAt: now,
          addressHash,
          expiresAt: new Date(now.getTime() + center.liveBlockHours * 60 * 60 * 1000),
        }),
      );
      await this.tokens.revokeSubject(centerId, visitorId);
    });
  }

  /** `live.sync`: the counselor's open shift, their running chats, the queue (entries only on shift). */
  async sync(auth: AuthContext): Promise<LiveSyncResult> {
    requireRole(auth, 'counselor', 'admin');
    const shift = await this.repo.findOpenShift(auth.centerId, auth.subjectId);
    const chats: LiveChatView[] = [];
    for (const c of await this.repo.findRunningChatsOfCounselor(auth.centerId, auth.subjectId)) {
      const read = await this.rooms.readState(auth.centerId, c.roomId, auth.subjectId);
      if (!read) continue;
      chats.push({
        roomId: c.roomId,
        label: chatLabel(c.roomId),
        assignedAt: c.assignedAt.toISOString(),
        waitedMs: c.waitedMs,
        lastSeq: read.lastSeq,
        unread: Math.max(0, read.lastSeq - read.lastReadSeq),
        peerAway: c.visitorAwaySince !== null,
      });
    }
    const snapshot = await this.store.snapshot(auth.centerId).catch((err: Error) => {
      this.logger.warn({ err: err.message }, 'live queue store unavailable for live.sync');
      return [];
    });
    const entries: QueueWaitingEntry[] = shift ? await this.effects.entriesView(auth.centerId, snapshot) : [];
    return { shift: shift ? { shiftId: shift.id, maxChats: shift.maxChats } : null, chats, waiting: snapshot.length, entries };
  }

  // ---- the counselor is gone -------------------------------------------------------------------

  /** The counselor's last socket is gone while on shift: away in the store (no new chats), their visitors are told. */
  async counselorAway(centerId: string, counselorId: string): Promise<void> {
    const r = await this.store.setAway(centerId, counselorId, true, this.clock.now().getTime());
    if (!r.changed) return;
    for (const chat of await this.repo.findRunningChatsOfCounselor(centerId, counselorId)) {
      this.publisher.toSubject(chat.visitorId, 'live.paused', { roomId: chat.roomId, who: 'counselor' });
    }
  }

  /** Back within the grace: present in the store again (the queue drains), their visitors are told. */
  async counselorBack(centerId: string, counselorId: string): Promise<void> {
    const r = await this.store.setAway(centerId, counselorId, false, this.clock.now().getTime());
    await this.effects.apply(centerId, r);
    if (!r.changed) return;
    for (const chat of await this.repo.findRunningChatsOfCounselor(centerId, counselorId)) {
      this.publisher.toSubject(chat.visitorId, 'live.resumed', { roomId: chat.roomId, who: 'counselor' });
    }
  }

  /**
   * Off shift (chats go on after `shift.close`) the counselor's last socket is gone: each running
   * chat is marked (database, injected clock) and its visitor told; the chat sweep hands it over or
   * ends it after the center's shiftGraceSeconds.
   */
  async counselorAwayOffShift(centerId: string, counselorId: string): Promise<void> {
    for (const chat of await this.repo.markCounselorAway(centerId, counselorId, this.clock.now())) {
      this.publisher.toSubject(chat.visitorId, 'live.paused', { roomId: chat.roomId, who: 'counselor' });
    }
  }

  /** A counselor socket connected: chats marked while they were gone off shift go on. */
  async counselorBackOffShift(centerId: string, counselorId: string): Promise<void> {
    for (const chat of await this.repo.findRunningChatsOfCounselor(centerId, counselorId)) {
      if (chat.counselorAwaySince && (await this.repo.clearCounselorAway(centerId, chat.id))) {
        this.publisher.toSubject(chat.visitorId, 'live.resumed', { roomId: chat.roomId, who: 'counselor' });
      }
    }
  }

  /**
   * The counselor's shift ended with the grace (the caller won the conditional update, so this runs
   * once): each running chat goes to another counselor on shift, or ends with `counselor_gone`.
   */
  async counselorGone(centerId: string, counselorId: string): Promise<void> {
    const center = await this.effects.center(centerId);
    for (const chat of await this.repo.findRunningChatsOfCounselor(centerId, counselorId)) {
      try {
        if (center.liveHandover === 'handover' && (await this.handOver(chat))) continue;
        await this.endChat(chat, 'counselor_gone', null);
      } catch (err) {
        this.logger.error({ err: (err as Error).message }, 'could not hand over or end a chat of a gone counselor');
      }
    }
  }

  /**
   * Same room, same history: the seat moves in the store (it picks who takes it), then the row
   * (conditional) and the members in one transaction. The store cannot join the transaction: when
   * the transaction fails the seat goes back (released in the store) and the caller ends the chat
   * as if nobody could take it, so the store and the database agree again.
   */
  private async handOver(chat: LiveChat): Promise<boolean> {
    const now = this.clock.now().getTime();
    const { to } = await this.store.handOver(chat.centerId, chat.visitorId, chat.counselorId, now);
    if (!to) return false;
    const giveSeatBack = async () => this.effects.apply(chat.centerId, await this.store.release(chat.centerId, chat.visitorId, to, now));
    const name = await this.effects.counselorName(chat.centerId, to);
    let moved: boolean;
    try {
      // the chat row, the new member and the old one's removal: all or nothing
      moved = await this.tx.run(async () => {
        if (!(await this.repo.reassignChat(chat.centerId, chat.id, chat.counselorId, to))) return false;
        await this.rooms.addMember(chat.centerId, chat.roomId, { subjectId: to, role: 'counselor', displayName: name });
        await this.rooms.removeMember(chat.centerId, chat.roomId, chat.counselorId, 'handed_over');
        return true;
      });
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'live chat hand-over failed; the chat ends instead');
      await giveSeatBack();
      return false;
    }
    if (!moved) {
      // the chat ended or moved meanwhile: give the seat back
      await giveSeatBack();
      return true;
    }
    this.publisher.toSubject(to, 'queue.assigned', this.effects.counselorAssigned(chat));
    this.publisher.toSubject(chat.visitorId, 'live.handedOver', { roomId: chat.roomId, peer: { displayName: name } });
    this.logger.log({ centerId: chat.centerId }, 'live chat handed over');
    return true;
  }

  /**
   * Chats whose counselor has been gone off shift longer than the center's shift grace: the node
   * whose conditional update claims the chat hands it over or ends it with `counselor_gone`.
   */
  @Interval(2000)
  async sweepCounselorsGone(): Promise<void> {
    try {
      const now = this.clock.now().getTime();
      for (const chat of await this.repo.findCounselorAway()) {
        const center = await this.effects.center(chat.centerId);
        if (!chat.counselorAwaySince || now - chat.counselorAwaySince.getTime() < center.shiftGraceSeconds * 1000) continue;
        if ((await this.publisher.countSubjectSockets(chat.counselorId)) > 0) {
          if (await this.repo.clearCounselorAway(chat.centerId, chat.id)) {
            this.publisher.toSubject(chat.visitorId, 'live.resumed', { roomId: chat.roomId, who: 'counselor' });
          }
          continue;
        }
        if (!(await this.repo.clearCounselorAway(chat.centerId, chat.id))) continue; // another node took it
        if (center.liveHandover === 'handover' && (await this.handOver(chat))) continue;
        await this.endChat(chat, 'counselor_gone', null);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'counselor grace sweep of running chats failed');
    }
  }

  // ---- the visitor is gone ---------------------------------------------------------------------

  /** The visitor's last socket is gone: if they chat, the chat is marked (database) and the counselor told. */
  async visitorAway(centerId: string, visitorId: string): Promise<boolean> {
    const chat = await this.repo.findRunningChatOfVisitor(centerId, visitorId);
    if (!chat) return false;
    if (this.stopping) return true; // the other nodes' ghost sweep takes over
    if (await this.repo.markVisitorAway(centerId, chat.id, this.clock.now())) {
      this.publisher.toSubject(chat.counselorId, 'live.paused', { roomId: chat.roomId, who: 'visitor' });
    }
    return true;
  }

  /** A visitor socket (re)connected: if they chat, the counselor hears they are back and the socket where it stands. */
  async visitorBack(centerId: string, visitorId: string, socketId: string): Promise<boolean> {
    const chat = await this.repo.findRunningChatOfVisitor(centerId, visitorId);
    if (!chat) return false;
    if (await this.repo.clearVisitorAway(centerId, chat.id)) {
      this.publisher.toSubject(chat.counselorId, 'live.resumed', { roomId: chat.roomId, who: 'visitor' });
    }
    // a push may have been lost while it was away
    const counselorName = await this.effects.counselorName(centerId, chat.counselorId);
    this.publisher.toSocket(socketId, 'queue.assigned', { roomId: chat.roomId, peer: { displayName: counselorName } });
    return true;
  }

  /** Chats whose visitor stayed away beyond the grace end with `disconnected` (once, on whichever node wins). */
  @Interval(2000)
  async sweepVisitorsGone(): Promise<void> {
    try {
      for (const chat of await this.repo.findVisitorGone(new Date(this.clock.now().getTime() - VISITOR_GRACE_MS))) {
        if ((await this.publisher.countSubjectSockets(chat.visitorId)) > 0) {
          if (await this.repo.clearVisitorAway(chat.centerId, chat.id)) {
            this.publisher.toSubject(chat.counselorId, 'live.resumed', { roomId: chat.roomId, who: 'visitor' });
          }
          continue;
        }
        await this.endChat(chat, 'disconnected', null);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'visitor grace sweep failed');
    }
  }

  /**
   * A node that died took its disconnect events with it: running chats whose visitor (or off-shift
   * counselor) has no socket on any node are marked away here, so the grace sweeps end or hand them
   * over (no ghost holds a seat).
   */
  @Interval(10_000)
  async sweepGhosts(): Promise<void> {
    if (this.stopping) return;
    try {
      for (const chat of await this.repo.findRunningWithVisitorPresent()) {
        if ((await this.publisher.countSubjectSockets(chat.visitorId)) > 0) continue;
        if (await this.repo.markVisitorAway(chat.centerId, chat.id, this.clock.now())) {
          this.publisher.toSubject(chat.counselorId, 'live.paused', { roomId: chat.roomId, who: 'visitor' });
        }
      }
      // the same for counselors off shift (on shift, the ghost-shift sweep starts their grace)
      const counselors = new Map<string, string>();
      for (const chat of await this.repo.findRunningChatsWithCounselorPresent()) counselors.set(chat.counselorId, chat.centerId);
      for (const [counselorId, centerId] of counselors) {
        if ((await this.repo.findOpenShift(centerId, counselorId)) || (await this.publisher.countSubjectSockets(counselorId)) > 0) continue;
        await this.counselorAwayOffShift(centerId, counselorId);
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'ghost chat sweep failed');
    }
  }
}
