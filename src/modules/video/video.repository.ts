import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { VideoConsent, VideoConsentConfirmation } from './video-consent.entity';
import { VideoRoomClient } from './video-room-client.entity';
import { VideoRoom } from './video-room.entity';

/** Video rooms, their clients, consent texts and confirmations; always scoped by center (the token-hash lookup excepted). */
@Injectable()
export class VideoRepository {
  constructor(
    @InjectRepository(VideoRoom) private readonly roomsRaw: Repository<VideoRoom>,
    @InjectRepository(VideoRoomClient) private readonly clientsRaw: Repository<VideoRoomClient>,
    @InjectRepository(VideoConsent) private readonly consentsRaw: Repository<VideoConsent>,
    @InjectRepository(VideoConsentConfirmation) private readonly confirmationsRaw: Repository<VideoConsentConfirmation>,
    private readonly tx: Transactions,
  ) {}

  private get rooms(): Repository<VideoRoom> {
    return this.tx.bind(this.roomsRaw);
  }
  private get clients(): Repository<VideoRoomClient> {
    return this.tx.bind(this.clientsRaw);
  }
  private get consents(): Repository<VideoConsent> {
    return this.tx.bind(this.consentsRaw);
  }
  private get confirmations(): Repository<VideoConsentConfirmation> {
    return this.tx.bind(this.confirmationsRaw);
  }

  // ---- rooms -------------------------------------------------------------------------------------

  async findRoom(centerId: string, id: string): Promise<VideoRoom | null> {
    return isUuid(id) ? this.rooms.findOneBy({ centerId, id }) : null;
  }

  /** The room a guest token opens (global: the token names no center; only its hash is stored). */
  findByInviteHash(inviteHash: string): Promise<VideoRoom | null> {
    return this.rooms.findOneBy({ inviteHash });
  }

  roomsOf(centerId: string, counselorId: string): Promise<VideoRoom[]> {
    return this.rooms.find({ where: { centerId, counselorId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  countRoomsOf(centerId: string, counselorId: string): Promise<number> {
    return this.rooms.countBy({ centerId, counselorId });
  }

  async roomsByIds(centerId: string, ids: string[]): Promise<VideoRoom[]> {
    const valid = ids.filter(isUuid);
    return valid.length ? this.rooms.find({ where: { centerId, id: In(valid) }, order: { createdAt: 'ASC', id: 'ASC' } }) : [];
  }

  async insertRoom(row: VideoRoom): Promise<void> {
    await this.rooms.insert(row);
  }

  async updateRoom(centerId: string, id: string, patch: Partial<Pick<VideoRoom, 'nameEnc' | 'inviteHash' | 'inviteEnc'>>): Promise<boolean> {
    const res = await this.rooms.update({ centerId, id }, patch);
    return (res.affected ?? 0) > 0;
  }

  /** The room with its clients and the guests' confirmations. */
  async deleteRoom(centerId: string, id: string): Promise<boolean> {
    await this.clients.delete({ centerId, roomId: id });
    await this.confirmations.delete({ centerId, roomId: id });
    const res = await this.rooms.delete({ centerId, id });
    return (res.affected ?? 0) > 0;
  }

  // ---- clients -----------------------------------------------------------------------------------

  clientsOfRooms(centerId: string, roomIds: string[]): Promise<VideoRoomClient[]> {
    return roomIds.length ? this.clients.find({ where: { centerId, roomId: In(roomIds) }, order: { invitedAt: 'ASC', id: 'ASC' } }) : Promise.resolve([]);
  }

  roomIdsOfClient(centerId: string, clientId: string): Promise<VideoRoomClient[]> {
    return this.clients.find({ where: { centerId, clientId }, order: { invitedAt: 'ASC', id: 'ASC' } });
  }

  async isInvited(centerId: string, roomId: string, clientId: string): Promise<boolean> {
    return (await this.clients.countBy({ centerId, roomId, clientId })) > 0;
  }

  countClients(centerId: string, roomId: string): Promise<number> {
    return this.clients.countBy({ centerId, roomId });
  }

  async insertClient(row: VideoRoomClient): Promise<void> {
    await this.clients.insert(row);
  }

  async deleteClient(centerId: string, roomId: string, clientId: string): Promise<boolean> {
    const res = await this.clients.delete({ centerId, roomId, clientId });
    return (res.affected ?? 0) > 0;
  }

  // ---- consent -----------------------------------------------------------------------------------

  latestConsent(centerId: string): Promise<VideoConsent | null> {
    return this.consents.findOne({ where: { centerId }, order: { version: 'DESC' } });
  }

  async insertConsent(row: VideoConsent): Promise<void> {
    await this.consents.insert(row);
  }

  async hasConfirmed(centerId: string, accountId: string, version: number): Promise<boolean> {
    return (await this.confirmations.countBy({ centerId, accountId, version })) > 0;
  }

  async insertConfirmation(row: VideoConsentConfirmation): Promise<void> {
    await this.confirmations.insert(row);
  }

  // ---- deletion ----------------------------------------------------------------------------------

  /** A deleted client: their invitations and confirmations. */
  async deleteOfClient(centerId: string, clientId: string): Promise<void> {
    if (!isUuid(clientId)) return;
    await this.clients.delete({ centerId, clientId });
    await this.confirmations.delete({ centerId, accountId: clientId });
  }
}
