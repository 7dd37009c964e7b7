import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Interval } from '@nestjs/schedule';
import { AuthContext } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { DomainError, errors } from '../../common/errors';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import { SOCKET_CONNECTED, SOCKET_DISCONNECTED, SocketPresenceEvent } from '../../realtime/connection.gateway';
import type { LiveStatus, QueueJoinResult } from '../../realtime/contract';
import { RealtimePublisher } from '../../realtime/publisher';
import type { RequestOrigin } from '../auth/auth.service';
import { TokensService } from '../auth/tokens.service';
import { CentersService } from '../centers/centers.service';
import { RoomsService } from '../rooms/rooms.service';
import { JoinQueueDto, LiveEndDto } from './dto/live-queue.dto';
import { LiveChat } from './live-chat.entity';
import { LiveQueueRepository } from './live-queue.repository';
import { withinOpeningHours } from './opening-hours';
import { QueueEffectsService } from './queue-effects.service';
import { LIVE_QUEUE_STORE, LiveQueueStore } from './queue-store';
import { VisitorBlock } from './visitor-block.entity';

/** A waiting visitor whose last socket is gone this long leaves the queue. */
export const VISITOR_GRACE_MS = 20_000;
const STATUS_CACHE_MS = 500;

/**
 * The visitor side of the live chat: join and leave the queue, end a chat (either side), the public
 * status, and the sweeps (maximum wait, visitors gone, store restore after a Redis loss).
 */
@Injectable()
export class LiveQueueService implements OnModuleDestroy {
  private readonly logger = new Logger('LiveQueue');
  private stopping = false;
  /** Visitors without a socket, by id: since when (this node saw the last one go). */
  private readonly away = new Map<string, { centerId: string; since: number }>();
  private readonly statusCache = new Map<string, { at: number; value: Promise<LiveStatus> }>();

