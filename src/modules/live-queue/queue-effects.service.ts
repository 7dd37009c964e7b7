import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Clock, IdGenerator } from '../../common/clock';
import { emitEvent, STAT_COUNTED } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import type { QueueClosedReason, QueueWaitingEntry } from '../../realtime/contract';
import { RealtimePublisher } from '../../realtime/publisher';
import { roomFor } from '../../realtime/room-names';
import { AccountsService } from '../accounts/accounts.service';
import { Center } from '../centers/center.entity';
import { CentersService } from '../centers/centers.service';
import { CryptoService } from '../crypto/crypto.service';
import { MessagesService } from '../rooms/messages.service';
import { RoomsService } from '../rooms/rooms.service';
import { chatLabel } from './chat-label';
import { LiveChat } from './live-chat.entity';
import { LiveQueueRepository } from './live-queue.repository';
import { Assignment, LIVE_QUEUE_STORE, LiveQueueStore, QueueChange, QueueEntry } from './queue-store';

/** How the counselor sees the visitor, and the room name: neutral, no personal data. */
export const VISITOR_LABEL = 'Besucher·in';
const ROOM_NAME = 'Live-Chat';
const UPDATE_DEBOUNCE_MS = 30;
const CENTER_CACHE_MS = 1000;
const ESTIMATE_CACHE_MS = 1000;
export const COUNSELOR_NAME_CACHE_MS = 5000;
const NAME_CACHE_MAX = 10_000;
/** The first message becomes the chat's first message under this client id (idempotent). */
export const FIRST_MESSAGE_ID = 'queue-first-message';
/** The estimate: the waits of at most this many recent assignments within this window. */
export const ESTIMATE_SAMPLES = 20;
export const ESTIMATE_WINDOW_MS = 3 * 60 * 60 * 1000;
export const ESTIMATE_MIN_SAMPLES = 3;

/** Where a waiting visitor's first message is bound to (associated data of its ciphertext). */
export const firstMessageCtx = (centerId: string, visitorId: string) => ({ centerId, table: 'live_queue', column: 'first_message', rowId: visitorId });

/**
 * Turns what a store step changed into durable facts and pushes: a live room and a live_chats row
 * per assignment (with the visitor's first message as the room's first message), `queue.assigned`
 * to both sides, `queue.position` (with the estimate) to those who moved, `queue.closed` to those
 * removed, and a (debounced) `queue.updated` to the counselors on shift.
 */
@Injectable()
export class QueueEffectsService implements OnApplicationShutdown {
  private readonly logger = new Logger('LiveQueue');
  private readonly pendingUpdates = new Map<string, NodeJS.Timeout>();
  private readonly centerCache = new Map<string, { center: Center; at: number }>();
  /** The wait estimate's base per center: one query per second and center, not one per waiting visitor (a burst of joins). */
  private readonly estimateCache = new Map<string, { value: Promise<number | null>; at: number; wall: number }>();
  /** Counselors' display names by center and account, with when they were read (monotonic time). */
  private readonly nameCache = new Map<string, { name: string; wall: number }>();

