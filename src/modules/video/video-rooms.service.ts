import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { createHash } from 'node:crypto';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator, isUuid } from '../../common/clock';
import { errors } from '../../common/errors';
import { ACCOUNT_DELETING, AccountDeletingEvent, emitEvent, STAFF_ACCOUNT_RETIRING, VIDEO_ROOM_DELETING } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { VIDEO_LIMITS, type VideoRoomClientView, type VideoRoomCreated, type VideoRoomView } from '../../realtime/contract';
import { AccountsService } from '../accounts/accounts.service';
import { AppointmentPorts } from '../appointments/appointment-ports';
import { APPOINTMENT_VIDEO, AppointmentVideo } from '../appointments/appointment-video.port';
import { CentersService } from '../centers/centers.service';
import { CipherContext, CryptoService } from '../crypto/crypto.service';
import { ThreadsService } from '../threads/threads.service';
import { InviteVideoClientDto, VideoRoomNameDto } from './dto/video.dto';
import { randomJitsiName } from './jitsi-token';
import { VideoConfig } from './video-config';
import { VideoRoomClient } from './video-room-client.entity';
import { VideoRoom } from './video-room.entity';
import { VideoRepository } from './video.repository';

const ROOM = 'The video room';

/** Name and guest token are encrypted with the counselor's own key: gone with their account. */
const roomCtx = (row: Pick<VideoRoom, 'centerId' | 'counselorId' | 'id'>, column: 'name_enc' | 'invite_enc'): CipherContext => ({
  centerId: row.centerId,
  accountId: row.counselorId,
  table: 'video_rooms',
  column,
  rowId: row.id,
});

export const inviteHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * A counselor's video rooms: create, rename, delete, the guest link (renew, remove) and the
 * invited clients (only clients of theirs: ThreadsService.isClientOf). Every room route of anyone
 * but the room's counselor answers NOT_FOUND. Also the APPOINTMENT_VIDEO port: a video booking
 * gets the counselor's room for that client (reused, or created) with the client invited.
 */
