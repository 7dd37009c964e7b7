import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { Interval } from '@nestjs/schedule';
import { AuthContext, requireRole } from '../../common/auth-context';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { Clock } from '../../common/clock';
import { DomainError, errors } from '../../common/errors';
import { emitEvent, SOCKET_CONNECTED, SOCKET_DISCONNECTED, SocketPresenceEvent, STAT_COUNTED, StatMetric } from '../../common/events';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import type { LiveStatus, QueueJoinResult } from '../../realtime/contract';
import { RealtimePublisher } from '../../realtime/publisher';
import type { RequestOrigin } from '../auth/auth.service';
import { CentersService } from '../centers/centers.service';
import { CryptoService } from '../crypto/crypto.service';
import { JoinQueueDto, QueueRemoveDto } from './dto/live-queue.dto';
import { LiveChatsService, VISITOR_GRACE_MS } from './live-chats.service';
import { LiveQueueRepository } from './live-queue.repository';
import { withinOpeningHours } from './opening-hours';
import { firstMessageCtx, QueueEffectsService } from './queue-effects.service';
import { LIVE_QUEUE_STORE, LiveQueueStore } from './queue-store';

export { VISITOR_GRACE_MS };

const STATUS_CACHE_MS = 500;
/** `queue.join` while the waiting line's store (Redis) is away: LIVE_CLOSED, honestly for a moment (docs/errors.md). */
export const LIVE_UNAVAILABLE_MESSAGE = 'The live chat is unavailable for a moment (a technical fault on our side). Please try again in a minute.';
/** The waiting line's Redis keys outlive the center's maximum wait by this much. */
const QUEUE_TTL_MARGIN_MS = 10 * 60_000;

/**
 * The visitor side of the live chat: join and leave the queue, a counselor's `queue.remove`, the
 * public status, and the sweeps (maximum wait, waiting visitors gone, expired blocks, store restore
 * after a Redis loss). Running chats: LiveChatsService.
 */
@Injectable()
export class LiveQueueService implements OnModuleDestroy {
  private readonly logger = new Logger('LiveQueue');
  private stopping = false;
  /** Waiting visitors without a socket, by id: since when (this node saw the last one go). */
  private readonly away = new Map<string, { centerId: string; since: number }>();
  private readonly statusCache = new Map<string, { at: number; value: Promise<LiveStatus> }>();

  constructor(
    @Inject(LIVE_QUEUE_STORE) private readonly store: LiveQueueStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly effects: QueueEffectsService,
    private readonly chats: LiveChatsService,
    private readonly repo: LiveQueueRepository,
    private readonly centers: CentersService,
    private readonly crypto: CryptoService,
    private readonly limits: RateLimitService,
    private readonly publisher: RealtimePublisher,
    private readonly clock: Clock,
    private readonly events: EventEmitter2,
  ) {}

  /** `{ position: 0 }` means a counselor was assigned at once (`queue.assigned` is pushed as well). */
  async join(auth: AuthContext, dto: JoinQueueDto, origin: RequestOrigin): Promise<QueueJoinResult> {
    requireRole(auth, 'visitor', { message: 'Only visitors join the live chat queue.' });
    const address = await this.limits.addressKey(origin.ip);
    await this.limits.consume('queueJoinAddress', address);
    const center = await this.effects.center(auth.centerId);
    const now = this.clock.now();
    if (!withinOpeningHours(center.openingHours, center.timeZone, now)) {
      void this.countRefusal(auth.centerId, auth.subjectId, 'live.refused_closed', now);
      throw new DomainError('LIVE_CLOSED', 'The live chat is closed outside its opening hours.');
    }
    if (await this.repo.isBlocked(auth.centerId, auth.subjectId, await this.limits.recentAddressKeys(origin.ip), now))
      throw errors.forbidden('The live chat is not available to you.');
    const text = dto.message?.trim() || null;
    const message = text === null ? null : await this.crypto.encrypt(firstMessageCtx(auth.centerId, auth.subjectId), text);
    const outcome = await this.store
      .join(auth.centerId, auth.subjectId, {
        now: now.getTime(),
        limit: center.liveWaitingLimit,
        message,
        address,
        // RATE_LIMITS=off lifts the per-address limits (load tests from one machine)
        perAddress: this.config.rateLimits ? center.liveWaitingPerAddress : 0,
        ttlMs: center.liveMaxWaitMinutes * 60_000 + QUEUE_TTL_MARGIN_MS,
      })
      .catch((err: Error) => {
        this.logger.error({ err: err.message }, 'live queue store unavailable');
        throw new DomainError('LIVE_CLOSED', LIVE_UNAVAILABLE_MESSAGE);
      });
    if (outcome.status === 'closed') {
      void this.countRefusal(auth.centerId, auth.subjectId, 'live.refused_closed', now);
      throw new DomainError('LIVE_CLOSED', 'No counselor is on shift right now.');
    }
    if (outcome.status === 'full') {
      void this.countRefusal(auth.centerId, auth.subjectId, 'live.refused_full', now);
      throw new DomainError('QUEUE_FULL', 'The waiting line is full. Please try again later.');
    }
    if (outcome.status === 'address_full') {
      throw new DomainError('QUEUE_FULL', 'Too many people are waiting from your network right now. Please try again later.');
    }
    if (outcome.status === 'already') throw new DomainError('ALREADY_WAITING', 'You are waiting or chatting already.');
    this.statusCache.delete(auth.centerId);
    await this.effects.apply(auth.centerId, outcome.change);
    if (outcome.status === 'waiting') await this.effects.pushPosition(auth.centerId, { visitorId: auth.subjectId }, outcome.position);
    return { position: outcome.status === 'waiting' ? outcome.position : 0 };
  }

