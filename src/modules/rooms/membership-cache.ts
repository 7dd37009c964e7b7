import { Injectable } from '@nestjs/common';
import { ClusterBus } from '../../infra/redis/cluster-bus';
import type { RoomMember } from './room-member.entity';
import type { Room } from './room.entity';

/** A room and one subject's membership in it. */
export interface RoomOfMember {
  room: Room;
  member: RoomMember;
}

/** Bus message: rooms, a subject's memberships or a whole center changed; every node drops what it cached of them. */
export const MEMBERSHIP_CHANGED = 'rooms.membership-changed';

/** What changed; an empty object (or one that cannot be read) drops everything. */
export interface MembershipChange {
  centerId?: string;
  roomIds?: string[];
  subjectId?: string;
}

/** A safety net only: every change is dropped on every node through the bus at once. */
export const MEMBERSHIP_TTL_MS = 5000;
const MAX_ENTRIES = 50_000;

interface Entry {
  found: RoomOfMember;
  at: number;
}

/**
 * The room and the sender's active membership of `message.send`, per node, so that a message does
 * not cost a database read before its append. Every write of `rooms`/`room_members`
 * (RoomsRepository) drops the rooms it touched here at once and on every other node through the
 * ClusterBus (published before the writer answers); a center's deletion by the CLI publishes the
 * same. The bus is at-most-once, so: nothing is served or stored while this node's bus
 * subscription is down, everything is dropped when it drops and again when it is back, a read
 * that raced with a drop is not stored (the generation), and an entry lives 5 s at most.
 * Only active memberships are cached (a non-member always reaches the database). The bus message
 * of a change reaches another node a moment after the writer answered, so an entry may be a few
 * milliseconds old: the append's transaction checks the room and the membership again (closed,
 * writing window, muted, removed: MessagesRepository `refused`), and `message.send` reads the
 * database (`fresh`) before it refuses on a cached entry.
 * Cached objects are shared: callers must not change them.
 */
@Injectable()
export class MembershipCache {
  private readonly rooms = new Map<string, Map<string, Entry>>();
  private size = 0;
  private generation = 0;

  constructor(private readonly bus: ClusterBus) {
    bus.on(MEMBERSHIP_CHANGED, (payload) => this.drop(readChange(payload)));
    bus.onResync(() => this.drop({}));
  }

  /** The cached room and active membership (not with `fresh`), or `load()`'s answer (stored when it is an active one). */
  async find(centerId: string, roomId: string, subjectId: string, load: () => Promise<RoomOfMember | null>, fresh = false): Promise<RoomOfMember | null> {
    const live = this.bus.live;
    if (live && !fresh) {
      const hit = this.rooms.get(roomId)?.get(subjectId);
      if (hit && hit.found.room.centerId === centerId && performance.now() - hit.at < MEMBERSHIP_TTL_MS) return hit.found;
    }
    const generation = this.generation;
    const found = await load();
    // a drop while the read was under way may concern what it read: not stored
    if (live && found && !found.member.removedAt && generation === this.generation && this.bus.live) this.store(roomId, subjectId, found);
    return found;
  }

  /** After a write has committed: drops what it touched here and on every other node (awaited). */
  async changed(change: MembershipChange): Promise<void> {
    this.drop(change);
    await this.bus.deliver(MEMBERSHIP_CHANGED, change);
  }

  private store(roomId: string, subjectId: string, found: RoomOfMember): void {
    if (this.size >= MAX_ENTRIES) this.drop({});
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new Map();
      this.rooms.set(roomId, room);
    }
    if (!room.has(subjectId)) this.size++;
    room.set(subjectId, { found, at: performance.now() });
  }

  private drop(change: MembershipChange): void {
    this.generation++;
    const { centerId, roomIds, subjectId } = change;
    if (roomIds) {
      for (const id of roomIds) {
        this.size -= this.rooms.get(id)?.size ?? 0;
        this.rooms.delete(id);
      }
      return;
    }
    if (!subjectId && !centerId) {
      this.rooms.clear();
      this.size = 0;
      return;
    }
    for (const [id, room] of this.rooms) {
      for (const [subject, entry] of room) {
        if ((subjectId && subject !== subjectId) || (centerId && entry.found.room.centerId !== centerId)) continue;
        room.delete(subject);
        this.size--;
      }
      if (room.size === 0) this.rooms.delete(id);
    }
  }
}

/** A bus payload as a change; anything unexpected drops everything. */
function readChange(payload: unknown): MembershipChange {
  if (typeof payload !== 'object' || payload === null) return {};
  const p = payload as Record<string, unknown>;
  const change: MembershipChange = {};
  if (typeof p.centerId === 'string') change.centerId = p.centerId;
  if (typeof p.subjectId === 'string') change.subjectId = p.subjectId;
  if (Array.isArray(p.roomIds)) {
    if (!p.roomIds.every((id): id is string => typeof id === 'string')) return {};
    change.roomIds = p.roomIds;
  }
  return change;
}
