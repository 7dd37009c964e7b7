import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../../common/clock';
import { ACCOUNT_DELETING, AccountDeletingEvent, STAFF_ACCOUNT_RETIRING } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { APPOINTMENT_LIMITS } from '../../realtime/contract';
import { CentersService } from '../centers/centers.service';
import { AppointmentNotifier } from './appointment-notifier.service';
import { AppointmentsRepository } from './appointments.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Every node sweeps this often; the deletes are idempotent, so nodes need no lease. */
export const APPOINTMENT_SWEEP_MS = 10 * 60 * 1000;

/**
 * What goes when: an account's appointments with the account (a client's booked future slots are
 * offered again; a counselor's slots go too, and their clients with a future appointment get a
 * cancellation mail), past appointments 30 days after their end (the statistics counted them at
 * booking), and free slots once they have ended.
 */
@Injectable()
export class AppointmentErasureService {
  private readonly logger = new Logger(AppointmentErasureService.name);

  constructor(
    private readonly repo: AppointmentsRepository,
    private readonly centers: CentersService,
    private readonly notifier: AppointmentNotifier,
    private readonly clock: Clock,
    private readonly tx: Transactions,
  ) {}

  /** Runs inside the deletion's transaction (ACCOUNT_DELETING / STAFF_ACCOUNT_RETIRING are awaited there). */
  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onAccountGone(e: AccountDeletingEvent): Promise<void> {
    const now = this.clock.now();
    const rows = await this.repo.listNaming(e.centerId, e.accountId);
    const pending = rows.filter((r) => r.status === 'booked' && r.endsAt > now);
    // the other side of each pending appointment hears of it (addresses read now, the mail after the commit)
    const told: { appointmentId: string; accountId: string; address: string | null }[] = [];
    for (const r of pending) {
      const other = r.clientId === e.accountId ? r.counselorId : r.clientId;
      told.push({ appointmentId: r.id, accountId: other, address: await this.notifier.addressOf(e.centerId, other) });
      if (r.clientId === e.accountId) await this.repo.freeSlotIfAhead(e.centerId, r.slotId, now);
    }
    await this.repo.deleteAppointments(
      e.centerId,
      rows.map((r) => r.id),
    );
    await this.repo.deleteSlotsOf(e.centerId, e.accountId);
    await this.tx.afterCommit(async () => {
      for (const t of told) this.notifier.push(t.appointmentId, [t.accountId]);
      await this.notifier.mailTo(
        e.centerId,
        told.map((t) => t.address),
        'cancelled',
      );
    });
  }

  @Interval(APPOINTMENT_SWEEP_MS)
  async sweepAll(): Promise<void> {
    try {
      for (const centerId of await this.centers.allIds()) await this.sweep(centerId, this.clock.now());
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'the appointment sweep failed');
    }
  }

  /** One center's sweep at `now`; returns how many rows went. */
  async sweep(centerId: string, now: Date): Promise<number> {
    const ended = await this.repo.deleteEndedBefore(centerId, new Date(now.getTime() - APPOINTMENT_LIMITS.keepDays * DAY_MS));
    return ended + (await this.repo.deleteEndedFreeSlots(centerId, now));
  }
}
