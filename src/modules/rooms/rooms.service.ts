import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { ACCOUNT_DELETING, AccountDeletingEvent, SOCKET_CONNECTED, SocketPresenceEvent } from '../../common/events';
import type { Role, RoomCreateResult, RoomJoinResult, RoomKind, RoomListItem } from '../../realtime/contract';
import { RealtimePublisher } from '../../realtime/publisher';
import { roomFor } from '../../realtime/room-names';
import { ErasureService } from '../../infra/database/erasure.service';
import { Transactions } from '../../infra/database/transactions';
import { AccountsService } from '../accounts/accounts.service';
import { CreateRoomDto } from './dto/rooms.dto';
import { MessagesRepository } from './messages.repository';
import { RoomCipherService } from './room-cipher.service';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';
import { RoomsRepository } from './rooms.repository';

/** A member as the features that create rooms describe them. */
export interface RoomMemberSpec {
  subjectId: string;
  role: Role;
  displayName: string;
}

/** Closes a room of a kind whose feature owns its end (the live chat: frees the seat, assigns the next). */
export type RoomCloser = (auth: AuthContext, roomId: string) => Promise<void>;

export interface RoomMemberView {
  subjectId: string;
  role: Role;
  displayName: string;
  muted: boolean;
  removed: boolean;
}

/** One entry of `GET /api/rooms` (the contract's shape). */
export type { RoomListItem };

/**
 * Rooms: counselor 1:1 and group rooms (`room.create`, `room.close`), membership and read markers,
 * and the API the live-chat and topic-chat features build their rooms with. Messages: MessagesService.
 */
@Injectable()
export class RoomsService {
  private readonly logger = new Logger(RoomsService.name);
  private readonly closers = new Map<RoomKind, RoomCloser>();