  constructor(
    @Inject(LIVE_QUEUE_STORE) private readonly store: LiveQueueStore,
    private readonly repo: LiveQueueRepository,
    private readonly rooms: RoomsService,
    private readonly messages: MessagesService,
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly crypto: CryptoService,
    private readonly publisher: RealtimePublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * The name a visitor sees for their counselor, kept COUNSELOR_NAME_CACHE_MS per node (one account
   * read per assignment was a tenth of a join's statements): a renamed counselor's new name reaches
   * the chats that start after that, as it reaches the team page.
   */
  async counselorName(centerId: string, counselorId: string): Promise<string> {
    const key = `${centerId}|${counselorId}`;
    const wall = performance.now();
    const hit = this.nameCache.get(key);
    if (hit && wall - hit.wall < COUNSELOR_NAME_CACHE_MS) return hit.name;
    const name = (await this.accounts.displayName(centerId, counselorId)) ?? 'Beratung';
    if (this.nameCache.size >= NAME_CACHE_MAX) this.nameCache.clear();
    this.nameCache.set(key, { name, wall });
    return name;
  }

  /** The center's settings, cached for a second (settings changes show up within that). */
  async center(centerId: string): Promise<Center> {
    const hit = this.centerCache.get(centerId);
    const now = this.clock.now().getTime();
    if (hit && now - hit.at < CENTER_CACHE_MS) return hit.center;
    const center = await this.centers.byId(centerId);
    this.centerCache.set(centerId, { center, at: now });
    return center;
  }

  async apply(centerId: string, change: QueueChange, removedReason?: QueueClosedReason): Promise<void> {
    for (const a of change.assigned) await this.assign(centerId, a);
    if (change.positions.length > 0) {
      const perPosition = await this.estimateBase(centerId);
      for (const p of change.positions) {
        this.publisher.toSubject(p.visitorId, 'queue.position', { position: p.position, estimateMinutes: estimate(perPosition, p.position) });
      }
    }
    if (removedReason) for (const v of change.removed) this.publisher.toSubject(v, 'queue.closed', { reason: removedReason });
    this.scheduleUpdate(centerId);
  }

  /** `queue.position` with the estimate, to one socket or one visitor. */
  async pushPosition(centerId: string, target: { socketId?: string; visitorId?: string }, position: number): Promise<void> {
    const payload = { position, estimateMinutes: estimate(await this.estimateBase(centerId), position) };
    if (target.socketId) this.publisher.toSocket(target.socketId, 'queue.position', payload);
    else if (target.visitorId) this.publisher.toSubject(target.visitorId, 'queue.position', payload);
  }

  /**
   * The median wait (ms) of this center's last ESTIMATE_SAMPLES assignments through the line within
   * ESTIMATE_WINDOW_MS, or null with fewer than ESTIMATE_MIN_SAMPLES of them (see docs/live-chat.md).
   */
  private estimateBase(centerId: string): Promise<number | null> {
    const now = this.clock.now().getTime();
    const wall = performance.now();
    const hit = this.estimateCache.get(centerId);
    // fresh by both clocks (the injected clock may stand still or jump); an assignment on this node drops it
    if (hit && now >= hit.at && now - hit.at < ESTIMATE_CACHE_MS && wall - hit.wall < ESTIMATE_CACHE_MS) return hit.value;
    const value = this.readEstimateBase(centerId);
    this.estimateCache.set(centerId, { value, at: now, wall });
    return value;
  }

  private async readEstimateBase(centerId: string): Promise<number | null> {
    try {
      const since = new Date(this.clock.now().getTime() - ESTIMATE_WINDOW_MS);
      return median(await this.repo.recentWaits(centerId, since, ESTIMATE_SAMPLES));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not compute the wait estimate');
      return null;
    }
  }

  /** The waiting line as counselors on shift see it: first messages decrypted, flooding marked. */
  async entriesView(centerId: string, entries: QueueEntry[]): Promise<QueueWaitingEntry[]> {
    const perAddress = new Map<string, number>();
    for (const e of entries) if (e.address) perAddress.set(e.address, (perAddress.get(e.address) ?? 0) + 1);
    return Promise.all(
      entries.map(async (e) => ({
        visitorId: e.visitorId,
        firstMessage: await this.openMessage(centerId, e.visitorId, e.firstMessage),
        joinedAt: new Date(e.joinedAt).toISOString(),
        suspicious: e.address !== null && (perAddress.get(e.address) ?? 0) >= 2,
      })),
    );
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
      this.publisher.to(roomFor.onShift(centerId), 'queue.updated', { waiting: entries.length, entries: await this.entriesView(centerId, entries) });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not push the queue to the counselors');
    }
  }

  private async openMessage(centerId: string, visitorId: string, stored: string | null): Promise<string | null> {
    return stored === null ? null : this.crypto.decrypt(firstMessageCtx(centerId, visitorId), stored);
  }

  /** `queue.assigned` as the counselor gets it: the chat's label, start and wait. */
  counselorAssigned(chat: Pick<LiveChat, 'roomId' | 'assignedAt' | 'waitedMs'>) {
    return {
      roomId: chat.roomId,
      peer: { displayName: VISITOR_LABEL },
      label: chatLabel(chat.roomId),
      assignedAt: chat.assignedAt.toISOString(),
      waitedMs: chat.waitedMs,
    };
  }

  private async assign(centerId: string, a: Assignment): Promise<void> {
    let created: { chatId?: string; roomId?: string } = {};
    try {
      const counselorName = await this.counselorName(centerId, a.counselorId);
      const first = await this.openMessage(centerId, a.visitorId, a.message);
      // the room, its members, the chat row and what the visitor wrote while waiting as the room's
      // first message: all or nothing (no orphan room when a write fails), one transaction
      const chat = await this.tx.run(async () => {
        const { roomId } = await this.rooms.createSystemRoom({
          centerId,
          kind: 'live',
          name: ROOM_NAME,
          members: [
            { subjectId: a.visitorId, role: 'visitor', displayName: VISITOR_LABEL },
            { subjectId: a.counselorId, role: 'counselor', displayName: counselorName },
          ],
        });
        const now = this.clock.now();
        const chat = Object.assign(new LiveChat(), {
          id: this.ids.uuid(),
          centerId,
          roomId,
          counselorId: a.counselorId,
          visitorId: a.visitorId,
          assignedAt: now,
          endedAt: null,
          endReason: null,
          waitedMs: Math.max(0, a.assignedAt - a.joinedAt),
          addressHash: a.address,
          visitorAwaySince: null,
          counselorAwaySince: null,
        });
        await this.repo.insertChat(chat);
        if (first)
          await this.messages.postInNewRoom(centerId, roomId, { subjectId: a.visitorId, role: 'visitor', displayName: VISITOR_LABEL }, FIRST_MESSAGE_ID, first);
        return chat;
      });
      const roomId = chat.roomId;
      created = { roomId, chatId: chat.id };
      this.estimateCache.delete(centerId);
      this.publisher.toSubject(a.visitorId, 'queue.assigned', { roomId, peer: { displayName: counselorName } });
      this.publisher.toSubject(a.counselorId, 'queue.assigned', this.counselorAssigned(chat));
      // statistics, once the chat stands (a failed assignment above counts nothing)
      void emitEvent(this.events, STAT_COUNTED, { centerId, metric: 'live.started', at: chat.assignedAt });
      void emitEvent(this.events, STAT_COUNTED, { centerId, metric: 'live.wait', at: chat.assignedAt, value: chat.waitedMs / 1000 });
    } catch (err) {
      // the seat was taken in the store but no chat exists: give it back and tell the visitor
      this.logger.error({ err: (err as Error).message }, 'live chat assignment failed');
      this.publisher.toSubject(a.visitorId, 'queue.closed', { reason: 'error' });
      // a half-made chat must not stay open without a seat (a ghost)
      if (created.chatId) await this.repo.endChat(centerId, created.chatId, 'disconnected').catch(() => false);
      if (created.roomId) await this.rooms.closeRoom(centerId, created.roomId, 'disconnected', { deleteMessages: true }).catch(() => false);
      const change = await this.store.release(centerId, a.visitorId, a.counselorId, this.clock.now().getTime()).catch(() => null);
      if (change) await this.apply(centerId, change);
    }
  }

  onApplicationShutdown(): void {
    for (const t of this.pendingUpdates.values()) clearTimeout(t);
    this.pendingUpdates.clear();
  }
}

function median(xs: number[]): number | null {
  if (xs.length < ESTIMATE_MIN_SAMPLES) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Minutes for a position: the median wait × position, rounded to whole minutes, at least 1; null without a base. */
export function estimate(perPosition: number | null, position: number): number | null {
  if (perPosition === null) return null;
  return Math.max(1, Math.round((perPosition * position) / 60_000));
}
