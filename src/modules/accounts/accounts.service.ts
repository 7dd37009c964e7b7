import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { createHash, randomBytes } from 'node:crypto';
import { AuthContext, requireRole } from '../../common/auth-context';
import { ACCOUNT_DELETING, emitEvent } from '../../common/events';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { ErasureService } from '../../infra/database/erasure.service';
import { Transactions } from '../../infra/database/transactions';
import { MailService } from '../../infra/mail/mail.service';
import { RateLimitService } from '../../infra/redis/rate-limit.service';
import { hasInvisible, lookAlikeKey, normalizeLogin, stripBidiControls } from '../../common/names';
import type { AccountView } from '../../realtime/contract';
import { CryptoService } from '../crypto/crypto.service';
import { Account, AccountRole, AccountStatus } from './account.entity';
import { AccountsRepository } from './accounts.repository';
import { PasswordService } from './password.service';

export const USERNAME_RE = /^[\p{L}\p{N}._-]{3,40}$/u;
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;

/** A double-opt-in link works this long, and once (a new one can be asked for with the old one). */
export const EMAIL_CONFIRM_TTL_MS = 48 * 60 * 60 * 1000;

/** A fresh double-opt-in link for a client's contact address (the token goes into the mail only). */
export interface EmailConfirmation {
  email: string;
  token: string;
}

export const toView = (a: Account): AccountView => ({ id: a.id, role: a.role, displayName: a.displayName });

