import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Like, Not, ObjectLiteral, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { MembershipCache, MembershipChange, RoomOfMember } from './membership-cache';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';

export type { RoomOfMember };

/**
 * Rooms and their members, always scoped by center; inside `Transactions.run` on its transaction.
 * Every write that can change what `message.send` reads of a room or a membership drops it from
 * the MembershipCache of every node once it committed (`changed`).
 */
@Injectable()
export class RoomsRepository {
  constructor(
    @InjectRepository(Room) private readonly roomRepo: Repository<Room>,
    @InjectRepository(RoomMember) private readonly memberRepo: Repository<RoomMember>,
    private readonly tx: Transactions,
    private readonly cache: MembershipCache,
  ) {}

  /** Once the write committed: every node drops what it cached of it (awaited, so the caller answers after them). */
  private changed(change: MembershipChange): Promise<void> {
    return this.tx.afterCommit(() => this.cache.changed(change));
  }

  /** The room and the caller's active membership for `message.send`, from the node's cache when it has them (not with `fresh`). */
  findRoomOfSender(centerId: string, roomId: string, subjectId: string, fresh = false): Promise<RoomOfMember | null> {
    if (!isUuid(roomId) || !isUuid(subjectId)) return Promise.resolve(null);
    return this.cache.find(centerId, roomId, subjectId, () => this.findRoomOfMember(centerId, roomId, subjectId), fresh);
  }

  private get rooms(): Repository<Room> {
    return this.tx.bind(this.roomRepo);
  }

  private get members(): Repository<RoomMember> {
    return this.tx.bind(this.memberRepo);
  }

  async findRoom(centerId: string, roomId: string): Promise<Room | null> {
    return isUuid(roomId) ? this.rooms.findOneBy({ centerId, id: roomId }) : null;
  }

  async findMember(centerId: string, roomId: string, subjectId: string): Promise<RoomMember | null> {
    return isUuid(roomId) && isUuid(subjectId) ? this.members.findOneBy({ centerId, roomId, subjectId }) : null;
  }

  /** The room and the caller's membership in one query; null unless both exist. */
  async findRoomOfMember(centerId: string, roomId: string, subjectId: string): Promise<RoomOfMember | null> {
    if (!isUuid(roomId) || !isUuid(subjectId)) return null;
    // on every command (message.send above all): one plain query, hydrated as TypeORM would
    // (its column conversions), without the query builder's cost per call
    const rooms = this.rooms;
    const members = this.members;
    const [row] = await rooms.query<Record<string, unknown>[]>(this.roomOfMemberSql(rooms, members), [roomId, subjectId, centerId, centerId]);
    if (!row) return null;
    return { room: hydrate(rooms, row, 'r_'), member: hydrate(members, row, 'm_') };
  }

  private roomOfMemberSqlText: string | null = null;

  private roomOfMemberSql(rooms: Repository<Room>, members: Repository<RoomMember>): string {
    if (this.roomOfMemberSqlText) return this.roomOfMemberSqlText;
    const cols = (repo: Repository<ObjectLiteral>, alias: string, prefix: string) =>
      repo.metadata.columns.map((c) => `${alias}.${c.databaseName} AS ${prefix}${c.databaseName}`).join(', ');
    this.roomOfMemberSqlText =
      `SELECT ${cols(rooms, 'r', 'r_')}, ${cols(members, 'm', 'm_')} FROM room_members m JOIN rooms r ON r.id = m.room_id ` +
      'WHERE m.room_id = ? AND m.subject_id = ? AND m.center_id = ? AND r.center_id = ?';
    return this.roomOfMemberSqlText;
  }

  /** The room and its members, all or nothing (a new room's id was never read: nothing cached to drop). */
  async insertRoom(room: Room, members: RoomMember[]): Promise<void> {
    await this.tx.run(async () => {
      // every column is set by the caller: no re-read of the defaults after the insert (updateEntity false)
      await this.rooms.createQueryBuilder().insert().into(Room).values(room).updateEntity(false).execute();
      if (members.length > 0) await this.members.createQueryBuilder().insert().into(RoomMember).values(members).updateEntity(false).execute();
    });
  }

  /** Adds a member, or brings a removed one back (idempotent; the primary key decides). */
  async upsertMember(member: RoomMember): Promise<void> {
    await this.tx.run(async () => {
      await this.members.createQueryBuilder().insert().into(RoomMember).values(member).orIgnore().execute();
      await this.members.update(
        { centerId: member.centerId, roomId: member.roomId, subjectId: member.subjectId, removedAt: Not(IsNull()) },
        { removedAt: null },
      );
    });
    await this.changed({ roomIds: [member.roomId] });
  }

  async setMuted(centerId: string, roomId: string, subjectId: string, muted: boolean): Promise<boolean> {
    if (!isUuid(roomId) || !isUuid(subjectId)) return false;
    const r = await this.members.update({ centerId, roomId, subjectId }, { muted });
    await this.changed({ roomIds: [roomId] });
    return (r.affected ?? 0) > 0;
  }

  /** Marks a member removed; true only for the call that removed them. */
  async markRemoved(centerId: string, roomId: string, subjectId: string, at: Date): Promise<boolean> {
    if (!isUuid(roomId) || !isUuid(subjectId)) return false;
    const r = await this.members.update({ centerId, roomId, subjectId, removedAt: IsNull() }, { removedAt: at });
    await this.changed({ roomIds: [roomId] });
    return (r.affected ?? 0) > 0;
  }

  listMembers(centerId: string, roomId: string): Promise<RoomMember[]> {
    return isUuid(roomId) ? this.members.find({ where: { centerId, roomId }, order: { joinedAt: 'ASC' } }) : Promise.resolve([]);
  }

