import { Injectable } from '@nestjs/common';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { Transactions } from '../../infra/database/transactions';
import { APPOINTMENT_FORMS, APPOINTMENT_LIMITS, type AppointmentForm, type FreeSlotView, type OwnSlotView, type SlotsCreated } from '../../realtime/contract';
import { AccountsService } from '../accounts/accounts.service';
import { CentersService } from '../centers/centers.service';
import { AppointmentsRepository } from './appointments.repository';
import { CreateSlotsDto } from './dto/appointments.dto';
import { describeSpan, weeklySeries } from './slot-series';
import { Slot } from './slot.entity';

const HOUR_MS = 60 * 60 * 1000;

/**
 * A counselor's slots: create (one, or a weekly series on the same local wall time in the center's
 * time zone), list their own, delete a free one; and the clients' list of free slots. Every check
 * runs before anything is stored: one failing slot of a series stores none.
 */
@Injectable()
export class SlotsService {
  constructor(
    private readonly repo: AppointmentsRepository,
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  async create(auth: AuthContext, dto: CreateSlotsDto): Promise<SlotsCreated> {
    requireRole(auth, 'counselor', { message: 'Only counselors offer appointment slots.' });
    const now = this.clock.now();
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (startsAt <= now) throw errors.validation('The slot must begin in the future.', ['startsAt']);
    checkLength(startsAt, endsAt);
    const forms = checkForms(dto.forms);
    const center = await this.centers.byId(auth.centerId);
    const times = weeklySeries(startsAt, endsAt, dto.weeks ?? 1, center.timeZone);
    for (const t of times) checkLength(t.startsAt, t.endsAt);
    const ids = times.map(() => this.ids.uuid());
    const seriesId = times.length > 1 ? ids[0]! : null;
    const rows = times.map((t, i) =>
      Object.assign(new Slot(), {
        id: ids[i]!,
        centerId: auth.centerId,
        counselorId: auth.subjectId,
        startsAt: t.startsAt,
        endsAt: t.endsAt,
        forms,
        seriesId,
        status: 'free' as const,
        createdAt: now,
      }),
    );
    await this.tx.run(async () => {
      // two requests of one counselor at once: the second sees the first's slots
      await this.centers.lock(auth.centerId);
      const existing = await this.repo.overlapping(auth.centerId, auth.subjectId, rows[0]!.startsAt, rows[rows.length - 1]!.endsAt);
      for (const r of rows) {
        const clash = existing.find((e) => e.startsAt < r.endsAt && e.endsAt > r.startsAt);
        if (clash)
          throw errors.conflict(
            `The slot ${describeSpan(r.startsAt, r.endsAt, center.timeZone)} overlaps your slot ${describeSpan(clash.startsAt, clash.endsAt, center.timeZone)}.`,
          );
      }
      await this.repo.insertSlots(rows);
    });
    return { id: ids[0]!, ids };
  }

  async listOwn(auth: AuthContext): Promise<OwnSlotView[]> {
    requireRole(auth, 'counselor');
    const rows = await this.repo.listOwnSlots(auth.centerId, auth.subjectId, this.clock.now());
    const booked = new Map(
      (
        await this.repo.bookedOfSlots(
          auth.centerId,
          rows.filter((r) => r.status === 'booked').map((r) => r.id),
        )
      ).map((a) => [a.slotId, a.id]),
    );
    return rows.map((r) => ({
      id: r.id,
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      forms: r.forms,
      status: r.status,
      appointmentId: booked.get(r.id) ?? null,
    }));
  }

  /** Its counselor deletes a free slot; a booked one stays (cancel the appointment first). */
  async delete(auth: AuthContext, id: string): Promise<void> {
    requireRole(auth, 'counselor');
    if (await this.repo.deleteFreeSlot(auth.centerId, auth.subjectId, id)) return;
    const slot = await this.repo.findSlot(auth.centerId, id);
    if (!slot || slot.counselorId !== auth.subjectId) throw errors.notFound('The slot');
    throw errors.conflict('The slot is booked: cancel the appointment first.');
  }

  /** The clients' view: free future slots of the center's active counselors, the soonest first. */
  async listFree(auth: AuthContext, counselorId?: string): Promise<FreeSlotView[]> {
    requireRole(auth, 'client', { message: 'Only clients book appointments.' });
    const counselors = (await this.accounts.listStaffAccounts(auth.centerId)).filter(
      (a) => a.role === 'counselor' && a.status === 'active' && (counselorId === undefined || a.id === counselorId),
    );
    const names = new Map(counselors.map((a) => [a.id, a.displayName]));
    const rows = await this.repo.listFreeSlots(auth.centerId, this.clock.now(), [...names.keys()], APPOINTMENT_LIMITS.freeListMax);
    return rows.map((r) => ({
      id: r.id,
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      forms: r.forms,
      counselor: { id: r.counselorId, displayName: names.get(r.counselorId) ?? '' },
    }));
  }
}

function checkLength(startsAt: Date, endsAt: Date): void {
  if (endsAt <= startsAt) throw errors.validation('The slot must end after it begins.', ['endsAt']);
  if (endsAt.getTime() - startsAt.getTime() > APPOINTMENT_LIMITS.maxHours * HOUR_MS)
    throw errors.validation(`A slot lasts at most ${APPOINTMENT_LIMITS.maxHours} hours.`, ['endsAt']);
}

function checkForms(forms: string[]): AppointmentForm[] {
  if (forms.length === 0) throw errors.validation('Name at least one form (video, chat, mail, phone).', ['forms']);
  const known = new Set<string>(APPOINTMENT_FORMS);
  const unknown = forms.filter((f) => !known.has(f));
  if (unknown.length > 0) throw errors.validation(`Unknown form: ${unknown.join(', ')} (allowed: ${APPOINTMENT_FORMS.join(', ')}).`, ['forms']);
  if (new Set(forms).size !== forms.length) throw errors.validation('A form is named twice.', ['forms']);
  return forms as AppointmentForm[];
}
