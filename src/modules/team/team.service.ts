import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock } from '../../common/clock';
import { errors } from '../../common/errors';
import { ACCOUNT_DELETING, AccountDeletingEvent, STAFF_ACCOUNT_RETIRING } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import type { StaffProfileView, TeamMemberView } from '../../realtime/contract';
import type { Account } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { TokensService } from '../auth/tokens.service';
import type { ReadUpload } from '../documents/multipart-upload';
import { CentersService } from '../centers/centers.service';
import { CryptoService } from '../crypto/crypto.service';
import { UpdateMeDto } from './dto/team.dto';
import { normalizePicture, pictureErrors, PICTURE_MAX_UPLOAD_BYTES } from './picture';
import type { StaffProfile } from './staff-profile.entity';
import { ProfilePatch, TeamRepository } from './team.repository';

/** What the admin's staff list shows of each profile. */
export interface StaffTeamFlags {
  teamHidden: boolean;
  onTeamPage: boolean;
  crisisContact: boolean;
}

const textCtx = (centerId: string, accountId: string) => ({ centerId, table: 'staff_profiles', column: 'team_text_enc', rowId: accountId });

/** A counselor the public team page shows: active, chose to appear, not hidden by the admin. */
export const isShown = (account: Pick<Account, 'role' | 'status'>, profile: Pick<StaffProfile, 'onTeamPage' | 'teamHiddenByAdmin'> | null): boolean =>
  account.role === 'counselor' && account.status === 'active' && !!profile && profile.onTeamPage && !profile.teamHiddenByAdmin;

/**
 * The team page (issue 13): staff edit their own profile (name, text, switches, picture), the admin
 * hides a counselor, the public reads the team and the pictures of those shown.
 */
@Injectable()
export class TeamService {
  constructor(
    private readonly repo: TeamRepository,
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly crypto: CryptoService,
    private readonly tx: Transactions,
    private readonly tokens: TokensService,
    private readonly clock: Clock,
  ) {}

  async profile(auth: AuthContext): Promise<StaffProfileView> {
    requireRole(auth, 'counselor', 'admin', { message: 'Only staff have a profile.' });
    const account = await this.requireSelf(auth);
    const profile = await this.repo.findProfile(auth.centerId, account.id);
    const picture = (await this.repo.pictureTimes(auth.centerId, [account.id])).get(account.id);
    const slug = (await this.centers.byId(auth.centerId)).slug;
    return {
      displayName: account.displayName,
      role: account.role === 'admin' ? 'admin' : 'counselor',
      teamText: profile?.teamTextEnc ? await this.crypto.decrypt(textCtx(auth.centerId, account.id), profile.teamTextEnc) : '',
      onTeamPage: profile?.onTeamPage ?? false,
      crisisContact: account.role === 'counselor' && (profile?.crisisContact ?? false),
      teamHidden: profile?.teamHiddenByAdmin ?? false,
      shown: isShown(account, profile),
      pictureUrl: picture ? pictureUrl(slug, account.id, picture) : null,
    };
  }

  /**
   * `PATCH /api/accounts/me`. Admins change only their display name (the team page and crisis
   * contacts are counselors'); everything is checked before the one transaction writes.
   */
  async update(auth: AuthContext, dto: UpdateMeDto): Promise<Record<string, never>> {
    requireRole(auth, 'counselor', 'admin', { message: 'Only staff change their profile here.' });
    if (auth.role === 'admin' && (dto.teamText !== undefined || dto.onTeamPage !== undefined || dto.crisisContact !== undefined))
      throw errors.forbidden('The team page and crisis contacts are for counselors; admins change only their display name.');
    const patch: ProfilePatch = {};
    if (dto.teamText !== undefined) {
      const text = dto.teamText.trim();
      patch.teamTextEnc = text ? await this.crypto.encrypt(textCtx(auth.centerId, auth.subjectId), text) : null;
    }
    if (dto.onTeamPage !== undefined) patch.onTeamPage = dto.onTeamPage;
    if (dto.crisisContact !== undefined) patch.crisisContact = dto.crisisContact;
    await this.tx.run(async () => {
      if (dto.displayName !== undefined) await this.accounts.setStaffDisplayName(auth.centerId, auth.subjectId, dto.displayName);
      if (Object.keys(patch).length > 0) await this.repo.upsertProfile(auth.centerId, auth.subjectId, patch, this.clock.now());
    });
    if (dto.displayName !== undefined) this.tokens.subjectChanged(auth.subjectId);
    return {};
  }