  constructor(
    @Inject(LIVE_QUEUE_STORE) private readonly store: LiveQueueStore,
    private readonly effects: QueueEffectsService,
    private readonly repo: LiveQueueRepository,
    private readonly rooms: RoomsService,
    private readonly centers: CentersService,
    private readonly tokens: TokensService,
    private readonly limits: RateLimitService,
    private readonly publisher: RealtimePublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** `{ position: 0 }` means a counselor was assigned at once (`queue.assigned` is pushed as well). */
  async join(auth: AuthContext, dto: JoinQueueDto, origin: RequestOrigin): Promise<QueueJoinResult> {
    if (auth.role !== 'visitor') throw errors.forbidden('Only visitors join the live chat queue.');
    await this.limits.consume('queueJoinAddress', this.limits.addressKey(origin.ip));
    const center = await this.effects.center(auth.centerId);
    if (!withinOpeningHours(center.openingHours, center.timeZone, this.clock.now())) {
      throw new DomainError('LIVE_CLOSED', 'The live chat is closed outside its opening hours.');
    }
    if (await this.repo.isBlocked(auth.centerId, auth.subjectId)) throw errors.forbidden('The live chat is not available to you.');
    const message = dto.message?.trim() || null;
    const outcome = await this.store
      .join(auth.centerId, auth.subjectId, { now: this.clock.now().getTime(), limit: center.liveWaitingLimit, message })
      .catch((err: Error) => {
        this.logger.error({ err: err.message }, 'live queue store unavailable');
        throw new DomainError('LIVE_CLOSED', 'The live chat is unavailable right now. Please try again in a minute.');
      });
    if (outcome.status === 'closed') throw new DomainError('LIVE_CLOSED', 'No counselor is on shift right now.');
    if (outcome.status === 'full') throw new DomainError('QUEUE_FULL', 'The waiting line is full. Please try again later.');
    if (outcome.status === 'already') throw new DomainError('ALREADY_WAITING', 'You are waiting or chatting already.');
    this.statusCache.delete(auth.centerId);
    await this.effects.apply(auth.centerId, outcome.change);
    return { position: outcome.status === 'waiting' ? outcome.position : 0 };
  }

  /** Leaves the queue, or ends the visitor's running chat. */
  async leave(auth: AuthContext): Promise<Record<string, never>> {
    if (auth.role !== 'visitor') throw errors.forbidden('Only visitors leave the live chat queue.');
    const change = await this.store.leave(auth.centerId, auth.subjectId);
    if (change.left) {
      await this.effects.apply(auth.centerId, change, 'left');
      return {};
    }
    const chat = await this.repo.findRunningChatOfVisitor(auth.centerId, auth.subjectId);
    if (chat) await this.endChat(chat, 'left', null);
    return {};
  }

  /** Ends a live chat: its counselor (optionally blocking the visitor) or its visitor. */
  async end(auth: AuthContext, dto: LiveEndDto): Promise<Record<string, never>> {
    const chat = await this.repo.findChatByRoom(auth.centerId, dto.roomId);
    if (!chat) throw errors.notFound('The live chat');
    if (auth.subjectId === chat.counselorId) await this.endChat(chat, 'ended', dto.block ? auth.subjectId : null);
    else if (auth.subjectId === chat.visitorId) await this.endChat(chat, 'ended', null);
    // anyone else learns nothing about the room, as with every room they are not in
    else throw errors.notFound('The live chat');
    return {};
  }

  /** Once per chat (conditional update): close the room, block if asked, free the seat. */
  private async endChat(chat: LiveChat, reason: string, blockedBy: string | null): Promise<void> {
    if (!(await this.repo.endChat(chat.centerId, chat.id, reason))) return;
    const center = await this.effects.center(chat.centerId);
    await this.rooms.closeRoom(chat.centerId, chat.roomId, reason, { deleteMessages: !center.keepLiveTranscripts });
    if (blockedBy) {
      await this.repo.insertBlock(
        Object.assign(new VisitorBlock(), { id: this.ids.uuid(), centerId: chat.centerId, visitorId: chat.visitorId, blockedBy, createdAt: this.clock.now() }),
      );
      await this.tokens.revokeSubject(chat.centerId, chat.visitorId);
    }
    const change = await this.store.release(chat.centerId, chat.visitorId, chat.counselorId, this.clock.now().getTime());
    this.statusCache.delete(chat.centerId);
    await this.effects.apply(chat.centerId, change);
  }

  /** `{ open, full, waiting }` for the homepage button: one store read per center per half second. */
  async status(slug: string): Promise<LiveStatus> {
    const center = await this.centers.bySlug(slug);
    const now = Date.now();
    const hit = this.statusCache.get(center.id);
    if (hit && now - hit.at < STATUS_CACHE_MS) return hit.value;
    const value = this.store.status(center.id).then(
      (s): LiveStatus => {
        const open = s.shifts > 0 && withinOpeningHours(center.openingHours, center.timeZone, this.clock.now());
        return { open, full: open && s.freeSeats === 0 && s.waiting >= center.liveWaitingLimit, waiting: s.waiting };
      },
      (err: Error): LiveStatus => {
        this.logger.warn({ err: err.message }, 'live status unavailable');
        return { open: false, full: false, waiting: 0 };
      },
    );
    this.statusCache.set(center.id, { at: now, value });
    return value;
  }

  // ---- presence and sweeps ---------------------------------------------------------------------

  @OnEvent(SOCKET_DISCONNECTED, { async: true, promisify: true })
  async onDisconnected(event: SocketPresenceEvent): Promise<void> {
    if (event.auth.role !== 'visitor' || this.stopping) return;
    if ((await this.publisher.countSubjectSockets(event.auth.subjectId)) > 0) return;
    this.away.set(event.auth.subjectId, { centerId: event.auth.centerId, since: this.clock.now().getTime() });
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  /**
   * A visitor's (re)connected socket learns where it stands at once: a push may have been lost while
   * it was away (`queue.assigned` of a running chat, or its current `queue.position`).
   */
  @OnEvent(SOCKET_CONNECTED, { async: true, promisify: true })
  async onConnected(event: SocketPresenceEvent): Promise<void> {
    const { auth } = event;
    if (auth.role !== 'visitor') return;
    this.away.delete(auth.subjectId);
    try {
      const chat = await this.repo.findRunningChatOfVisitor(auth.centerId, auth.subjectId);
      if (chat) {
        const counselorName = await this.effects.counselorName(auth.centerId, chat.counselorId);
        this.publisher.toSocket(event.socketId, 'queue.assigned', { roomId: chat.roomId, peer: { displayName: counselorName } });
        return;
      }
      const index = (await this.store.snapshot(auth.centerId)).findIndex((e) => e.visitorId === auth.subjectId);
      if (index >= 0) this.publisher.toSocket(event.socketId, 'queue.position', { position: index + 1 });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not restore a visitor after reconnect');
    }
  }

  /** Waiting visitors gone longer than the grace leave the queue; the ones behind move up. */
  @Interval(2000)
  async sweepAway(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const [visitorId, a] of [...this.away]) {
      if (now - a.since < VISITOR_GRACE_MS) continue;
      this.away.delete(visitorId);
      try {
        if ((await this.publisher.countSubjectSockets(visitorId)) > 0) continue;
        const change = await this.store.leave(a.centerId, visitorId);
        if (change.left) await this.effects.apply(a.centerId, change, 'disconnected');
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'could not remove a disconnected visitor');
      }
    }
  }

  /** Maximum wait, and the restore of a center's shifts and seats when the store lost them. */
  @Interval(5000)
  async sweepQueues(): Promise<void> {
    try {
      const open = await this.repo.findAllOpenShifts();
      const byCenter = new Map<string, { counselorId: string; maxChats: number }[]>();
      for (const s of open) byCenter.set(s.centerId, [...(byCenter.get(s.centerId) ?? []), { counselorId: s.counselorId, maxChats: s.maxChats }]);
      const now = this.clock.now().getTime();
      for (const [centerId, shifts] of byCenter) {
        const status = await this.store.status(centerId);
        if (status.shifts === 0) {
          const chats = (await this.repo.findRunningChats(centerId)).map((c) => ({ visitorId: c.visitorId, counselorId: c.counselorId }));
          const restored = await this.store.restore(centerId, { shifts, chats }, now);
          if (restored.restored) this.logger.warn({ centerId }, 'live queue state restored from the database');
          await this.effects.apply(centerId, restored);
        }
        const center = await this.effects.center(centerId);
        const change = await this.store.sweepTimeouts(centerId, now - center.liveMaxWaitMinutes * 60_000);
        if (change.removed.length > 0) await this.effects.apply(centerId, change, 'timeout');
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'live queue sweep failed');
    }
  }
}
