import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { StaffPicture, StaffProfile } from './staff-profile.entity';

export type ProfilePatch = Partial<Pick<StaffProfile, 'teamTextEnc' | 'onTeamPage' | 'teamHiddenByAdmin' | 'crisisContact'>>;

/** Staff profiles and pictures, always scoped by center. */
@Injectable()
export class TeamRepository {
  constructor(
    @InjectRepository(StaffProfile) private readonly profilesRaw: Repository<StaffProfile>,
    @InjectRepository(StaffPicture) private readonly picturesRaw: Repository<StaffPicture>,
    private readonly tx: Transactions,
  ) {}

  private get profiles(): Repository<StaffProfile> {
    return this.tx.bind(this.profilesRaw);
  }

  private get pictures(): Repository<StaffPicture> {
    return this.tx.bind(this.picturesRaw);
  }

  async findProfile(centerId: string, accountId: string): Promise<StaffProfile | null> {
    return isUuid(accountId) ? this.profiles.findOneBy({ centerId, accountId }) : null;
  }

  listProfiles(centerId: string): Promise<StaffProfile[]> {
    return this.profiles.findBy({ centerId });
  }

  /** Profiles with the crisis switch on (the account's role and status are checked by the caller). */
  listCrisisContacts(centerId: string): Promise<StaffProfile[]> {
    return this.profiles.findBy({ centerId, crisisContact: true, teamHiddenByAdmin: false });
  }

  /**
   * Applies the patch, creating the row with the defaults first when there is none (two first
   * changes at once: the primary key keeps one row, the loser updates it).
   */
  async upsertProfile(centerId: string, accountId: string, patch: ProfilePatch, now: Date): Promise<void> {
    const res = await this.profiles.update({ centerId, accountId }, { ...patch, updatedAt: now });
    if ((res.affected ?? 0) > 0) return;
    const row: StaffProfile = {
      accountId,
      centerId,
      teamTextEnc: null,
      onTeamPage: false,
      teamHiddenByAdmin: false,
      crisisContact: false,
      ...patch,
      updatedAt: now,
    };
    try {
      await this.profiles.insert(row);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      await this.profiles.update({ centerId, accountId }, { ...patch, updatedAt: now });
    }
  }

  async findPicture(centerId: string, accountId: string): Promise<StaffPicture | null> {
    return isUuid(accountId) ? this.pictures.findOneBy({ centerId, accountId }) : null;
  }

  /** When each of these accounts' pictures was set (no bytes read). */
  async pictureTimes(centerId: string, accountIds: string[]): Promise<Map<string, Date>> {
    const ids = accountIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    const rows = await this.pictures.find({ select: { accountId: true, updatedAt: true }, where: { centerId, accountId: In(ids) } });
    return new Map(rows.map((r) => [r.accountId, r.updatedAt]));
  }

  async savePicture(centerId: string, accountId: string, data: Buffer, now: Date): Promise<void> {
    const res = await this.pictures.update({ centerId, accountId }, { data, updatedAt: now });
    if ((res.affected ?? 0) > 0) return;
    try {
      await this.pictures.insert({ centerId, accountId, data, updatedAt: now });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      await this.pictures.update({ centerId, accountId }, { data, updatedAt: now });
    }
  }

  async deletePicture(centerId: string, accountId: string): Promise<boolean> {
    if (!isUuid(accountId)) return false;
    const res = await this.pictures.delete({ centerId, accountId });
    return (res.affected ?? 0) > 0;
  }

  /** Everything of the account's profile (retirement, deletion). */
  async deleteAllOf(centerId: string, accountId: string): Promise<void> {
    if (!isUuid(accountId)) return;
    await this.pictures.delete({ centerId, accountId });
    await this.profiles.delete({ centerId, accountId });
  }
}