  /** `PUT /api/accounts/me/picture`: refused while it streams past 5 MB; stored only as sharp's fresh JPEG. */
  async setPicture(auth: AuthContext, read: ReadUpload): Promise<{ pictureUrl: string }> {
    requireRole(auth, 'counselor', { message: 'Only counselors have a picture on the team page.' });
    await this.requireSelf(auth);
    let bytes: Buffer;
    try {
      bytes = (await read(PICTURE_MAX_UPLOAD_BYTES)).bytes;
    } catch (err) {
      // the reader's "too large" speaks of documents and the center's limit; a picture has its own
      if (err instanceof Error && 'code' in err && err.code === 'PAYLOAD_TOO_LARGE') throw pictureErrors.tooLarge();
      throw err;
    }
    const jpeg = await normalizePicture(bytes);
    const now = this.clock.now();
    await this.repo.savePicture(auth.centerId, auth.subjectId, jpeg, now);
    const slug = (await this.centers.byId(auth.centerId)).slug;
    return { pictureUrl: pictureUrl(slug, auth.subjectId, now) };
  }

  /** The caller's own picture (the profile page's preview, whether shown or not). */
  async ownPicture(auth: AuthContext): Promise<Buffer> {
    requireRole(auth, 'counselor', { message: 'Only counselors have a picture on the team page.' });
    const picture = await this.repo.findPicture(auth.centerId, auth.subjectId);
    if (!picture) throw errors.notFound('The picture');
    return picture.data;
  }

  async deletePicture(auth: AuthContext): Promise<void> {
    requireRole(auth, 'counselor', { message: 'Only counselors have a picture on the team page.' });
    if (!(await this.repo.deletePicture(auth.centerId, auth.subjectId))) throw errors.notFound('The picture');
  }

  /** `GET /api/centers/:center/team` (public): the counselors shown, by name. */
  async team(slug: string): Promise<TeamMemberView[]> {
    const center = await this.centers.bySlug(slug);
    const profiles = new Map((await this.repo.listProfiles(center.id)).map((p) => [p.accountId, p]));
    const shown = (await this.accounts.listStaffAccounts(center.id)).filter((a) => isShown(a, profiles.get(a.id) ?? null));
    const pictures = await this.repo.pictureTimes(
      center.id,
      shown.map((a) => a.id),
    );
    const views = await Promise.all(
      shown.map(async (a): Promise<TeamMemberView> => {
        const enc = profiles.get(a.id)?.teamTextEnc;
        const at = pictures.get(a.id);
        return {
          id: a.id,
          displayName: a.displayName,
          text: enc ? await this.crypto.decrypt(textCtx(center.id, a.id), enc) : '',
          pictureUrl: at ? pictureUrl(center.slug, a.id, at) : null,
        };
      }),
    );
    return views.sort((x, y) => x.displayName.localeCompare(y.displayName, 'de') || x.id.localeCompare(y.id));
  }

  /** `GET /api/centers/:center/team/:id/picture` (public): only of a counselor the team page shows now. */
  async publicPicture(slug: string, accountId: string): Promise<Buffer> {
    const center = await this.centers.bySlug(slug);
    const account = await this.accounts.findById(center.id, accountId);
    const profile = account ? await this.repo.findProfile(center.id, account.id) : null;
    const picture = account && isShown(account, profile) ? await this.repo.findPicture(center.id, account.id) : null;
    if (!picture) throw errors.notFound('The picture');
    return picture.data;
  }

  /** `POST /api/admin/staff/:id/team-visibility` (admin): hide a counselor (illness, leave) or show them again. */
  async setVisibility(auth: AuthContext, accountId: string, hidden: boolean): Promise<Record<string, never>> {
    requireRole(auth, 'admin', { message: 'Only admins hide counselors from the team page.' });
    const account = await this.accounts.findById(auth.centerId, accountId);
    if (!account || account.role !== 'counselor' || account.status === 'deleted') throw errors.notFound('The counselor');
    await this.repo.upsertProfile(auth.centerId, account.id, { teamHiddenByAdmin: hidden }, this.clock.now());
    return {};
  }

  /** The admin's staff list: each account's team switches (defaults for those without a profile). */
  async flagsOf(centerId: string): Promise<Map<string, StaffTeamFlags>> {
    const rows = await this.repo.listProfiles(centerId);
    return new Map(rows.map((p) => [p.accountId, { teamHidden: p.teamHiddenByAdmin, onTeamPage: p.onTeamPage, crisisContact: p.crisisContact }]));
  }

  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onAccountGone(e: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteAllOf(e.centerId, e.accountId);
  }

  private async requireSelf(auth: AuthContext): Promise<Account> {
    const account = await this.accounts.findById(auth.centerId, auth.subjectId);
    if (!account || account.status !== 'active') throw errors.unauthorized();
    return account;
  }
}

/** A versioned address: a new picture is a new URL (caches never show the old one). */
function pictureUrl(slug: string, accountId: string, at: Date): string {
  return `/api/centers/${encodeURIComponent(slug)}/team/${accountId}/picture?v=${at.getTime().toString(36)}`;
}
