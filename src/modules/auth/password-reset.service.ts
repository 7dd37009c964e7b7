import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Cron, CronExpression } from '@nestjs/schedule';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { ACCOUNT_DELETING, AccountDeletingEvent, STAFF_ACCOUNT_RETIRING } from '../../common/events';
import { normalizeLogin } from '../../common/names';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { Transactions } from '../../infra/database/transactions';
import { MailService } from '../../infra/mail/mail.service';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import type { LoginResult } from '../../realtime/contract';
import { AccountsService, toView } from '../accounts/accounts.service';
import { PasswordService } from '../accounts/password.service';
import { CentersService } from '../centers/centers.service';
import type { RequestOrigin } from './auth.service';
import { ConfirmPasswordResetDto, RequestPasswordResetDto } from './dto/auth.dto';
import { PasswordResetsRepository } from './password-resets.repository';
import { hashToken, SESSION_TTL_MS, TokensService } from './tokens.service';

/** How long a reset link works. */
export const RESET_TTL_MS = 60 * 60 * 1000;

/**
 * Forgotten passwords: a link to the account's confirmed address (a client's confirmed contact
 * email, a staff member's login email), valid for one hour and usable once. Setting the new
 * password ends every session of the account and logs the person in.
 */
@Injectable()
export class PasswordResetService implements OnModuleDestroy {
  private readonly logger = new Logger(PasswordResetService.name);
  /** Deliveries still running (the answer never waits for them: see `request`). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly repo: PasswordResetsRepository,
    private readonly centers: CentersService,
    private readonly accounts: AccountsService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
    private readonly limits: RateLimitService,
    private readonly mail: MailService,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Always the same answer, at the same speed: whether the center or account exists and whether it
   * has a confirmed address is decided after the answer, so neither the body nor the time tells.
   * Limited per address and per login (known or not), like login.
   */
  async request(dto: RequestPasswordResetDto, origin: RequestOrigin): Promise<Record<string, never>> {
    await this.limits.consume('resetAddress', await this.limits.addressKey(origin.ip));
    const login = normalizeLogin(dto.login);
    await this.limits.consume('resetAccount', this.limits.nameKey('reset', `${normalizeLogin(dto.center)}|${login}`));
    const work = this.deliver(dto.center, login).catch((err: unknown) => {
      this.logger.error({ err: (err as Error).message }, 'a password reset mail could not be prepared or sent');
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return {};
  }

  /** Resolves when every reset mail asked for so far is written (tests; graceful shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** A shutdown waits for the mails already asked for, before the database closes. */
  onModuleDestroy(): Promise<void> {
    return this.settled();
  }

  /**
   * Sets the new password with a live link: the link is used up, every other link of the account and
   * every session ends (sockets closed on every node), and a new session starts. A weak password is
   * refused before anything is used up; a used, expired or unknown link is NOT_FOUND, and so is the
   * link of an account that is no longer active (nothing is used up then either).
   */
  async confirm(dto: ConfirmPasswordResetDto, origin: RequestOrigin): Promise<LoginResult> {
    await this.limits.consume('resetConfirmAddress', await this.limits.addressKey(origin.ip));
    const center = await this.centers.bySlug(dto.center);
    this.passwords.check(dto.password);
    const tokenHash = hashToken(dto.token);
    const gone = () => errors.notFound('The reset link');
    if (!(await this.repo.findLive(center.id, tokenHash, this.clock.now()))) throw gone();
    const passwordHash = await this.passwords.hash(dto.password);
    const account = await this.tx.run(async () => {
      const reset = await this.repo.findLive(center.id, tokenHash, this.clock.now());
      if (!reset || !(await this.repo.consume(center.id, tokenHash, this.clock.now()))) throw gone();
      const found = await this.accounts.findById(center.id, reset.accountId);
      // an account deactivated or deleted since the link was sent: as if the link did not exist
      if (!found || !(await this.accounts.setActivePasswordHash(center.id, found.id, passwordHash))) throw gone();
      await this.repo.deleteByAccount(center.id, found.id);
      // the token rows go in this transaction; the revocation is published once it committed
      await this.tokens.revokeSubject(center.id, found.id);
      return found;
    });
    const token = await this.tokens.issue({ subjectId: account.id, role: account.role, centerId: center.id }, SESSION_TTL_MS);
    return { token, account: toView(account) };
  }

  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onAccountDeleting(event: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteByAccount(event.centerId, event.accountId);
  }

  @Cron(CronExpression.EVERY_HOUR)
  async sweepExpired(): Promise<void> {
    await this.repo.deleteExpired(this.clock.now());
  }

  private async deliver(slug: string, login: string): Promise<void> {
    const center = await this.centers.bySlug(slug).catch(() => null);
    const account = center ? await this.accounts.findByLogin(center.id, login) : null;
    // invited, deactivated and deleted accounts get no link (the answer was the same 202 anyway)
    if (!center || !account || account.status !== 'active') return;
    // staff log in with their email; a client only with a confirmed contact address gets mail
    const to = account.role === 'client' ? await this.accounts.contactEmail(account) : account.login;
    if (!to) return;
    const token = this.ids.token(32);
    const now = this.clock.now();
    await this.repo.insert({
      tokenHash: hashToken(token),
      centerId: center.id,
      accountId: account.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + RESET_TTL_MS),
    });
    const link = `${this.config.publicUrl}/c/${encodeURIComponent(center.slug)}/reset#token=${token}`;
    await this.mail.send({
      to,
      subject: `${center.name}: Neues Passwort festlegen`,
      text:
        `Hallo,\n\nfür Ihr Konto bei ${center.name} wurde ein neues Passwort angefordert. Über diesen Link legen Sie es fest:\n${link}\n\n` +
        `Der Link gilt eine Stunde und nur einmal. Mit dem neuen Passwort werden alle bisherigen Anmeldungen beendet.\n\n` +
        `Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail einfach. Ihr Passwort bleibt dann, wie es ist.\n`,
    });
  }
}
