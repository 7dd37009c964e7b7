import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Clock, IdGenerator } from '../../common/clock';
import type { QueueClosedReason } from '../../realtime/contract';
import { RealtimePublisher } from '../../realtime/publisher';
import { roomFor } from '../../realtime/room-names';
import { AccountsService } from '../accounts/accounts.service';
import { Center } from '../centers/center.entity';
import { CentersService } from '../centers/centers.service';
import { RoomsService } from '../rooms/rooms.service';
import { LiveChat } from './live-chat.entity';
import { LiveQueueRepository } from './live-queue.repository';
import { Assignment, LIVE_QUEUE_STORE, LiveQueueStore, QueueChange } from './queue-store';

/** How the counselor sees the visitor, and the room name: neutral, no personal data. */
export const VISITOR_LABEL = 'Besucher·in';
const ROOM_NAME = 'Live-Chat';
const UPDATE_DEBOUNCE_MS = 30;
const CENTER_CACHE_MS = 1000;

/**
 * Turns what a store step changed into durable facts and pushes: a live room and a live_chats row
 * per assignment, `queue.assigned` to both sides, `queue.position` to those who moved,
 * `queue.closed` to those removed, and a (debounced) `queue.updated` to the counselors on shift.
 */
@Injectable()
export class QueueEffectsService implements OnApplicationShutdown {
  private readonly logger = new Logger('LiveQueue');
  private readonly pendingUpdates = new Map<string, NodeJS.Timeout>();
  private readonly centerCache = new Map<string, { center: Center; at: number }>();

  constructor(
    @Inject(LIVE_QUEUE_STORE) private readonly store: LiveQueueStore,
    private readonly repo: LiveQueueRepository,
    private readonly rooms: RoomsService,
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly publisher: RealtimePublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** The center's settings, cached for a second (settings changes show up within that). */
  /** The name a visitor sees for their counselor. */
  async counselorName(centerId: string, counselorId: string): Promise<string> {
    return (await this.accounts.displayName(centerId, counselorId)) ?? 'Beratung';
  }

  async center(centerId: string): Promise<Center> {
    const hit = this.centerCache.get(centerId);
    const now = Date.now();
    if (hit && now - hit.at < CENTER_CACHE_MS) return hit.center;
    const center = await this.centers.byId(centerId);
    this.centerCache.set(centerId, { center, at: now });
    return center;
  }

  async apply(centerId: string, change: QueueChange, removedReason?: QueueClosedReason): Promise<void> {
    for (const a of change.assigned) await this.assign(centerId, a);
    for (const p of change.positions) this.publisher.toSubject(p.visitorId, 'queue.position', { position: p.position });
    if (removedReason) for (const v of change.removed) this.publisher.toSubject(v, 'queue.closed', { reason: removedReason });
    this.scheduleUpdate(centerId);
  }

  /** Sends the counselors on shift the current queue, at most once per debounce window per node. */
  scheduleUpdate(centerId: string): void {
    if (this.pendingUpdates.has(centerId)) return;
    const timer = setTimeout(() => {
      this.pendingUpdates.delete(centerId);
      void this.pushUpdate(centerId);
    }, UPDATE_DEBOUNCE_MS);
    timer.unref();
    this.pendingUpdates.set(centerId, timer);
  }

  private async pushUpdate(centerId: string): Promise<void> {
    try {
      const entries = await this.store.snapshot(centerId);
      this.publisher.to(roomFor.onShift(centerId), 'queue.updated', {
        waiting: entries.length,
        entries: entries.map((e) => ({ visitorId: e.visitorId, firstMessage: e.firstMessage, joinedAt: new Date(e.joinedAt).toISOString() })),
      });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not push the queue to the counselors');
    }
  }

  private async assign(centerId: string, a: Assignment): Promise<void> {
    try {
      const counselorName = await this.counselorName(centerId, a.counselorId);
      const { roomId } = await this.rooms.createSystemRoom({
        centerId,
        kind: 'live',
        name: ROOM_NAME,
        members: [
          { subjectId: a.visitorId, role: 'visitor', displayName: VISITOR_LABEL },
          { subjectId: a.counselorId, role: 'counselor', displayName: counselorName },
        ],
      });
      await this.repo.insertChat(
        Object.assign(new LiveChat(), {
          id: this.ids.uuid(),
          centerId,
          roomId,
          counselorId: a.counselorId,
          visitorId: a.visitorId,
          assignedAt: this.clock.now(),
          endedAt: null,
          endReason: null,
        }),
      );
      this.publisher.toSubject(a.visitorId, 'queue.assigned', { roomId, peer: { displayName: counselorName } });
      this.publisher.toSubject(a.counselorId, 'queue.assigned', { roomId, peer: { displayName: VISITOR_LABEL } });
    } catch (err) {
      // the seat was taken in the store but no room exists: give it back and tell the visitor
      this.logger.error({ err: (err as Error).message }, 'live chat assignment failed');
      this.publisher.toSubject(a.visitorId, 'queue.closed', { reason: 'error' });
      const change = await this.store.release(centerId, a.visitorId, a.counselorId, this.clock.now().getTime()).catch(() => null);
      if (change) await this.apply(centerId, change);
    }
  }

  onApplicationShutdown(): void {
    for (const t of this.pendingUpdates.values()) clearTimeout(t);
    this.pendingUpdates.clear();
  }
}