@Injectable()
export class VideoRoomsService implements AppointmentVideo, OnModuleInit {
  constructor(
    private readonly repo: VideoRepository,
    private readonly video: VideoConfig,
    private readonly crypto: CryptoService,
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly threads: ThreadsService,
    private readonly appointmentPorts: AppointmentPorts,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  onModuleInit(): void {
    this.appointmentPorts.register(APPOINTMENT_VIDEO, this);
  }

  async create(auth: AuthContext, dto: VideoRoomNameDto): Promise<VideoRoomCreated> {
    this.video.require();
    requireRole(auth, 'counselor');
    const name = cleanName(dto.name);
    const { row, token } = await this.tx.run(async () => {
      if ((await this.repo.countRoomsOf(auth.centerId, auth.subjectId)) >= VIDEO_LIMITS.roomsPerCounselor) {
        throw errors.conflict(`You keep ${VIDEO_LIMITS.roomsPerCounselor} video rooms already; delete one before you add another.`);
      }
      return this.insertRoom(auth.centerId, auth.subjectId, name);
    });
    return { id: row.id, name, inviteUrl: await this.inviteUrl(auth.centerId, token) };
  }

  /** The counselor's rooms with link and clients; a client's rooms they are invited to. */
  async list(auth: AuthContext): Promise<VideoRoomView[] | VideoRoomClientView[]> {
    this.video.require();
    requireRole(auth, 'counselor', 'client');
    if (auth.role === 'client') return this.listForClient(auth);
    const rooms = await this.repo.roomsOf(auth.centerId, auth.subjectId);
    const invited = await this.repo.clientsOfRooms(
      auth.centerId,
      rooms.map((r) => r.id),
    );
    const names = await this.names(
      auth.centerId,
      invited.map((c) => c.clientId),
    );
    const slug = (await this.centers.byId(auth.centerId)).slug;
    return Promise.all(rooms.map((r) => this.view(r, slug, invited, names)));
  }

  async rename(auth: AuthContext, id: string, dto: VideoRoomNameDto): Promise<VideoRoomView> {
    const room = await this.ownRoom(auth, id);
    const name = cleanName(dto.name);
    room.nameEnc = await this.crypto.encrypt(roomCtx(room, 'name_enc'), name);
    if (!(await this.repo.updateRoom(auth.centerId, room.id, { nameEnc: room.nameEnc }))) throw errors.notFound(ROOM);
    const invited = await this.repo.clientsOfRooms(auth.centerId, [room.id]);
    const names = await this.names(
      auth.centerId,
      invited.map((c) => c.clientId),
    );
    return this.view(room, (await this.centers.byId(auth.centerId)).slug, invited, names);
  }

  /** The room, its clients, guest link, the guests' confirmations and the counselor's notes about it. */
  async remove(auth: AuthContext, id: string): Promise<void> {
    const room = await this.ownRoom(auth, id);
    await this.tx.run(() => this.deleteRoom(room));
  }

  /** A new guest link; the old one stops working at once. */
  async renewInvite(auth: AuthContext, id: string): Promise<{ inviteUrl: string }> {
    const room = await this.ownRoom(auth, id);
    const token = this.ids.token(32);
    const inviteEnc = await this.crypto.encrypt(roomCtx(room, 'invite_enc'), token);
    if (!(await this.repo.updateRoom(auth.centerId, room.id, { inviteHash: inviteHash(token), inviteEnc }))) throw errors.notFound(ROOM);
    return { inviteUrl: await this.inviteUrl(auth.centerId, token) };
  }

  /** No guest link any more (guests cannot join until the counselor makes a new one). */
  async removeInvite(auth: AuthContext, id: string): Promise<void> {
    const room = await this.ownRoom(auth, id);
    await this.repo.updateRoom(auth.centerId, room.id, { inviteHash: null, inviteEnc: null });
  }

  /** Invites a client of the counselor's (again: nothing new). Anyone else: NOT_FOUND. */
  async addClient(auth: AuthContext, id: string, dto: InviteVideoClientDto): Promise<void> {
    const room = await this.ownRoom(auth, id);
    await this.requireClientOf(auth, dto.clientId);
    await this.invite(room, dto.clientId);
  }

  async removeClient(auth: AuthContext, id: string, clientId: string): Promise<void> {
    const room = await this.ownRoom(auth, id);
    if (!isUuid(clientId) || !(await this.repo.deleteClient(auth.centerId, room.id, clientId))) throw errors.notFound('The client');
  }

  /** The caller's own room (the counselor who created it), or NOT_FOUND; 503 without Jitsi. */
  async ownRoom(auth: AuthContext, id: string): Promise<VideoRoom> {
    this.video.require();
    const room = auth.role === 'counselor' ? await this.repo.findRoom(auth.centerId, id) : null;
    if (!room || room.counselorId !== auth.subjectId) throw errors.notFound(ROOM);
    return room;
  }

  /** APPOINTMENT_VIDEO: the counselor's room that the client is invited to (the oldest), or a new one. */
  async roomFor(centerId: string, counselorId: string, clientId: string): Promise<string | null> {
    if (!this.video.configured || !isUuid(counselorId) || !isUuid(clientId)) return null;
    const client = await this.accounts.findById(centerId, clientId);
    if (!client || client.role !== 'client' || client.status !== 'active') return null;
    const rooms = await this.repo.roomsOf(centerId, counselorId);
    const invited = await this.repo.clientsOfRooms(
      centerId,
      rooms.map((r) => r.id),
    );
    const existing = rooms.find((r) => invited.some((c) => c.roomId === r.id && c.clientId === clientId));
    if (existing) return existing.id;
    return this.tx.run(async () => {
      const { row } = await this.insertRoom(centerId, counselorId, `Video: ${client.displayName}`.slice(0, VIDEO_LIMITS.roomNameMax));
      await this.invite(row, clientId);
      return row.id;
    });
  }

  /** A deleted counselor's rooms go (with their notes); a deleted client's invitations and confirmations go. */
  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  async onAccountDeleting(event: AccountDeletingEvent): Promise<void> {
    await this.deleteRoomsOf(event);
    await this.repo.deleteOfClient(event.centerId, event.accountId);
  }

  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onStaffRetiring(event: AccountDeletingEvent): Promise<void> {
    await this.deleteRoomsOf(event);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async deleteRoomsOf(event: AccountDeletingEvent): Promise<void> {
    if (!isUuid(event.accountId)) return;
    for (const room of await this.repo.roomsOf(event.centerId, event.accountId)) await this.deleteRoom(room);
  }

  private async deleteRoom(room: VideoRoom): Promise<void> {
    await this.tx.run(async () => {
      await emitEvent(this.events, VIDEO_ROOM_DELETING, { centerId: room.centerId, roomId: room.id });
      if (!(await this.repo.deleteRoom(room.centerId, room.id))) throw errors.notFound(ROOM);
    });
  }

  private async insertRoom(centerId: string, counselorId: string, name: string): Promise<{ row: VideoRoom; token: string }> {
    const token = this.ids.token(32);
    const row = Object.assign(new VideoRoom(), {
      id: this.ids.uuid(),
      centerId,
      counselorId,
      jitsiName: randomJitsiName(),
      inviteHash: inviteHash(token),
      createdAt: this.clock.now(),
    });
    row.nameEnc = await this.crypto.encrypt(roomCtx(row, 'name_enc'), name);
    row.inviteEnc = await this.crypto.encrypt(roomCtx(row, 'invite_enc'), token);
    await this.repo.insertRoom(row);
    return { row, token };
  }

  private async invite(room: VideoRoom, clientId: string): Promise<void> {
    if (await this.repo.isInvited(room.centerId, room.id, clientId)) return;
    if ((await this.repo.countClients(room.centerId, room.id)) >= VIDEO_LIMITS.clientsPerRoom) {
      throw errors.conflict(`A video room takes at most ${VIDEO_LIMITS.clientsPerRoom} clients.`);
    }
    try {
      await this.repo.insertClient(
        Object.assign(new VideoRoomClient(), { id: this.ids.uuid(), centerId: room.centerId, roomId: room.id, clientId, invitedAt: this.clock.now() }),
      );
    } catch (err) {
      // invited twice at the same moment: the other insert won, the client is invited
      if (!isUniqueViolation(err)) throw err;
    }
  }

  private async requireClientOf(auth: AuthContext, clientId: unknown): Promise<void> {
    const client = isUuid(clientId) ? await this.accounts.findById(auth.centerId, clientId) : null;
    if (!client || client.role !== 'client' || client.status !== 'active' || !(await this.threads.isClientOf(auth.centerId, auth.subjectId, client.id))) {
      throw errors.notFound('The client');
    }
  }

  private async listForClient(auth: AuthContext): Promise<VideoRoomClientView[]> {
    const memberships = await this.repo.roomIdsOfClient(auth.centerId, auth.subjectId);
    const rooms = await this.repo.roomsByIds(
      auth.centerId,
      memberships.map((m) => m.roomId),
    );
    const counselors = await this.names(
      auth.centerId,
      rooms.map((r) => r.counselorId),
    );
    const out: VideoRoomClientView[] = [];
    for (const r of rooms) {
      const displayName = counselors.get(r.counselorId);
      if (!displayName) continue;
      out.push({ id: r.id, name: await this.crypto.decrypt(roomCtx(r, 'name_enc'), r.nameEnc), counselor: { id: r.counselorId, displayName } });
    }
    return out;
  }

  /** Display names of the active accounts among these ids. */
  private async names(centerId: string, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    return new Map((await this.accounts.findManyByIds(centerId, unique)).filter((a) => a.status === 'active').map((a) => [a.id, a.displayName]));
  }

  private async view(r: VideoRoom, slug: string, invited: VideoRoomClient[], names: Map<string, string>): Promise<VideoRoomView> {
    const token = r.inviteEnc ? await this.crypto.decrypt(roomCtx(r, 'invite_enc'), r.inviteEnc) : null;
    return {
      id: r.id,
      name: await this.crypto.decrypt(roomCtx(r, 'name_enc'), r.nameEnc),
      inviteUrl: token ? this.video.inviteUrl(slug, token) : null,
      clients: invited.filter((c) => c.roomId === r.id && names.has(c.clientId)).map((c) => ({ id: c.clientId, displayName: names.get(c.clientId)! })),
      createdAt: r.createdAt.toISOString(),
    };
  }

  private async inviteUrl(centerId: string, token: string): Promise<string> {
    return this.video.inviteUrl((await this.centers.byId(centerId)).slug, token);
  }
}

function cleanName(value: string): string {
  const name = value.trim();
  if (!name) throw errors.validation('The room needs a name (1–120 characters).', ['name']);
  return name;
}
