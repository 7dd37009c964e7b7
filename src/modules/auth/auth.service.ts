import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { IdGenerator } from '../../common/clock';
import { DomainError, errors } from '../../common/errors';
import { CLIENT_REGISTERED, emitEvent } from '../../common/events';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { normalizeLogin } from '../../common/names';
import { Transactions } from '../../infra/database/transactions';
import { MailService } from '../../infra/mail/mail.service';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import type { AccountView, LoginResult, VisitorResult } from '../../realtime/contract';
import { AccountsService, EMAIL_CONFIRM_TTL_MS, EmailConfirmation, toView } from '../accounts/accounts.service';
import { PasswordService } from '../accounts/password.service';
import { StaffRemovalService } from '../accounts/staff-removal.service';
import { CentersService } from '../centers/centers.service';
import { ChangePasswordDto, ConfirmEmailDto, DeleteAccountDto, LoginDto, RegisterDto } from './dto/auth.dto';
import { SESSION_TTL_MS, TokensService, VISITOR_TTL_MS } from './tokens.service';

/** The caller's network origin, reduced at once to an HMAC key for limits. */
export interface RequestOrigin {
  ip: string | undefined;
}

const BAD_LOGIN = 'The login or the password is wrong.';
const LAST_ADMIN = 'You are the last active admin of this center: another active admin is needed before you can delete your account.';

@Injectable()
export class AuthService implements OnModuleInit {
  constructor(
    private readonly centers: CentersService,
    private readonly accounts: AccountsService,
    private readonly staffRemoval: StaffRemovalService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
    private readonly limits: RateLimitService,
    private readonly mail: MailService,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
    private readonly events: EventEmitter2,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.tokens.useDisplayNames((centerId, subjectId) => this.accounts.displayName(centerId, subjectId));
  }

  /**
   * Unknown center, unknown login and wrong password: the same answer, after the same bcrypt work.
   * Limits (docs/errors.md): per address; per account and address together (the guesser waits);
   * per account over all addresses, more slowly — beyond that an address that has not failed for
   * this account in its window still gets its try, so the owner logs in while guessing stays slow.
   */
  async login(dto: LoginDto, origin: RequestOrigin): Promise<LoginResult> {
    const addressKey = await this.limits.addressKey(origin.ip);
    await this.limits.consume('loginAddress', addressKey);
    const center = await this.centers.bySlug(dto.center).catch(() => null);
    const login = normalizeLogin(dto.login);
    const accountKey = this.limits.nameKey('login', `${center?.id ?? 'none'}|${login}`);
    const pairKey = `${accountKey}|${addressKey}`;
    await this.takeLoginAttempt(accountKey, pairKey);
    const account = center ? await this.accounts.findByLogin(center.id, login) : null;
    const ok = await this.passwords.verify(dto.password, account?.passwordHash ?? null);
    // invited (no password yet), deactivated and deleted accounts get the wrong password's answer
    if (!ok || !account || !center || account.status !== 'active') throw new DomainError('UNAUTHORIZED', BAD_LOGIN);
    // the owner's attempts do not count against the account
    await this.limits.reset('loginAccountAddress', pairKey);
    await this.limits.refund('loginAccount', accountKey);
    await this.accounts.recordLogin(center.id, account.id);
    const token = await this.tokens.issue({ subjectId: account.id, role: account.role, centerId: center.id }, SESSION_TTL_MS);
    return { token, account: toView(account) };
  }

  async register(dto: RegisterDto, origin: RequestOrigin): Promise<LoginResult> {
    await this.limits.consume('registerAddress', await this.limits.addressKey(origin.ip));
    const center = await this.centers.bySlug(dto.center);
    const { account, confirmToken } = await this.accounts.registerClient(center.id, dto);
    // the row is committed (one insert): crisis contacts may take the new client at once (issue 13)
    await emitEvent(this.events, CLIENT_REGISTERED, { centerId: center.id, clientId: account.id });
    if (confirmToken && dto.email) await this.sendConfirmation(center, { email: dto.email.trim().toLowerCase(), token: confirmToken });
    const token = await this.tokens.issue({ subjectId: account.id, role: 'client', centerId: center.id }, SESSION_TTL_MS);
    return { token, account: toView(account) };
  }

  /** An anonymous live-chat identity: a random id, no personal data, expires after six hours. */
  async createVisitor(centerSlug: string, origin: RequestOrigin): Promise<VisitorResult> {
    await this.limits.consume('visitorAddress', await this.limits.addressKey(origin.ip));
    const center = await this.centers.bySlug(centerSlug);
    const visitorId = this.ids.uuid();
    const token = await this.tokens.issue({ subjectId: visitorId, role: 'visitor', centerId: center.id }, VISITOR_TTL_MS);
    return { token, visitorId };
  }

  me(auth: AuthContext): AccountView {
    return { id: auth.subjectId, role: auth.role, displayName: auth.displayName };
  }

  async logout(auth: AuthContext): Promise<void> {
    await this.tokens.revoke(auth.tokenHash);
  }