/** Accounts of one center: staff (email login) and clients (pseudonym login). */
@Injectable()
export class AccountsService {
  constructor(
    private readonly repo: AccountsRepository,
    private readonly passwords: PasswordService,
    private readonly crypto: CryptoService,
    private readonly events: EventEmitter2,
    private readonly mail: MailService,
    private readonly limits: RateLimitService,
    private readonly erasure: ErasureService,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** Creates a staff account; a password left out is generated and returned once. */
  async createStaff(
    centerId: string,
    input: { email: string; displayName: string; role: 'admin' | 'counselor'; password?: string },
  ): Promise<{ account: Account; password: string }> {
    const { email, displayName } = this.checkStaffInput(input);
    const password = input.password ?? generatePassword();
    const account = this.build(centerId, input.role, email, displayName, await this.passwords.hash(password));
    if (!(await this.repo.insert(account))) throw errors.conflict('An account with this email exists already in this center.');
    return { account, password };
  }

  /** Validates staff input without writing (the CLI checks before it creates a center). */
  checkStaffInput(input: { email: string; displayName: string; password?: string }): { email: string; displayName: string } {
    const email = normalizeLogin(input.email);
    if (!EMAIL_RE.test(email) || email.length > 254 || hasInvisible(email)) throw errors.validation('The email address is not valid.', ['email']);
    const displayName = stripBidiControls(input.displayName).trim();
    if (displayName.length < 1 || displayName.length > 120) throw errors.validation('The display name must have 1–120 characters.', ['name']);
    if (hasInvisible(displayName)) throw errors.validation('The display name may not contain control or invisible characters.', ['name']);
    if (input.password !== undefined) this.passwords.check(input.password);
    return { email, displayName };
  }

  async registerClient(
    centerId: string,
    input: { username: string; password: string; email?: string },
  ): Promise<{ account: Account; confirmToken: string | null }> {
    const username = input.username.trim().normalize('NFC');
    // Hangul fillers are letters (Lo) to the pattern, but render as nothing
    if (!USERNAME_RE.test(username) || hasInvisible(username))
      throw errors.validation('The pseudonym must have 3–40 letters, digits, dots, hyphens or underscores.', ['username']);
    const login = normalizeLogin(username);
    const nameKey = lookAlikeKey(username);
    if (login.length > 160 || nameKey.length < 1 || nameKey.length > 160)
      throw errors.validation('The pseudonym must have 3–40 letters, digits, dots, hyphens or underscores.', ['username']);
    if ((await this.staffDisplayNames(centerId)).some((n) => lookAlikeKey(n) === nameKey))
      throw errors.validation('This pseudonym could be mistaken for the center staff. Please choose another one.', ['username']);
    this.passwords.check(input.password);
    const account = this.build(centerId, 'client', login, username, await this.passwords.hash(input.password));
    account.nameKey = nameKey;
    let confirmToken: string | null = null;
    if (input.email !== undefined) {
      // a contact address, not a login: folding could change where mail goes (ß is not ss there)
      const email = input.email.trim().toLowerCase();
      if (!EMAIL_RE.test(email) || hasInvisible(email)) throw errors.validation('The email address is not valid.', ['email']);
      confirmToken = randomBytes(24).toString('base64url');
      account.emailEnc = await this.crypto.encrypt(this.emailCtx(account), email);
      account.emailConfirmHash = sha256(confirmToken);
      account.emailConfirmExpiresAt = new Date(this.clock.now().getTime() + EMAIL_CONFIRM_TTL_MS);
    }
    if (!(await this.repo.insert(account))) throw errors.conflict('This pseudonym is taken. Please choose another one.');
    return { account, confirmToken };
  }

  findByLogin(centerId: string, login: string): Promise<Account | null> {
    return this.repo.findByLogin(centerId, normalizeLogin(login));
  }

  findById(centerId: string, id: string): Promise<Account | null> {
    return this.repo.findById(centerId, id);
  }

  findManyByIds(centerId: string, ids: string[]): Promise<Account[]> {
    return this.repo.findManyByIds(centerId, ids);
  }

  /** null unless the account exists and is active: a deactivated account's tokens resolve to nobody. */
  async displayName(centerId: string, id: string): Promise<string | null> {
    const account = await this.repo.findById(centerId, id);
    return account && account.status === 'active' ? account.displayName : null;
  }

  /** Staff see the clients of their center (to add them to rooms); nobody else lists accounts. */
  async listClients(auth: AuthContext): Promise<AccountView[]> {
    requireRole(auth, 'counselor', 'admin');
    return (await this.repo.listByRole(auth.centerId, ['client'])).map(toView);
  }

  async listStaff(auth: AuthContext): Promise<AccountView[]> {
    requireRole(auth, 'counselor', 'admin');
    return (await this.repo.listByRole(auth.centerId, ['admin', 'counselor'])).filter((a) => a.status === 'active').map(toView);
  }

  /**
   * A staff member renames themselves (issue 13, `PATCH /api/accounts/me`): the same rules as at
   * creation; only while the account is active. Returns the stored form.
   */
  async setStaffDisplayName(centerId: string, id: string, input: string): Promise<string> {
    const displayName = stripBidiControls(input).trim();
    if (displayName.length < 1 || displayName.length > 120) throw errors.validation('The display name must have 1–120 characters.', ['displayName']);
    if (hasInvisible(displayName)) throw errors.validation('The display name may not contain control or invisible characters.', ['displayName']);
    if (!(await this.repo.transition(centerId, id, ['active'], { displayName }))) throw errors.notFound('The account');
    return displayName;
  }

  /** Display names of the center's staff (topic chats refuse nicknames that impersonate them). */
  async staffDisplayNames(centerId: string): Promise<string[]> {
    return (await this.repo.listByRole(centerId, ['admin', 'counselor'])).map((a) => a.displayName);
  }

  /** Checks a new password against the rules and hashes it (`setActivePasswordHash` stores it). */
  async hashNewPassword(password: string): Promise<string> {
    this.passwords.check(password, 'newPassword');
    return this.passwords.hash(password);
  }

  /**
   * Stores a hash made by PasswordService.hash (a caller inside a transaction hashes before it opens),
   * only while the account is active (a conditional update); true when it was set.
   */
  setActivePasswordHash(centerId: string, id: string, passwordHash: string): Promise<boolean> {
    return this.repo.transition(centerId, id, ['active'], { passwordHash });
  }

  /** A successful login: unused accounts (retention) are measured from the last one. */
  async recordLogin(centerId: string, id: string): Promise<void> {
    await this.repo.update(centerId, id, { lastLoginAt: this.clock.now() });
  }

  /** false for an unknown, used or expired link alike (and for one whose account is no longer active). */
  async confirmEmail(centerId: string, token: string): Promise<boolean> {
    const now = this.clock.now();
    const account = await this.repo.findByConfirmHash(centerId, sha256(token));
    if (!account || account.status !== 'active' || !account.emailConfirmExpiresAt || account.emailConfirmExpiresAt <= now) return false;
    // conditional on the hash: two tabs with the same link confirm once
    return this.repo.useConfirmHash(centerId, account.id, account.emailConfirmHash!, now);
  }

  /**
   * A new double-opt-in link in place of a pending one (expired or not): the old link stops working.
   * Null when the token is unknown or used, or its account is no longer an active client with an
   * unconfirmed address: the caller answers alike either way.
   */
  async renewEmailConfirmation(centerId: string, oldToken: string): Promise<EmailConfirmation | null> {
    const account = await this.repo.findByConfirmHash(centerId, sha256(oldToken));
    if (!account || account.role !== 'client' || account.status !== 'active' || !account.emailEnc || account.emailConfirmedAt) return null;
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + EMAIL_CONFIRM_TTL_MS);
    if (!(await this.repo.replaceConfirmHash(centerId, account.id, account.emailConfirmHash!, sha256(token), expiresAt))) return null;
    return { email: await this.crypto.decrypt(this.emailCtx(account), account.emailEnc), token };
  }

