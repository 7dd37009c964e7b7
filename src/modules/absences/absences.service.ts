import { Injectable, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator, isUuid } from '../../common/clock';
import { errors } from '../../common/errors';
import { ACCOUNT_DELETING, AccountDeletingEvent, STAFF_ACCOUNT_RETIRING } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { ABSENCE_LIMITS, type AbsenceListItem, type AbsenceView } from '../../realtime/contract';
import { AccountsService } from '../accounts/accounts.service';
import { CryptoService } from '../crypto/crypto.service';
import { ThreadPorts } from '../threads/thread-ports';
import { ActiveAbsence, THREAD_ABSENCE, ThreadAbsence } from '../threads/thread-absence.port';
import { ThreadsService } from '../threads/threads.service';
import { Absence } from './absence.entity';
import { AbsencesRepository } from './absences.repository';
import { CenterNoticeDto, SetAbsenceDto } from './dto/absence.dto';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The text is encrypted with the counselor's own key: gone with their account. */
const ctx = (row: Pick<Absence, 'centerId' | 'counselorId' | 'id'>) => ({
  centerId: row.centerId,
  accountId: row.counselorId,
  table: 'absences',
  column: 'text_enc',
  rowId: row.id,
});

/**
 * The absence assistant: a counselor's own absence (one at a time; setting one replaces it), the
 * admin's list of who is away now or next, the admin's notice in a thread while its counselor is
 * away, and `activeFor` (the THREAD_ABSENCE port), which the threads side asks before it mails a
 * counselor or shows a thread (the injected clock decides "now").
 */
@Injectable()
export class AbsencesService implements ThreadAbsence, OnModuleInit {
  constructor(
    private readonly threads: ThreadsService,
    private readonly ports: ThreadPorts,
    private readonly repo: AbsencesRepository,
    private readonly accounts: AccountsService,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  onModuleInit(): void {
    this.ports.register(THREAD_ABSENCE, this);
  }

  async mine(auth: AuthContext): Promise<{ absence: AbsenceView | null }> {
    requireRole(auth, 'counselor', 'admin');
    const row = await this.repo.findOf(auth.centerId, auth.subjectId);
    const now = this.clock.now();
    // an ended absence is no absence any more (the retention sweep removes the row)
    return { absence: row && row.endsAt > now ? await this.view(row, now) : null };
  }

  async set(auth: AuthContext, dto: SetAbsenceDto): Promise<{ absence: AbsenceView }> {
    requireRole(auth, 'counselor', 'admin');
    const now = this.clock.now();
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (endsAt <= startsAt) throw errors.validation('The absence must end after it begins.', ['endsAt']);
    if (endsAt <= now) throw errors.validation('The end of the absence lies in the past.', ['endsAt']);
    if (endsAt.getTime() - startsAt.getTime() > ABSENCE_LIMITS.maxDays * DAY_MS)
      throw errors.validation(`An absence lasts at most ${ABSENCE_LIMITS.maxDays} days.`, ['endsAt']);
    const text = dto.text.trim();
    if (!text) throw errors.validation('The text may not be empty.', ['text']);
    const row = Object.assign(new Absence(), {
      id: this.ids.uuid(),
      centerId: auth.centerId,
      counselorId: auth.subjectId,
      startsAt,
      endsAt,
      createdAt: now,
    });
    try {
      await this.upsert(row, text);
    } catch (err) {
      // two tabs at once: the unique index let one insert win; the other replaces its values
      if (!isUniqueViolation(err)) throw err;
      await this.upsert(row, text);
    }
    const stored = await this.repo.findOf(auth.centerId, auth.subjectId);
    if (!stored) throw errors.notFound('The absence');
    return { absence: await this.view(stored, now) };
  }

  async clear(auth: AuthContext): Promise<void> {
    requireRole(auth, 'counselor', 'admin');
    await this.repo.deleteOf(auth.centerId, auth.subjectId);
  }

  /** The admin's overview: every absence that runs now or lies ahead, the soonest first. */
  async list(auth: AuthContext): Promise<AbsenceListItem[]> {
    requireRole(auth, 'admin');
    const now = this.clock.now();
    const rows = await this.repo.listNotEnded(auth.centerId, now);
    const names = new Map(
      (
        await this.accounts.findManyByIds(
          auth.centerId,
          rows.map((r) => r.counselorId),
        )
      ).map((a) => [a.id, a.status === 'deleted' ? null : a.displayName]),
    );
    const items: AbsenceListItem[] = [];
    for (const r of rows) {
      const displayName = names.get(r.counselorId);
      if (!displayName) continue;
      items.push({ counselor: { id: r.counselorId, displayName }, ...(await this.view(r, now)) });
    }
    return items;
  }

  /** The counselor's absence that runs now, or null (the threads' notifier and thread view ask this). */
  async activeFor(centerId: string, counselorId: string): Promise<ActiveAbsence | null> {
    const row = await this.repo.findActive(centerId, counselorId, this.clock.now());
    if (!row) return null;
    return { until: row.endsAt, text: await this.crypto.decrypt(ctx(row), row.textEnc) };
  }

  /**
   * The admin answers in a thread while its counselor is absent: a `center_notice` post (shown as
   * from the center, not as counseling); the admin still reads no posts. Anyone but the center's
   * admin: NOT_FOUND; no absence running (or no counselor): CONFLICT.
   */
  async postNotice(auth: AuthContext, threadId: string, dto: CenterNoticeDto): Promise<{ id: string; seq: number }> {
    if (auth.role !== 'admin') throw errors.notFound('The thread');
    const thread = isUuid(threadId) ? await this.threads.findThread(auth.centerId, threadId) : null;
    if (!thread) throw errors.notFound('The thread');
    const body = dto.body.trim();
    if (!body) throw errors.validation('The notice may not be empty.', ['body']);
    if (thread.status !== 'open' || !thread.counselorId || !(await this.activeFor(auth.centerId, thread.counselorId))) {
      throw errors.conflict('The center can answer in a thread only while its counselor is absent.');
    }
    const { id, seq } = await this.threads.appendPost({
      thread,
      senderId: auth.subjectId,
      senderRole: 'admin',
      kind: 'center_notice',
      body,
      clientPostId: dto.clientPostId ?? null,
    });
    return { id, seq };
  }

  /** Ended absences of a center go (the retention sweep calls this under its lease). */
  deleteEnded(centerId: string, at: Date): Promise<number> {
    return this.repo.deleteEnded(centerId, at);
  }

  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onAccountDeleting(event: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteOf(event.centerId, event.accountId);
  }

  /** Replaces the counselor's absence, or inserts the first one; the text under the row id that keeps it. */
  private async upsert(row: Absence, text: string): Promise<void> {
    await this.tx.run(async () => {
      const existing = await this.repo.findOf(row.centerId, row.counselorId);
      if (existing) {
        const textEnc = await this.crypto.encrypt(ctx(existing), text);
        await this.repo.replace(row.centerId, row.counselorId, { startsAt: row.startsAt, endsAt: row.endsAt, textEnc });
      } else {
        await this.repo.insert(Object.assign(row, { textEnc: await this.crypto.encrypt(ctx(row), text) }));
      }
    });
  }

  private async view(r: Absence, now: Date): Promise<AbsenceView> {
    return {
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      text: await this.crypto.decrypt(ctx(r), r.textEnc),
      active: r.startsAt <= now && now < r.endsAt,
    };
  }
}