  /** Changes the password and ends every other session of the account. */
  async changePassword(auth: AuthContext, dto: ChangePasswordDto): Promise<void> {
    const account = await this.requireAccount(auth);
    if (!(await this.passwords.verify(dto.currentPassword, account.passwordHash))) throw errors.forbidden('The current password is wrong.');
    // hashed before the transaction (it takes a while, and SQLite runs one transaction at a time)
    const passwordHash = await this.accounts.hashNewPassword(dto.newPassword);
    // the new password and the end of the other sessions: both or neither
    await this.tx.run(async () => {
      // only an active account (one deactivated a moment ago keeps its old hash, and its sessions end anyway)
      if (!(await this.accounts.setActivePasswordHash(auth.centerId, account.id, passwordHash))) throw errors.unauthorized();
      await this.tokens.revokeSubject(auth.centerId, account.id, auth.tokenHash);
    });
  }

  /** An unknown, used and expired link answer alike: NOT_FOUND (the page offers a new link). */
  async confirmEmail(dto: ConfirmEmailDto): Promise<void> {
    const center = await this.centers.bySlug(dto.center);
    if (!(await this.accounts.confirmEmail(center.id, dto.token))) throw errors.notFound('The confirmation link');
  }

  /**
   * A new confirmation mail, asked for with the old (expired) link: only its holder can ask, the new
   * link goes to the same address, and the old one stops working. `{}` whatever the link was (unknown,
   * used, already confirmed): nothing tells. Limited per address and per old link, like reset links.
   */
  async resendConfirmation(dto: ConfirmEmailDto, origin: RequestOrigin): Promise<Record<string, never>> {
    await this.limits.consume('confirmResendAddress', await this.limits.addressKey(origin.ip));
    await this.limits.consume('confirmResendLink', this.limits.nameKey('confirm-resend', `${normalizeLogin(dto.center)}|${dto.token}`));
    const center = await this.centers.bySlug(dto.center).catch(() => null);
    const renewed = center ? await this.accounts.renewEmailConfirmation(center.id, dto.token) : null;
    if (center && renewed) await this.sendConfirmation(center, renewed);
    return {};
  }

  /**
   * The password first. A client's account goes with everything that is only theirs; a staff
   * account becomes a tombstone through the same steps as the admin's deletion (StaffRemovalService),
   * and the center's last active admin cannot delete themselves.
   */
  async deleteOwnAccount(auth: AuthContext, dto: DeleteAccountDto): Promise<void> {
    const account = await this.requireAccount(auth);
    if (!(await this.passwords.verify(dto.password, account.passwordHash))) throw errors.forbidden('The password is wrong.');
    if (account.role !== 'client') {
      if (await this.staffRemoval.isLastActiveAdmin(account)) throw errors.conflict(LAST_ADMIN);
      return this.staffRemoval.delete(account, LAST_ADMIN, account.id);
    }
    // the sessions and everything of the account: both or neither
    await this.tx.run(async () => {
      await this.tokens.revokeSubject(auth.centerId, account.id);
      await this.accounts.delete(auth.centerId, account.id);
    });
  }

  private async sendConfirmation(center: { slug: string; name: string }, c: EmailConfirmation): Promise<void> {
    const link = `${this.config.publicUrl}/confirm-email.html#center=${encodeURIComponent(center.slug)}&token=${c.token}`;
    await this.mail.send({
      to: c.email,
      subject: `${center.name}: Bitte bestätigen Sie Ihre E-Mail-Adresse`,
      text:
        `Hallo,\n\nbei ${center.name} hat sich jemand mit dieser E-Mail-Adresse registriert. Wenn Sie das waren, bestätigen Sie die Adresse hier:\n${link}\n\n` +
        `Der Link gilt ${EMAIL_CONFIRM_TTL_MS / 3_600_000} Stunden und nur einmal; ist er abgelaufen, können Sie auf der Seite des Links einen neuen anfordern.\n\n` +
        `Erst danach schicken wir Benachrichtigungen an diese Adresse, und nur dann kann ein vergessenes Passwort zurückgesetzt werden.\n\n` +
        `Wenn Sie das nicht waren, ignorieren Sie diese E-Mail einfach. Die Adresse wird dann nicht verwendet.\n`,
    });
  }

  /** Counts the attempt first (atomically: parallel guesses cannot slip between a read and a write). */
  private async takeLoginAttempt(accountKey: string, pairKey: string): Promise<void> {
    const pair = await this.limits.take('loginAccountAddress', pairKey);
    if (!pair.allowed) throw errors.rateLimited(pair.msBeforeNext);
    const account = await this.limits.take('loginAccount', accountKey);
    if (account.allowed) return;
    if (pair.consumed > 1) throw errors.rateLimited(pair.msBeforeNext);
    // a fresh address's one try beyond the account's limit: only so many of those per account
    const fresh = await this.limits.take('loginAccountFresh', accountKey);
    if (!fresh.allowed) throw errors.rateLimited(fresh.msBeforeNext);
  }

  private async requireAccount(auth: AuthContext) {
    requireRole(auth, 'admin', 'counselor', 'client');
    const account = await this.accounts.findById(auth.centerId, auth.subjectId);
    if (!account) throw errors.unauthorized();
    return account;
  }
}