  /**
   * Every address a mail of this center may have gone to: the staff's login emails and the clients'
   * contact emails (confirmed or not), decrypted. For center deletion, before the keys are gone.
   */
  async mailAddressesOfCenter(centerId: string): Promise<string[]> {
    const out: string[] = [];
    for (const a of await this.repo.listByRole(centerId, ['admin', 'counselor', 'client'])) {
      if (a.role !== 'client') out.push(a.login);
      else if (a.emailEnc) out.push(await this.crypto.decrypt(this.emailCtx(a), a.emailEnc));
    }
    return out;
  }

  /** Once a center's rows are deleted: the mails to its addresses out of the local outbox, the deleted pages out of SQLite's WAL. */
  async afterCenterDeleted(addresses: string[]): Promise<number> {
    let mails = 0;
    for (const address of addresses) mails += this.mail.forgetAddress(address);
    await this.erasure.flushDeleted();
    return mails;
  }

  /** The confirmed contact email of a client, decrypted, or null. */
  async contactEmail(account: Account): Promise<string | null> {
    if (!account.emailEnc || !account.emailConfirmedAt) return null;
    return this.crypto.decrypt(this.emailCtx(account), account.emailEnc);
  }

  /**
   * Deletes an account and, through ACCOUNT_DELETING, everything that belongs to it (its 1:1 rooms,
   * its messages, memberships, nicknames and keys), then the account row and its key: all in one
   * transaction, so a failing write leaves the account whole. Once committed: the mails to its
   * address in the local outbox, its Redis counters, and the deleted pages out of SQLite's WAL
   * (docs/security.md). Joins the caller's transaction (the deletion of one's own account revokes
   * the tokens in it too).
   */
  async delete(centerId: string, id: string): Promise<void> {
    await this.tx.run(async () => {
      const account = await this.repo.findById(centerId, id);
      // confirmed or not: the address was written into a confirmation mail
      const email = account?.emailEnc ? await this.crypto.decrypt(this.emailCtx(account), account.emailEnc) : null;
      await emitEvent(this.events, ACCOUNT_DELETING, { centerId, accountId: id });
      await this.repo.delete(centerId, id);
      await this.crypto.destroyAccountKey(centerId, id);
      await this.tx.afterCommit(async () => {
        if (email) this.mail.forgetAddress(email);
        await this.limits.reset('accountMessages', id);
        await this.erasure.flushDeleted();
      });
    });
  }