  constructor(
    private readonly rooms: RoomsRepository,
    private readonly messages: MessagesRepository,
    private readonly accounts: AccountsService,
    private readonly cipher: RoomCipherService,
    private readonly erasure: ErasureService,
    private readonly publisher: RealtimePublisher,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  // ---- socket and REST commands --------------------------------------------------------------

  async createRoom(auth: AuthContext, dto: CreateRoomDto): Promise<RoomCreateResult> {
    requireRole(auth, 'counselor', 'admin', { message: 'Only counselors can create rooms.' });
    const startsAt = dto.startsAt === undefined ? null : new Date(dto.startsAt);
    const endsAt = dto.endsAt === undefined ? null : new Date(dto.endsAt);
    if (startsAt && endsAt && endsAt.getTime() <= startsAt.getTime()) throw errors.validation('endsAt must be after startsAt.', ['endsAt']);
    const clients = (await this.accounts.findManyByIds(auth.centerId, dto.memberIds)).filter((a) => a.role === 'client');
    if (clients.length !== dto.memberIds.length) throw errors.validation('Every member must be a client of your center.', ['memberIds']);
    const kind: RoomKind = clients.length === 1 ? 'direct' : 'group';
    const members: RoomMemberSpec[] = [
      { subjectId: auth.subjectId, role: auth.role, displayName: auth.displayName },
      ...clients.map((c) => ({ subjectId: c.id, role: c.role, displayName: c.displayName })),
    ];
    const room = await this.insertRoom({ centerId: auth.centerId, kind, name: dto.name, createdBy: auth.subjectId, members, startsAt, endsAt });
    for (const m of members) this.publisher.toSubject(m.subjectId, 'room.added', { roomId: room.id, name: dto.name, kind });
    return { roomId: room.id };
  }

  /** Joins this socket to the room's pushes; the caller must be an active member. */
  async joinRoom(auth: AuthContext, roomId: string, socketId: string): Promise<RoomJoinResult> {
    const { room } = await this.requireMember(auth, roomId);
    this.publisher.joinRoom(socketId, roomFor.chat(room.id));
    return { roomId: room.id, name: await this.cipher.roomName(room), lastSeq: room.lastSeq };
  }

  /** A feature that owns the end of its rooms (the live chat) registers how `room.close` ends one. */
  registerCloser(kind: RoomKind, closer: RoomCloser): void {
    this.closers.set(kind, closer);
  }

  /**
   * `room.close`: the creating counselor or a center admin closes a 1:1 or group room: nobody can
   * write any more, its members can still read it (until it is deleted). A live chat is ended by
   * its counselor exactly as `live.end` ends it.
   */
  async closeRoomCommand(auth: AuthContext, roomId: string): Promise<Record<string, never>> {
    const room = await this.roomToEnd(auth, roomId);
    if (room) await this.closeRoom(auth.centerId, room.id, 'closed', { deleteMessages: false });
    return {};
  }

  /**
   * `DELETE /api/rooms/:id`: the creating counselor or a center admin deletes a 1:1 or group room
   * (open or closed) and its messages for good; the members get `room.closed { reason: 'deleted' }`.
   */
  async deleteRoom(auth: AuthContext, roomId: string): Promise<Record<string, never>> {
    const room = await this.roomToEnd(auth, roomId);
    if (!room) return {};
    // the close, the messages, the members, the room row and its keys: all or nothing
    await this.tx.run(async () => {
      const members = (await this.rooms.listMembers(auth.centerId, room.id)).filter((m) => !m.removedAt);
      const closedNow = await this.closeRoom(auth.centerId, room.id, 'deleted', { deleteMessages: true });
      await this.cipher.eraseRoom(auth.centerId, room.id);
      // closed before: its members were told it closed, now they learn that it is gone
      if (!closedNow && members.length > 0) {
        await this.tx.afterCommit(() =>
          this.publisher.to(
            members.map((m) => roomFor.subject(m.subjectId)),
            'room.closed',
            { roomId: room.id, reason: 'deleted' },
          ),
        );
      }
      await this.tx.afterCommit(() => this.erasure.flushDeleted());
    });
    return {};
  }

  /** The 1:1 or group room the caller may close or delete; null when its feature ended it instead (a live chat). */
  private async roomToEnd(auth: AuthContext, roomId: string): Promise<Room | null> {
    requireRole(auth, 'counselor', 'admin', { message: 'Only counselors can close rooms.' });
    const room = await this.rooms.findRoom(auth.centerId, roomId);
    if (!room) throw errors.notFound('The room');
    const member = await this.rooms.findMember(auth.centerId, room.id, auth.subjectId);
    if (auth.role !== 'admin' && !member) throw errors.notFound('The room');
    const closer = this.closers.get(room.kind);
    if (closer && member && !member.removedAt) {
      await closer(auth, room.id);
      return null;
    }
    if (room.kind !== 'direct' && room.kind !== 'group') throw errors.forbidden('Live and topic chats are ended by their own commands.');
    if (auth.role !== 'admin' && room.createdBy !== auth.subjectId) throw errors.forbidden('Only the counselor who created the room or an admin can close it.');
    return room;
  }

  /** Moves the caller's read marker (never backwards, never beyond the last message). */
  async markRead(auth: AuthContext, roomId: string, seq: number): Promise<Record<string, never>> {
    const { room } = await this.requireMember(auth, roomId);
    const upTo = Math.min(seq, room.lastSeq);
    await this.rooms.advanceReadMarker(auth.centerId, room.id, auth.subjectId, upTo);
    this.publisher.toSubject(auth.subjectId, 'room.read', { roomId: room.id, seq: upTo });
    return {};
  }

  async typing(auth: AuthContext, roomId: string, typing: boolean): Promise<Record<string, never>> {
    const { room, member } = await this.requireMember(auth, roomId);
    if (room.closedAt) return {};
    const displayName = await this.cipher.memberName(member);
    this.publisher.to(roomFor.chat(room.id), 'room.typing', { roomId: room.id, sender: { id: member.subjectId, displayName }, typing });
    return {};
  }

  async listMine(auth: AuthContext): Promise<RoomListItem[]> {
    const rooms = await this.rooms.listRoomsOf(auth.centerId, auth.subjectId);
    return Promise.all(
      rooms.map(async ({ room, member }) => ({
        id: room.id,
        kind: room.kind,
        name: await this.cipher.roomName(room),
        lastSeq: room.lastSeq,
        lastReadSeq: member.lastReadSeq,
        unread: Math.max(0, room.lastSeq - member.lastReadSeq),
        startsAt: room.startsAt?.toISOString() ?? null,
        endsAt: room.endsAt?.toISOString() ?? null,
        closedAt: room.closedAt?.toISOString() ?? null,
        createdAt: room.createdAt.toISOString(),
      })),
    );
  }

  /** A member's position in a room (for the console's unread marks); null when not an active member. */
  async readState(centerId: string, roomId: string, subjectId: string): Promise<{ lastSeq: number; lastReadSeq: number } | null> {
    const found = await this.rooms.findRoomOfMember(centerId, roomId, subjectId);
    if (!found || found.member.removedAt) return null;
    return { lastSeq: found.room.lastSeq, lastReadSeq: found.member.lastReadSeq };
  }

  /** The room and the caller's active membership; NOT_FOUND otherwise (existence is not revealed). */
  async requireMember(auth: AuthContext, roomId: string): Promise<{ room: Room; member: RoomMember }> {
    const found = await this.rooms.findRoomOfMember(auth.centerId, roomId, auth.subjectId);
    if (!found || found.member.removedAt) throw errors.notFound('The room');
    return found;
  }

  /**
   * `requireMember` for `message.send`: from the node's MembershipCache when it holds them, so the
   * room and membership returned are shared: read them, never change them. With `fresh`: from the
   * database (and cached anew). NOT_FOUND when the sender is no active member.
   */
  async requireSender(auth: AuthContext, roomId: string, opts: { fresh?: boolean } = {}): Promise<{ room: Room; member: RoomMember }> {
    const found = await this.rooms.findRoomOfSender(auth.centerId, roomId, auth.subjectId, opts.fresh);
    if (!found || found.member.removedAt) throw errors.notFound('The room');
    return found;
  }

  /**
   * Who is in a room (not the removed ones), for its members. In live and topic chats only staff
   * see the list (the host moderates; anonymous participants do not learn about each other).
   */
  async members(auth: AuthContext, roomId: string): Promise<{ id: string; displayName: string; role: Role; muted: boolean }[]> {
    const { room } = await this.requireMember(auth, roomId);
    if (room.kind === 'live' || room.kind === 'topic') requireRole(auth, 'counselor', 'admin', { message: 'Only the counselor sees who is in this chat.' });
    return (await this.listMembers(auth.centerId, room.id))
      .filter((m) => !m.removed)
      .map((m) => ({ id: m.subjectId, displayName: m.displayName, role: m.role, muted: m.muted }));
  }

  // ---- API for the live-chat and topic-chat features -----------------------------------------

  /** Creates a live or topic room and joins the members' connected sockets to it (once the caller's transaction committed). */
  async createSystemRoom(input: {
    centerId: string;
    kind: 'live' | 'topic';
    name: string;
    members: RoomMemberSpec[];
    startsAt?: Date;
    endsAt?: Date;
  }): Promise<{ roomId: string }> {
    const room = await this.insertRoom({ ...input, createdBy: null, startsAt: input.startsAt ?? null, endsAt: input.endsAt ?? null });
    return { roomId: room.id };
  }

  /** Adds a member (idempotent; brings a removed member back) and joins their sockets. */
  async addMember(centerId: string, roomId: string, member: RoomMemberSpec): Promise<void> {
    const room = await this.rooms.findRoom(centerId, roomId);
    if (!room) throw errors.notFound('The room');
    await this.rooms.upsertMember(await this.buildMember(centerId, room.id, member));
    // inside a larger transaction (a topic chat's seat, a hand-over) the sockets join once it is committed
    await this.tx.afterCommit(() => this.publisher.joinSubject(member.subjectId, room.id));
  }

  /** Moves the writing window of a live or topic room (its feature rescheduled it). */
  async setWindow(centerId: string, roomId: string, startsAt: Date | null, endsAt: Date | null): Promise<void> {
    await this.rooms.setWindow(centerId, roomId, startsAt, endsAt);
  }

  /** A muted member can read but `message.send` answers FORBIDDEN. */
  async setMuted(centerId: string, roomId: string, subjectId: string, muted: boolean): Promise<void> {
    if (!(await this.rooms.setMuted(centerId, roomId, subjectId, muted))) throw errors.notFound('The member');
  }

  /** Removes a member: their sockets leave the room and they (only) get `room.closed { roomId, reason }`. */
  async removeMember(centerId: string, roomId: string, subjectId: string, reason: string): Promise<void> {
    if (!(await this.rooms.markRemoved(centerId, roomId, subjectId, this.clock.now()))) return;
    await this.tx.afterCommit(() => {
      this.publisher.leaveSubject(subjectId, roomId);
      this.publisher.toSubject(subjectId, 'room.closed', { roomId, reason });
    });
  }

  /**
   * Closes a room once (a conditional update: only one caller on any node gets true). The winner
   * pushes `room.closed` to the members and empties the socket room; `deleteMessages` erases them.
   */
  async closeRoom(centerId: string, roomId: string, reason: string, opts: { deleteMessages: boolean }): Promise<boolean> {
    // the close and the erasure of the messages: both or neither
    const members = await this.tx.run(async () => {
      if (!(await this.rooms.closeIfOpen(centerId, roomId, this.clock.now()))) return null;
      if (opts.deleteMessages) await this.messages.deleteRoomMessages(centerId, roomId);
      return (await this.rooms.listMembers(centerId, roomId)).filter((m) => !m.removedAt);
    });
    if (!members) return false;
    // inside a larger transaction (an account's deletion) the members hear of it once it is committed
    await this.tx.afterCommit(() => {
      this.publisher.to([roomFor.chat(roomId), ...members.map((m) => roomFor.subject(m.subjectId))], 'room.closed', { roomId, reason });
      this.publisher.clearRoom(roomId);
    });
    return true;
  }

  /** Forgets who was in a closed room whose messages are gone (their names are kept for nothing). */
  async forgetMembers(centerId: string, roomId: string): Promise<void> {
    // the members and their keys: both or neither
    await this.tx.run(async () => {
      await this.rooms.deleteMembers(centerId, roomId);
      await this.cipher.forgetMembersOf(centerId, roomId);
    });
  }

  async listMembers(centerId: string, roomId: string): Promise<RoomMemberView[]> {
    const members = await this.rooms.listMembers(centerId, roomId);
    return Promise.all(
      members.map(async (m) => ({
        subjectId: m.subjectId,
        role: m.role,
        displayName: await this.cipher.memberName(m),
        muted: m.muted,
        removed: m.removedAt !== null,
      })),
    );
  }

  /**
   * Retention of kept transcripts, center by center: messages of closed rooms of one kind older than
   * that center's retention. Centers that keep nothing deleted their messages when the room closed.
   */
  async applyRetention(kind: 'live' | 'topic', centers: { id: string; keep: boolean; days: number }[], now: Date): Promise<number> {
    let deleted = 0;
    for (const c of centers) {
      if (!c.keep) continue;
      try {
        deleted += await this.messages.deleteOlderThanInClosedRooms(new Date(now.getTime() - c.days * 24 * 60 * 60 * 1000), kind, c.id);
      } catch (err) {
        this.logger.warn({ centerId: c.id, kind, err: (err as Error).message }, 'transcript retention failed');
      }
    }
    return deleted;
  }

  // ---- events -------------------------------------------------------------------------------

  /**
   * A deleted client's 1:1 rooms go entirely (messages, members, room, keys: the conversation was
   * theirs); in every other room their own messages, membership and member key go, the others' stay.
   */
  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  async onAccountDeleting(event: AccountDeletingEvent): Promise<void> {
    for (const room of await this.rooms.roomsOfSubject(event.centerId, event.accountId)) {
      if (room.kind !== 'direct') continue;
      await this.closeRoom(event.centerId, room.id, 'deleted', { deleteMessages: true });
      await this.cipher.eraseRoom(event.centerId, room.id);
    }
    await this.tx.run(async () => {
      await this.messages.deleteBySender(event.centerId, event.accountId);
      await this.rooms.deleteMembershipsOf(event.centerId, event.accountId);
    });
    await this.cipher.forgetMember(event.centerId, event.accountId);
  }

  /** A new session of a member receives the pushes of their open rooms at once. */
  @OnEvent(SOCKET_CONNECTED, { async: true, promisify: true })
  async onSocketConnected(event: SocketPresenceEvent): Promise<void> {
    try {
      const ids = await this.rooms.openRoomIdsOf(event.auth.centerId, event.auth.subjectId);
      for (const id of ids) this.publisher.joinRoom(event.socketId, roomFor.chat(id));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not join a new socket to its rooms');
    }
  }

  private async insertRoom(input: {
    centerId: string;
    kind: RoomKind;
    name: string;
    createdBy: string | null;
    members: RoomMemberSpec[];
    startsAt: Date | null;
    endsAt: Date | null;
  }): Promise<Room> {
    const id = this.ids.uuid();
    const unique = [...new Map(input.members.map((m) => [m.subjectId, m])).values()];
    // the room and its members: both or neither
    const room = await this.tx.run(async () => {
      await this.cipher.createRoomKeys(
        { centerId: input.centerId, id },
        unique.map((m) => m.subjectId),
      );
      const room = Object.assign(new Room(), {
        id,
        centerId: input.centerId,
        kind: input.kind,
        name: await this.cipher.sealRoomName({ centerId: input.centerId, id }, input.name, true),
        createdBy: input.createdBy,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        closedAt: null,
        lastSeq: 0,
        createdAt: this.clock.now(),
      });
      const members: RoomMember[] = [];
      for (const m of unique) members.push(await this.buildMember(input.centerId, room.id, m, true));
      await this.rooms.insertRoom(room, members);
      return room;
    });
    // inside a larger transaction (a live chat's room and its row) the sockets join once it is committed
    await this.tx.afterCommit(() => {
      for (const m of unique) this.publisher.joinSubject(m.subjectId, room.id);
    });
    return room;
  }

  /** `fresh`: the room is being created with this member (their key in it is created without a look first). */
  private async buildMember(centerId: string, roomId: string, m: RoomMemberSpec, fresh = false): Promise<RoomMember> {
    return Object.assign(new RoomMember(), {
      roomId,
      subjectId: m.subjectId,
      centerId,
      role: m.role,
      displayName: await this.cipher.sealMemberName({ centerId, roomId, subjectId: m.subjectId }, m.displayName.slice(0, 120), fresh),
      lastReadSeq: 0,
      muted: false,
      removedAt: null,
      joinedAt: this.clock.now(),
    });
  }
}
