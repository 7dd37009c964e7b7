import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { ACCOUNT_DELETING, AccountDeletingEvent, STAFF_ACCOUNT_RETIRING } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { CANNED_LIMITS, type CannedResponseView } from '../../realtime/contract';
import { CryptoService } from '../crypto/crypto.service';
import { CannedResponse } from './canned-response.entity';
import { CannedResponsesRepository } from './canned-responses.repository';
import { CreateCannedResponseDto, UpdateCannedResponseDto } from './dto/canned-response.dto';

/** Encrypted with the owner's own key (`account:<id>`): destroyed with the account, unreadable in backups then. */
const ctx = (row: Pick<CannedResponse, 'centerId' | 'ownerId' | 'id'>, column: 'title_enc' | 'body_enc') => ({
  centerId: row.centerId,
  accountId: row.ownerId,
  table: 'canned_responses',
  column,
  rowId: row.id,
});

/** A staff member's own canned responses: only the owner reads, changes or deletes them. */
@Injectable()
export class CannedResponsesService {
  constructor(
    private readonly repo: CannedResponsesRepository,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  async list(auth: AuthContext): Promise<CannedResponseView[]> {
    requireRole(auth, 'counselor', 'admin');
    const rows = await this.repo.listOf(auth.centerId, auth.subjectId);
    return Promise.all(rows.map((r) => this.view(r)));
  }

  async create(auth: AuthContext, dto: CreateCannedResponseDto): Promise<CannedResponseView> {
    requireRole(auth, 'counselor', 'admin');
    const title = clean(dto.title, 'title');
    const body = clean(dto.body, 'body');
    // count and insert in one transaction (on SQLite these run one after another)
    return this.tx.run(async () => {
      if ((await this.repo.countOf(auth.centerId, auth.subjectId)) >= CANNED_LIMITS.perCounselor) {
        throw errors.conflict(`You have ${CANNED_LIMITS.perCounselor} canned responses already; delete one before you add another.`);
      }
      const now = this.clock.now();
      const row = Object.assign(new CannedResponse(), {
        id: this.ids.uuid(),
        centerId: auth.centerId,
        ownerId: auth.subjectId,
        createdAt: now,
        updatedAt: now,
      });
      row.titleEnc = await this.crypto.encrypt(ctx(row, 'title_enc'), title);
      row.bodyEnc = await this.crypto.encrypt(ctx(row, 'body_enc'), body);
      await this.repo.insert(row);
      return { id: row.id, title, body, createdAt: now.toISOString(), updatedAt: now.toISOString() };
    });
  }

  async update(auth: AuthContext, id: string, dto: UpdateCannedResponseDto): Promise<CannedResponseView> {
    requireRole(auth, 'counselor', 'admin');
    const row = await this.owned(auth, id);
    const patch: Partial<CannedResponse> = { updatedAt: this.clock.now() };
    if (dto.title !== undefined) patch.titleEnc = await this.crypto.encrypt(ctx(row, 'title_enc'), clean(dto.title, 'title'));
    if (dto.body !== undefined) patch.bodyEnc = await this.crypto.encrypt(ctx(row, 'body_enc'), clean(dto.body, 'body'));
    await this.repo.update(auth.centerId, auth.subjectId, row.id, patch);
    return this.view({ ...row, ...patch });
  }

  async delete(auth: AuthContext, id: string): Promise<void> {
    requireRole(auth, 'counselor', 'admin');
    if (!(await this.repo.delete(auth.centerId, auth.subjectId, id))) throw errors.notFound('The canned response');
  }

  /** A deleted account's canned responses go with it (its key is destroyed after this), a staff tombstone's too. */
  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onAccountDeleting(event: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteAllOf(event.centerId, event.accountId);
  }

  /** Another person's id answers exactly as one that does not exist. */
  private async owned(auth: AuthContext, id: string): Promise<CannedResponse> {
    const row = await this.repo.find(auth.centerId, auth.subjectId, id);
    if (!row) throw errors.notFound('The canned response');
    return row;
  }

  private async view(r: CannedResponse): Promise<CannedResponseView> {
    return {
      id: r.id,
      title: await this.crypto.decrypt(ctx(r, 'title_enc'), r.titleEnc),
      body: await this.crypto.decrypt(ctx(r, 'body_enc'), r.bodyEnc),
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}

function clean(value: string, field: 'title' | 'body'): string {
  const v = value.trim();
  if (!v) throw errors.validation(`The ${field} may not be empty.`, [field]);
  return v;
}