  // ---- staff lifecycle (the admin's staff page) ------------------------------------------------

  /**
   * Creates an invited staff account: no usable password until the invitation (returned once,
   * stored as SHA-256) is accepted within `ttlMs`.
   */
  async inviteStaff(
    centerId: string,
    input: { email: string; displayName: string; role: 'admin' | 'counselor' },
    ttlMs: number,
  ): Promise<{ account: Account; token: string }> {
    const { email, displayName } = this.checkStaffInput(input);
    const token = randomBytes(32).toString('base64url');
    // a hash of a random secret nobody knows: verify() never matches it, the status refuses login anyway
    const account = this.build(centerId, input.role, email, displayName, await this.passwords.hash(randomBytes(32).toString('base64url')));
    Object.assign(account, { status: 'invited', invitationHash: sha256(token), invitationExpiresAt: new Date(this.clock.now().getTime() + ttlMs) });
    if (!(await this.repo.insert(account))) throw errors.conflict('An account with this email exists already in this center.');
    return { account, token };
  }

  /** Sets the password of an invited account and consumes the invitation; null for an unknown, used or expired one. */
  async acceptInvitation(centerId: string, token: string, password: string): Promise<Account | null> {
    const hash = sha256(token);
    const account = await this.repo.findPendingInvitation(centerId, hash, this.clock.now());
    if (!account) return null;
    // a weak password consumes nothing
    this.passwords.check(password);
    const patch = { status: 'active' as const, passwordHash: await this.passwords.hash(password), invitationHash: null, invitationExpiresAt: null };
    // the conditional update decides a race between two tabs with the same link
    if (!(await this.repo.transition(centerId, account.id, ['invited'], patch, hash))) return null;
    return Object.assign(account, patch);
  }

  listStaffAccounts(centerId: string): Promise<Account[]> {
    return this.repo.listStaff(centerId);
  }

  listClientAccounts(centerId: string): Promise<Account[]> {
    return this.repo.listByRole(centerId, ['client']);
  }

  countActiveAdmins(centerId: string): Promise<number> {
    return this.repo.countByRoleAndStatus(centerId, 'admin', 'active');
  }

  countActiveAdminsExcept(centerId: string, exceptId: string): Promise<number> {
    return this.repo.countActiveAdminsExcept(centerId, exceptId);
  }

  /** Conditional status change (see AccountsRepository.transition); true when this call changed it. */
  changeStatus(centerId: string, id: string, from: AccountStatus[], to: AccountStatus): Promise<boolean> {
    const patch: Partial<Account> = { status: to, deactivatedAt: to === 'deactivated' ? this.clock.now() : null };
    if (to === 'deleted') Object.assign(patch, { login: `deleted:${id}`, passwordHash: '', invitationHash: null, invitationExpiresAt: null });
    return this.repo.transition(centerId, id, from, patch);
  }

  private build(centerId: string, role: AccountRole, login: string, displayName: string, passwordHash: string): Account {
    return Object.assign(new Account(), {
      id: this.ids.uuid(),
      centerId,
      role,
      login,
      nameKey: null,
      displayName,
      passwordHash,
      emailEnc: null,
      emailConfirmedAt: null,
      emailConfirmHash: null,
      emailConfirmExpiresAt: null,
      status: 'active',
      deactivatedAt: null,
      invitationHash: null,
      invitationExpiresAt: null,
      lastLoginAt: null,
      createdAt: this.clock.now(),
    });
  }

  private emailCtx(account: Pick<Account, 'centerId' | 'id'>) {
    return { centerId: account.centerId, accountId: account.id, table: 'accounts', column: 'email_enc', rowId: account.id };
  }
}

export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