  /**
   * Statistics: someone wanted to chat and was turned away (closed, or the line full), once per
   * visitor and hour on every node (a retry is the same person). Not counted: the per-address
   * limit (flooding), a block, a store outage, someone waiting already.
   */
  private async countRefusal(centerId: string, visitorId: string, metric: StatMetric, at: Date): Promise<void> {
    try {
      if ((await this.limits.take('statRefusal', `${metric}|${visitorId}`)).consumed !== 1) return;
      await emitEvent(this.events, STAT_COUNTED, { centerId, metric, at });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not count a refused visitor');
    }
  }

  /** Leaves the queue, or ends the visitor's running chat (`left`: quick exit, "leave"). */
  async leave(auth: AuthContext): Promise<Record<string, never>> {
    requireRole(auth, 'visitor', { message: 'Only visitors leave the live chat queue.' });
    const change = await this.store.leave(auth.centerId, auth.subjectId);
    if (change.left) {
      await this.effects.apply(auth.centerId, change, 'left');
      return {};
    }
    await this.chats.endChatOfVisitor(auth.centerId, auth.subjectId, 'left');
    return {};
  }

  /** `queue.remove`: a counselor on shift takes a waiting visitor out of the line (and blocks them if asked). */
  async remove(auth: AuthContext, dto: QueueRemoveDto): Promise<Record<string, never>> {
    requireRole(auth, 'counselor', 'admin');
    if (!(await this.repo.findOpenShift(auth.centerId, auth.subjectId))) throw errors.forbidden('Only counselors on shift remove waiting visitors.');
    const entry = (await this.store.snapshot(auth.centerId)).find((e) => e.visitorId === dto.visitorId);
    if (!entry) throw errors.notFound('The waiting visitor');
    const change = await this.store.leave(auth.centerId, dto.visitorId);
    if (!change.left) throw errors.notFound('The waiting visitor');
    await this.effects.apply(auth.centerId, change, dto.block ? 'blocked' : 'removed');
    if (dto.block) await this.chats.block(auth.centerId, dto.visitorId, entry.address, auth.subjectId);
    this.statusCache.delete(auth.centerId);
    return {};
  }

  /** `{ open, full, waiting }` for the homepage button: one store read per center per half second. */
  async status(slug: string): Promise<LiveStatus> {
    const center = await this.centers.bySlug(slug);
    const now = this.clock.now().getTime();
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
    const chatting = await this.chats.visitorAway(event.auth.centerId, event.auth.subjectId).catch((err: Error) => {
      this.logger.warn({ err: err.message }, 'could not mark a visitor away');
      return true;
    });
    if (chatting) return;
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
      if (await this.chats.visitorBack(auth.centerId, auth.subjectId, event.socketId)) return;
      const index = (await this.store.snapshot(auth.centerId)).findIndex((e) => e.visitorId === auth.subjectId);
      if (index >= 0) await this.effects.pushPosition(auth.centerId, { socketId: event.socketId }, index + 1);
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

  /**
   * The store lost the center's waiting line with the rest of its state (a Redis without persistence
   * restarted, a failover to an empty replica) and it was just rebuilt: who was waiting is known to no
   * one but their own sockets. Every visitor of the center with a socket on any node who is neither in
   * a running chat nor (again) in the line hears `queue.closed` `lost`, so that their widget joins
   * again instead of waiting for a push that never comes. (The order of the lost line cannot be
   * rebuilt: it was never written down, and neither were the first messages.)
   */
  private async tellLost(centerId: string): Promise<void> {
    try {
      const [visitors, seats, waiting] = await Promise.all([
        this.publisher.centerVisitors(centerId),
        this.store.seats(centerId),
        this.store.snapshot(centerId),
      ]);
      const placed = new Set([...seats.inChat.map((c) => c.visitorId), ...waiting.map((e) => e.visitorId)]);
      const lost = visitors.filter((v) => !placed.has(v));
      for (const v of lost) this.publisher.toSubject(v, 'queue.closed', { reason: 'lost' });
      if (lost.length > 0) this.logger.warn({ centerId, visitors: lost.length }, 'waiting visitors told that the line was lost');
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not tell the visitors of a lost waiting line');
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
          if (restored.restored) await this.tellLost(centerId);
        }
        const center = await this.effects.center(centerId);
        const change = await this.store.sweepTimeouts(centerId, now - center.liveMaxWaitMinutes * 60_000);
        if (change.removed.length > 0) await this.effects.apply(centerId, change, 'timeout');
      }
      await this.repo.deleteExpiredBlocks(this.clock.now());
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'live queue sweep failed');
    }
  }
}
