import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { Appointment } from './appointment.entity';
import { Slot } from './slot.entity';

/** Slots and appointments, always scoped by center. */
@Injectable()
export class AppointmentsRepository {
  constructor(
    @InjectRepository(Slot) private readonly slotsRaw: Repository<Slot>,
    @InjectRepository(Appointment) private readonly apptsRaw: Repository<Appointment>,
    private readonly tx: Transactions,
  ) {}

  private get slots(): Repository<Slot> {
    return this.tx.bind(this.slotsRaw);
  }

  private get appts(): Repository<Appointment> {
    return this.tx.bind(this.apptsRaw);
  }

  // ---- slots -------------------------------------------------------------------------------------

  async findSlot(centerId: string, id: string): Promise<Slot | null> {
    return isUuid(id) ? this.slots.findOneBy({ centerId, id }) : null;
  }

  /** The counselor's slots (free or booked) that overlap [from, to). */
  overlapping(centerId: string, counselorId: string, from: Date, to: Date): Promise<Slot[]> {
    return this.slots.find({ where: { centerId, counselorId, startsAt: LessThan(to), endsAt: MoreThan(from) }, order: { startsAt: 'ASC' } });
  }

  async insertSlots(rows: Slot[]): Promise<void> {
    await this.slots.insert(rows);
  }

  /** The counselor's slots that have not ended at `now`, the soonest first. */
  listOwnSlots(centerId: string, counselorId: string, now: Date): Promise<Slot[]> {
    return this.slots.find({ where: { centerId, counselorId, endsAt: MoreThan(now) }, order: { startsAt: 'ASC', id: 'ASC' } });
  }

  /** Free slots starting after `now` (of these counselors when given), the soonest first. */
  listFreeSlots(centerId: string, now: Date, counselorIds: string[], limit: number): Promise<Slot[]> {
    if (counselorIds.length === 0) return Promise.resolve([]);
    return this.slots.find({
      where: { centerId, status: 'free', startsAt: MoreThan(now), counselorId: In(counselorIds) },
      order: { startsAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  /** Deletes the counselor's slot only while it is free; true when deleted. */
  async deleteFreeSlot(centerId: string, counselorId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const res = await this.slots.delete({ centerId, counselorId, id, status: 'free' });
    return (res.affected ?? 0) > 0;
  }

  /**
   * The booking's one atomic step: the slot becomes `booked` only while it is free and lies ahead
   * (`starts_at > now`). True for exactly one of any number of concurrent callers (the row lock on
   * MariaDB, the one writer on SQLite).
   */
  async claimSlot(centerId: string, id: string, now: Date): Promise<boolean> {
    const res = await this.slots.update({ centerId, id, status: 'free', startsAt: MoreThan(now) }, { status: 'booked' });
    return (res.affected ?? 0) > 0;
  }

  /** A cancelled appointment's slot is offered again, but only if it still lies ahead. */
  async freeSlotIfAhead(centerId: string, id: string, now: Date): Promise<boolean> {
    const res = await this.slots.update({ centerId, id, status: 'booked', startsAt: MoreThan(now) }, { status: 'free' });
    return (res.affected ?? 0) > 0;
  }

  async deleteSlotsOf(centerId: string, counselorId: string): Promise<void> {
    await this.slots.delete({ centerId, counselorId });
  }

  // ---- appointments ------------------------------------------------------------------------------

  async insertAppointment(row: Appointment): Promise<void> {
    await this.appts.insert(row);
  }

  async findAppointment(centerId: string, id: string): Promise<Appointment | null> {
    return isUuid(id) ? this.appts.findOneBy({ centerId, id }) : null;
  }

  /** The booked appointments of these slots. */
  bookedOfSlots(centerId: string, slotIds: string[]): Promise<Appointment[]> {
    if (slotIds.length === 0) return Promise.resolve([]);
    return this.appts.findBy({ centerId, slotId: In(slotIds), status: 'booked' });
  }

  /** The account's appointments as client or as counselor, the soonest first. */
  listOf(centerId: string, side: 'client' | 'counselor', accountId: string): Promise<Appointment[]> {
    const where = side === 'client' ? { centerId, clientId: accountId } : { centerId, counselorId: accountId };
    return this.appts.find({ where, order: { startsAt: 'ASC', id: 'ASC' } });
  }

  /** Booked → cancelled by one conditional update; false when it was cancelled already. */
  async cancel(centerId: string, id: string, by: 'client' | 'counselor'): Promise<boolean> {
    const res = await this.appts.update({ centerId, id, status: 'booked' }, { status: 'cancelled', cancelledBy: by });
    return (res.affected ?? 0) > 0;
  }

  async setVideoRoom(centerId: string, id: string, videoRoomId: string): Promise<void> {
    await this.appts.update({ centerId, id }, { videoRoomId });
  }

  /** Every appointment naming the account (as client or counselor). */
  async listNaming(centerId: string, accountId: string): Promise<Appointment[]> {
    if (!isUuid(accountId)) return [];
    return this.appts.find({
      where: [
        { centerId, clientId: accountId },
        { centerId, counselorId: accountId },
      ],
    });
  }

  async deleteAppointments(centerId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.appts.delete({ centerId, id: In(ids) });
  }

  // ---- sweep -------------------------------------------------------------------------------------

  /** Appointments that ended at or before `before`, and slots that did (booked or not); returns how many rows. */
  async deleteEndedBefore(centerId: string, before: Date): Promise<number> {
    const a = await this.appts.delete({ centerId, endsAt: LessThanOrEqual(before) });
    const s = await this.slots.delete({ centerId, endsAt: LessThanOrEqual(before) });
    return (a.affected ?? 0) + (s.affected ?? 0);
  }

  /** Free slots that ended at `now`: nobody can book them any more. */
  async deleteEndedFreeSlots(centerId: string, now: Date): Promise<number> {
    const res = await this.slots.delete({ centerId, status: 'free', endsAt: LessThanOrEqual(now) });
    return res.affected ?? 0;
  }
}