  /** The subject's active memberships with their rooms, newest room first. */
  async listRoomsOf(centerId: string, subjectId: string): Promise<RoomOfMember[]> {
    const members = await this.members.findBy({ centerId, subjectId, removedAt: IsNull() });
    if (members.length === 0) return [];
    const rooms = await this.rooms
      .createQueryBuilder('r')
      .where('r.center_id = :centerId', { centerId })
      .andWhere('r.id IN (:...ids)', { ids: members.map((m) => m.roomId) })
      .orderBy('r.created_at', 'DESC')
      .getMany();
    const byRoom = new Map(members.map((m) => [m.roomId, m]));
    return rooms.flatMap((room) => {
      const member = byRoom.get(room.id);
      return member ? [{ room, member }] : [];
    });
  }

  /** Ids of the open rooms the subject is an active member of (to join a new socket to them). */
  async openRoomIdsOf(centerId: string, subjectId: string): Promise<string[]> {
    const rows = await this.members
      .createQueryBuilder('m')
      .innerJoin(Room, 'r', 'r.id = m.room_id AND r.center_id = m.center_id')
      .select('m.room_id', 'roomId')
      .where('m.center_id = :centerId AND m.subject_id = :subjectId AND m.removed_at IS NULL AND r.closed_at IS NULL', { centerId, subjectId })
      .getRawMany<{ roomId: string }>();
    return rows.map((r) => r.roomId);
  }

  /** Moves the read marker forward only (a late, older marker never moves it back; `message.send` does not read it: no drop). */
  async advanceReadMarker(centerId: string, roomId: string, subjectId: string, seq: number): Promise<void> {
    await this.members
      .createQueryBuilder()
      .update(RoomMember)
      .set({ lastReadSeq: seq })
      .where('center_id = :centerId AND room_id = :roomId AND subject_id = :subjectId AND last_read_seq < :seq', { centerId, roomId, subjectId, seq })
      .execute();
  }

  /** Moves the writing window of a room (a rescheduled topic chat). */
  async setWindow(centerId: string, roomId: string, startsAt: Date | null, endsAt: Date | null): Promise<void> {
    if (!isUuid(roomId)) return;
    await this.rooms.update({ centerId, id: roomId }, { startsAt, endsAt });
    await this.changed({ roomIds: [roomId] });
  }

  /** The conditional close: exactly one caller (on any node) gets true. */
  async closeIfOpen(centerId: string, roomId: string, at: Date): Promise<boolean> {
    if (!isUuid(roomId)) return false;
    const r = await this.rooms
      .createQueryBuilder()
      .update(Room)
      .set({ closedAt: at })
      .where('center_id = :centerId AND id = :roomId AND closed_at IS NULL', { centerId, roomId })
      .execute();
    if ((r.affected ?? 0) === 1) await this.changed({ roomIds: [roomId] });
    return (r.affected ?? 0) === 1;
  }

  /** Deletes the room row and its memberships for good (messages: MessagesRepository). */
  async deleteRoom(centerId: string, roomId: string): Promise<void> {
    await this.tx.run(async () => {
      await this.members.delete({ centerId, roomId });
      await this.rooms.delete({ centerId, id: roomId });
    });
    await this.changed({ roomIds: [roomId] });
  }

  async deleteMembers(centerId: string, roomId: string): Promise<void> {
    if (!isUuid(roomId)) return;
    await this.members.delete({ centerId, roomId });
    await this.changed({ roomIds: [roomId] });
  }

  async deleteMembershipsOf(centerId: string, subjectId: string): Promise<void> {
    await this.members.delete({ centerId, subjectId });
    await this.changed({ centerId, subjectId });
  }

  /** Every room the subject is or was a member of (removed memberships included). */
  async roomsOfSubject(centerId: string, subjectId: string): Promise<Room[]> {
    const ids = (await this.members.findBy({ centerId, subjectId })).map((m) => m.roomId);
    return ids.length === 0 ? [] : this.rooms.createQueryBuilder('r').where('r.center_id = :centerId AND r.id IN (:...ids)', { centerId, ids }).getMany();
  }

  // ---- names written before they were encrypted (marked by the migration) ---------------------

  findRoomsNamedLike(prefix: string, limit: number): Promise<Room[]> {
    return this.rooms.find({ where: { name: Like(`${prefix}%`) }, take: limit });
  }

  findMembersNamedLike(prefix: string, limit: number): Promise<RoomMember[]> {
    return this.members.find({ where: { displayName: Like(`${prefix}%`) }, take: limit });
  }

  /** Replaces a room name only if it is still the one read (another node may have done it). */
  async replaceRoomName(room: Room, name: string): Promise<void> {
    await this.rooms.update({ centerId: room.centerId, id: room.id, name: room.name }, { name });
    await this.changed({ roomIds: [room.id] });
  }

  async replaceMemberName(member: RoomMember, displayName: string): Promise<void> {
    await this.members.update(
      { centerId: member.centerId, roomId: member.roomId, subjectId: member.subjectId, displayName: member.displayName },
      { displayName },
    );
    await this.changed({ roomIds: [member.roomId] });
  }
}

/** An entity from the columns of a raw row (`<prefix><column>`), converted by the driver as TypeORM's own reads convert them. */
function hydrate<E extends ObjectLiteral>(repo: Repository<E>, row: Record<string, unknown>, prefix: string): E {
  const entity = repo.create();
  const driver = repo.manager.connection.driver;
  for (const col of repo.metadata.columns) col.setEntityValue(entity, driver.prepareHydratedValue(row[prefix + col.databaseName], col));
  return entity;
}
