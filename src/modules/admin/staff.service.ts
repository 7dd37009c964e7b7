import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuthContext, requireRole } from '../../common/auth-context';
import { DomainError, errors } from '../../common/errors';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { MailService } from '../../infra/mail/mail.service';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import type { LoginResult } from '../../realtime/contract';
import type { Account } from '../accounts/account.entity';
import { AccountsService, generatePassword, toView } from '../accounts/accounts.service';
import { StaffRemovalService } from '../accounts/staff-removal.service';
import { SESSION_TTL_MS, TokensService } from '../auth/tokens.service';
import { CentersService } from '../centers/centers.service';
import { StaffTeamFlags, TeamService } from '../team/team.service';
import { AcceptInvitationDto, CreateStaffDto } from './dto/staff.dto';

/** An invitation link is valid this long, and once. */
export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;

export type StaffStatus = 'invited' | 'active' | 'deactivated';

export interface StaffView {
  id: string;
  email: string;
  displayName: string;
  role: 'admin' | 'counselor';
  status: StaffStatus;
  createdAt: string;
  /** Team page (issue 13): the admin's hide, the counselor's own switches. */
  teamHidden: boolean;
  onTeamPage: boolean;
  crisisContact: boolean;
}

export type CreateStaffResult = { id: string; invitationSent: true } | { id: string; password: string };

const ROLE_DE = { admin: 'Administratorin bzw. Administrator', counselor: 'Beraterin bzw. Berater' } as const;

/**
 * The admin's staff page: invite (mail with a one-time link) or, without mail, create with a
 * generated password shown once; deactivate (every session ends at once, on every node),
 * reactivate, delete. The last active admin and the caller themselves are protected.
 */
@Injectable()
export class StaffService {
  private readonly logger = new Logger('Staff');

  constructor(
    private readonly accounts: AccountsService,
    private readonly removal: StaffRemovalService,
    private readonly tokens: TokensService,
    private readonly centers: CentersService,
    private readonly mail: MailService,
    private readonly limits: RateLimitService,
    private readonly team: TeamService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(auth: AuthContext): Promise<StaffView[]> {
    requireRole(auth, 'admin');
    const flags = await this.team.flagsOf(auth.centerId);
    return (await this.accounts.listStaffAccounts(auth.centerId)).map((a) => staffView(a, flags.get(a.id)));
  }

  async create(auth: AuthContext, dto: CreateStaffDto): Promise<CreateStaffResult> {
    requireRole(auth, 'admin');
    try {
      return await this.createChecked(auth, dto);
    } catch (err) {
      // the accounts side names the display name `name` (the CLI's flag); this body calls it displayName
      if (err instanceof DomainError && err.fields?.includes('name')) throw errors.validation(err.message, ['displayName']);
      throw err;
    }
  }

  private async createChecked(auth: AuthContext, dto: CreateStaffDto): Promise<CreateStaffResult> {
    if (!this.config.mail) {
      const { account, password } = await this.accounts.createStaff(auth.centerId, { ...dto, password: generatePassword() });
      return { id: account.id, password };
    }
    const center = await this.centers.byId(auth.centerId);
    const { account, token } = await this.accounts.inviteStaff(auth.centerId, dto, INVITATION_TTL_MS);
    const link = `${this.config.publicUrl}/c/${encodeURIComponent(center.slug)}/invitation#token=${token}`;
    await this.mail.send({
      to: account.login,
      subject: `${center.name}: Ihre Einladung`,
      text:
        `Guten Tag ${account.displayName},\n\n` +
        `Sie wurden als ${ROLE_DE[dto.role]} für ${center.name} eingeladen. Legen Sie hier Ihr Passwort fest:\n${link}\n\n` +
        `Der Link gilt 72 Stunden und nur einmal. Wenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.\n`,
    });
    return { id: account.id, invitationSent: true };
  }

  /** Public: the invited person sets a password and is signed in. Unknown, used or expired links: NOT_FOUND. */
  async acceptInvitation(dto: AcceptInvitationDto, origin: { ip: string | undefined }): Promise<LoginResult> {
    // accepting signs in: it counts against the address like a login attempt
    await this.limits.consume('loginAddress', await this.limits.addressKey(origin.ip));
    const center = await this.centers.bySlug(dto.center);
    const account = await this.accounts.acceptInvitation(center.id, dto.token, dto.password);
    if (!account) throw errors.notFound('The invitation');
    const token = await this.tokens.issue({ subjectId: account.id, role: account.role, centerId: center.id }, SESSION_TTL_MS);
    return { token, account: toView(account) };
  }

  async deactivate(auth: AuthContext, id: string): Promise<Record<string, never>> {
    const account = await this.requireOther(auth, id, 'deactivate');
    await this.removal.deactivate(account, 'You cannot deactivate the last active admin.', auth.subjectId);
    this.logger.log({ accountId: id }, 'staff account deactivated');
    return {};
  }

  async reactivate(auth: AuthContext, id: string): Promise<Record<string, never>> {
    requireRole(auth, 'admin');
    const account = await this.requireStaff(auth, id);
    if (account.status !== 'deactivated') return {};
    // somebody who never accepted the invitation goes back to invited (the link may still be valid)
    await this.accounts.changeStatus(auth.centerId, id, ['deactivated'], account.invitationHash ? 'invited' : 'active');
    return {};
  }

  /** The account becomes a tombstone (StaffRemovalService.delete says what goes and what stays). */
  async remove(auth: AuthContext, id: string): Promise<void> {
    const account = await this.requireOther(auth, id, 'delete');
    await this.removal.delete(account, 'You cannot delete the last active admin.', auth.subjectId);
    this.logger.log({ accountId: id }, 'staff account deleted');
  }

  private async requireStaff(auth: AuthContext, id: string): Promise<Account> {
    const account = await this.accounts.findById(auth.centerId, id);
    if (!account || account.role === 'client' || account.status === 'deleted') throw errors.notFound('The staff member');
    return account;
  }

  /** Not oneself, and never the last active admin. */
  private async requireOther(auth: AuthContext, id: string, verb: string): Promise<Account> {
    requireRole(auth, 'admin');
    const account = await this.requireStaff(auth, id);
    if (account.id === auth.subjectId) throw errors.conflict(`You cannot ${verb} your own account.`);
    if (await this.removal.isLastActiveAdmin(account)) throw errors.conflict(`You cannot ${verb} the last active admin.`);
    return account;
  }
}

function staffView(a: Account, flags: StaffTeamFlags | undefined): StaffView {
  return {
    id: a.id,
    email: a.login,
    displayName: a.displayName,
    role: a.role === 'admin' ? 'admin' : 'counselor',
    status: a.status === 'invited' || a.status === 'deactivated' ? a.status : 'active',
    createdAt: a.createdAt.toISOString(),
    teamHidden: flags?.teamHidden ?? false,
    onTeamPage: flags?.onTeamPage ?? false,
    crisisContact: a.role === 'counselor' && (flags?.crisisContact ?? false),
  };
}
