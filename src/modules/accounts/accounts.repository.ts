import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThan, Not, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { Account, AccountRole, AccountStatus } from './account.entity';

@Injectable()
export class AccountsRepository {
  constructor(
    @InjectRepository(Account) private readonly accounts: Repository<Account>,
    private readonly tx: Transactions,
  ) {}

  /** Inside `Transactions.run` (an account's deletion) the open transaction's repository. */
  private get repo(): Repository<Account> {
    return this.tx.bind(this.accounts);
  }

  findByLogin(centerId: string, login: string): Promise<Account | null> {
    return this.repo.findOneBy({ centerId, login });
  }

  async findById(centerId: string, id: string): Promise<Account | null> {
    return isUuid(id) ? this.repo.findOneBy({ centerId, id }) : null;
  }

  async findManyByIds(centerId: string, ids: string[]): Promise<Account[]> {
    const valid = ids.filter(isUuid);
    return valid.length === 0 ? [] : this.repo.findBy({ centerId, id: In(valid) });
  }

  listByRole(centerId: string, roles: AccountRole[]): Promise<Account[]> {
    return this.repo.find({ where: { centerId, role: In(roles) }, order: { displayName: 'ASC' } });
  }

  findByConfirmHash(centerId: string, hash: string): Promise<Account | null> {
    return this.repo.findOneBy({ centerId, emailConfirmHash: hash });
  }

  /** Uses the pending link `hash` up (false: another request used or replaced it first). */
  async useConfirmHash(centerId: string, id: string, hash: string, now: Date): Promise<boolean> {
    const result = await this.repo.update(
      { centerId, id, emailConfirmHash: hash },
      { emailConfirmHash: null, emailConfirmExpiresAt: null, emailConfirmedAt: now },
    );
    return result.affected === 1;
  }

  /** Puts a new pending link in place of `hash` (false: it was used or replaced meanwhile). */
  async replaceConfirmHash(centerId: string, id: string, hash: string, newHash: string, expiresAt: Date): Promise<boolean> {
    const result = await this.repo.update({ centerId, id, emailConfirmHash: hash }, { emailConfirmHash: newHash, emailConfirmExpiresAt: expiresAt });
    return result.affected === 1;
  }

  /** false when the login is taken (the unique index decides, not a prior read). */
  async insert(account: Account): Promise<boolean> {
    const result = await this.repo.createQueryBuilder().insert().into(Account).values(account).orIgnore().execute();
    const affected = (result.raw as { affectedRows?: number; changes?: number } | undefined) ?? {};
    if (typeof affected.affectedRows === 'number') return affected.affectedRows === 1;
    if (typeof affected.changes === 'number') return affected.changes === 1;
    return (await this.findById(account.centerId, account.id)) !== null;
  }

  async update(centerId: string, id: string, patch: Partial<Account>): Promise<void> {
    await this.repo.update({ centerId, id }, patch);
  }

  async delete(centerId: string, id: string): Promise<void> {
    await this.repo.delete({ centerId, id });
  }

  /** The center's staff that still exist (deleted ones stay only as names in the rooms' history). */
  listStaff(centerId: string): Promise<Account[]> {
    return this.repo.find({ where: { centerId, role: In(['admin', 'counselor']), status: Not('deleted') }, order: { createdAt: 'ASC' } });
  }

  countByRoleAndStatus(centerId: string, role: AccountRole, status: AccountStatus): Promise<number> {
    return this.repo.countBy({ centerId, role, status });
  }

  /** The center's active admins other than `exceptId`. */
  countActiveAdminsExcept(centerId: string, exceptId: string): Promise<number> {
    return this.repo.countBy({ centerId, role: 'admin', status: 'active', id: Not(exceptId) });
  }

  /** A pending invitation that has not expired (scoped by the center the link names). */
  findPendingInvitation(centerId: string, hash: string, now: Date): Promise<Account | null> {
    return this.repo.findOneBy({ centerId, invitationHash: hash, status: 'invited', invitationExpiresAt: MoreThan(now) });
  }

  /**
   * A conditional update: applies `patch` only while the account has one of the `from` statuses
   * (and, if given, still holds the invitation `hash`). true when this call changed the row.
   */
  async transition(centerId: string, id: string, from: AccountStatus[], patch: Partial<Account>, hash?: string): Promise<boolean> {
    const result = await this.repo.update({ centerId, id, status: In(from), ...(hash ? { invitationHash: hash } : {}) }, patch);
    return result.affected === 1;
  }
}
