import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Transactions } from '../../infra/database/transactions';
import { LEGACY_PLAIN_PREFIX } from '../../infra/database/migrations/1764900000000-ciphertext-names-and-key-ids';
import { CryptoService } from '../crypto/crypto.service';
import { Message } from './message.entity';
import { RoomMember } from './room-member.entity';
import { Room } from './room.entity';
import { MessagesRepository } from './messages.repository';
import { RoomsRepository } from './rooms.repository';

const LEGACY_BATCH = 200;
/** Decrypted display names kept per node (the sender of every message.send); cleared whole when full. */
const NAME_CACHE_MAX = 10_000;

/**
 * What people typed in a conversation, encrypted with the conversation's own keys: the room name
 * with the room key, each member's messages and display name with that member's key in the room.
 * Deleting the room destroys them all; deleting an account destroys that member's keys, so what
 * they wrote stays unreadable in backups too (after the next key:rotate), while the others' stays.
 */
@Injectable()
export class RoomCipherService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RoomCipherService.name);
  /**
   * Display names by their row and their ciphertext: a renamed member (or a name encrypted again by
   * key:rotate) has another ciphertext and so another entry, so nothing here can be stale; a deleted
   * member or room drops everything (forgetMember, forgetMembersOf, eraseRoom). In memory only.
   */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly crypto: CryptoService,
    private readonly rooms: RoomsRepository,
    private readonly messages: MessagesRepository,
    private readonly tx: Transactions,
  ) {}

  /** Names stored before they were encrypted (marked `p0:` by the migration) are encrypted before the app serves. */
  async onApplicationBootstrap(): Promise<void> {
    let done = 0;
    for (let batch = await this.rooms.findRoomsNamedLike(LEGACY_PLAIN_PREFIX, LEGACY_BATCH); batch.length > 0;) {
      for (const room of batch) await this.rooms.replaceRoomName(room, await this.sealRoomName(room, room.name.slice(LEGACY_PLAIN_PREFIX.length)));
      done += batch.length;
      batch = await this.rooms.findRoomsNamedLike(LEGACY_PLAIN_PREFIX, LEGACY_BATCH);
    }
    for (let batch = await this.rooms.findMembersNamedLike(LEGACY_PLAIN_PREFIX, LEGACY_BATCH); batch.length > 0;) {
      for (const m of batch) await this.rooms.replaceMemberName(m, await this.sealMemberName(m, m.displayName.slice(LEGACY_PLAIN_PREFIX.length)));
      done += batch.length;
      batch = await this.rooms.findMembersNamedLike(LEGACY_PLAIN_PREFIX, LEGACY_BATCH);
    }
    if (done > 0) this.logger.log({ names: done }, 'encrypted room and member names stored before names were encrypted');
  }

  /** A room being created: its name key and its members' keys, made together (one insert), before the names are sealed with `fresh`. */
  createRoomKeys(room: Pick<Room, 'centerId' | 'id'>, subjectIds: string[]): Promise<void> {
    return this.crypto.createFreshKeys([
      roomNameCtx(room),
      ...subjectIds.map((subjectId) => memberNameCtx({ centerId: room.centerId, roomId: room.id, subjectId })),
    ]);
  }

  /** `fresh`: the room is being created (its key cannot exist yet: created without a look first). */
  sealRoomName(room: Pick<Room, 'centerId' | 'id'>, name: string, fresh = false): Promise<string> {
    return this.crypto.encrypt({ ...roomNameCtx(room), fresh }, name);
  }

  roomName(room: Room): Promise<string> {
    return this.crypto.decrypt(roomNameCtx(room), room.name);
  }

  /** `fresh`: a member of a room being created (their key in it cannot exist yet). */
  sealMemberName(m: Pick<RoomMember, 'centerId' | 'roomId' | 'subjectId'>, displayName: string, fresh = false): Promise<string> {
    return this.crypto.encrypt({ ...memberNameCtx(m), fresh }, displayName);
  }

  async memberName(m: RoomMember): Promise<string> {
    const key = `${m.centerId}|${m.roomId}|${m.subjectId}|${m.displayName}`;
    const known = this.names.get(key);
    if (known !== undefined) return known;
    const name = await this.crypto.decrypt(memberNameCtx(m), m.displayName);
    if (this.names.size >= NAME_CACHE_MAX) this.names.clear();
    this.names.set(key, name);
    return name;
  }

  sealBody(m: Pick<Message, 'centerId' | 'roomId' | 'senderId' | 'id'>, body: string): Promise<string> {
    return this.crypto.encrypt(bodyCtx(m), body);
  }

  /** Messages written before rooms had their own keys name the center key in their envelope: they still decrypt. */
  body(m: Message): Promise<string> {
    return this.crypto.decrypt(bodyCtx(m), m.body);
  }

  /** Deletes a room for good: messages, members, the room row, then its key (also in backups after the next key:rotate). */
  async eraseRoom(centerId: string, roomId: string): Promise<void> {
    await this.tx.run(async () => {
      await this.messages.deleteRoomMessages(centerId, roomId);
      await this.rooms.deleteRoom(centerId, roomId);
    });
    await this.crypto.destroyRoomKeys(centerId, roomId);
    this.names.clear();
  }

  /** A room forgot its members (and lost its messages): their keys protect nothing any more. */
  async forgetMembersOf(centerId: string, roomId: string): Promise<void> {
    await this.crypto.destroyRoomMemberKeys(centerId, roomId);
    this.names.clear();
  }

  /** Destroys a deleted account's keys in every room (its messages and memberships are deleted already). */
  async forgetMember(centerId: string, subjectId: string): Promise<void> {
    await this.crypto.destroyMemberKeys(centerId, subjectId);
    this.names.clear();
  }
}

const roomNameCtx = (room: Pick<Room, 'centerId' | 'id'>) => ({ centerId: room.centerId, roomId: room.id, table: 'rooms', column: 'name', rowId: room.id });

const memberNameCtx = (m: Pick<RoomMember, 'centerId' | 'roomId' | 'subjectId'>) => ({
  centerId: m.centerId,
  roomId: m.roomId,
  memberId: m.subjectId,
  table: 'room_members',
  column: 'display_name',
  rowId: `${m.roomId}|${m.subjectId}`,
});

const bodyCtx = (m: Pick<Message, 'centerId' | 'roomId' | 'senderId' | 'id'>) => ({
  centerId: m.centerId,
  roomId: m.roomId,
  memberId: m.senderId,
  table: 'messages',
  column: 'body',
  rowId: m.id,
});
