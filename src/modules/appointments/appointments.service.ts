import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuthContext, requireRole } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { errors } from '../../common/errors';
import { emitEvent, STAT_COUNTED } from '../../common/events';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { Transactions } from '../../infra/database/transactions';
import type { AppointmentView } from '../../realtime/contract';
import { AccountsService } from '../accounts/accounts.service';
import { CentersService } from '../centers/centers.service';
import { ClientCounselorsService } from '../client-counselors/client-counselors.service';
import { appointmentIcs } from './appointment-ics';
import { AppointmentNotifier } from './appointment-notifier.service';
import { AppointmentPorts } from './appointment-ports';
import { APPOINTMENT_VIDEO } from './appointment-video.port';
import { Appointment } from './appointment.entity';
import { AppointmentsRepository } from './appointments.repository';
import { BookSlotDto } from './dto/appointments.dto';

/**
 * Booking, the caller's appointments, cancelling by either side, and the .ics file. Booking is one
 * conditional update of the slot (free and ahead → booked) plus the appointment insert and the
 * client's counselor assignment, in one transaction; what follows the commit (statistics, video
 * room, pushes, mails) never undoes it.
 */
@Injectable()
export class AppointmentsService {
  private readonly logger = new Logger(AppointmentsService.name);

  constructor(
    private readonly repo: AppointmentsRepository,
    private readonly accounts: AccountsService,
    private readonly centers: CentersService,
    private readonly clientCounselors: ClientCounselorsService,
    private readonly notifier: AppointmentNotifier,
    private readonly ports: AppointmentPorts,
    private readonly events: EventEmitter2,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async book(auth: AuthContext, slotId: string, dto: BookSlotDto): Promise<{ appointmentId: string }> {
    requireRole(auth, 'client', { message: 'Only clients book appointments.' });
    const slot = await this.repo.findSlot(auth.centerId, slotId);
    const counselor = slot ? await this.accounts.findById(auth.centerId, slot.counselorId) : null;
    if (!slot || !counselor || counselor.status !== 'active') throw errors.notFound('The slot');
    if (!slot.forms.includes(dto.form)) throw errors.validation(`This slot offers: ${slot.forms.join(', ')}.`, ['form']);
    const now = this.clock.now();
    const row = Object.assign(new Appointment(), {
      id: this.ids.uuid(),
      centerId: auth.centerId,
      slotId: slot.id,
      counselorId: slot.counselorId,
      clientId: auth.subjectId,
      form: dto.form,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      status: 'booked' as const,
      cancelledBy: null,
      videoRoomId: null,
      createdAt: now,
    });
    await this.tx.run(async () => {
      if (!(await this.repo.claimSlot(auth.centerId, slot.id, now))) throw errors.conflict('This slot is taken or has begun already.');
      await this.repo.insertAppointment(row);
      await this.clientCounselors.assignIfNone(auth.centerId, auth.subjectId, slot.counselorId, 'booking');
    });
    void emitEvent(this.events, STAT_COUNTED, { centerId: auth.centerId, metric: `appointment.${dto.form}`, at: now });
    if (dto.form === 'video') await this.attachVideoRoom(row);
    this.notifier.push(row.id, [row.clientId, row.counselorId]);
    await this.notifier.mailTo(auth.centerId, [counselor.login], 'booked');
    return { appointmentId: row.id };
  }

  async list(auth: AuthContext): Promise<AppointmentView[]> {
    requireRole(auth, 'client', 'counselor');
    const side = auth.role === 'client' ? 'client' : 'counselor';
    const now = this.clock.now();
    // booked ones until the sweep; cancelled ones only until their end
    const rows = (await this.repo.listOf(auth.centerId, side, auth.subjectId)).filter((r) => r.status === 'booked' || r.endsAt > now);
    const people = [...new Set(rows.flatMap((r) => [r.counselorId, r.clientId]))];
    const names = new Map((await this.accounts.findManyByIds(auth.centerId, people)).map((a) => [a.id, a.displayName]));
    return rows.map((r) => ({
      id: r.id,
      startsAt: r.startsAt.toISOString(),
      endsAt: r.endsAt.toISOString(),
      form: r.form,
      status: r.status,
      cancelledBy: r.cancelledBy,
      counselor: { id: r.counselorId, displayName: names.get(r.counselorId) ?? '' },
      client: side === 'client' ? null : { id: r.clientId, displayName: names.get(r.clientId) ?? '' },
      videoRoomId: r.videoRoomId,
    }));
  }

  /** Either side cancels: the slot is offered again if it still lies ahead; the other side gets a mail and the push. */
  async cancel(auth: AuthContext, id: string): Promise<void> {
    const appt = await this.own(auth, id);
    const by = auth.role === 'client' ? 'client' : 'counselor';
    const now = this.clock.now();
    // what has taken place is not called off afterwards (the sweep removes it)
    if (appt.status === 'booked' && appt.endsAt <= now) throw errors.conflict('The appointment is over.');
    await this.tx.run(async () => {
      if (!(await this.repo.cancel(auth.centerId, appt.id, by))) throw errors.conflict('The appointment is cancelled already.');
      await this.repo.freeSlotIfAhead(auth.centerId, appt.slotId, now);
    });
    this.notifier.push(appt.id, [appt.clientId, appt.counselorId]);
    const other = by === 'client' ? appt.counselorId : appt.clientId;
    await this.notifier.mailTo(auth.centerId, [await this.notifier.addressOf(auth.centerId, other)], 'cancelled');
  }

  async ics(auth: AuthContext, id: string): Promise<string> {
    const appt = await this.own(auth, id);
    const center = await this.centers.byId(auth.centerId);
    return appointmentIcs({
      id: appt.id,
      uidHost: new URL(this.config.publicUrl).host,
      centerName: center.name,
      timeZone: center.timeZone,
      form: appt.form,
      status: appt.status,
      startsAt: appt.startsAt,
      endsAt: appt.endsAt,
      stamp: this.clock.now(),
      url: `${this.config.publicUrl}/c/${encodeURIComponent(center.slug)}/app/appointments`,
    });
  }

  /** The caller's own appointment (as its client or its counselor); anything else: NOT_FOUND. */
  private async own(auth: AuthContext, id: string): Promise<Appointment> {
    const appt = await this.repo.findAppointment(auth.centerId, id);
    const mine = appt && ((auth.role === 'client' && appt.clientId === auth.subjectId) || (auth.role === 'counselor' && appt.counselorId === auth.subjectId));
    if (!appt || !mine) throw errors.notFound('The appointment');
    return appt;
  }

  private async attachVideoRoom(row: Appointment): Promise<void> {
    try {
      const roomId = await this.ports.get(APPOINTMENT_VIDEO).roomFor(row.centerId, row.counselorId, row.clientId);
      if (roomId) {
        await this.repo.setVideoRoom(row.centerId, row.id, roomId);
        row.videoRoomId = roomId;
      }
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'no video room for a booked appointment');
    }
  }
}
