/**
 * The REST and push shapes of appointments as the portal reads them: the server's contract types
 * (src/realtime/contract.ts), under the names the pages use.
 */
import { APPOINTMENT_FORMS, APPOINTMENT_LIMITS, type AppointmentForm, type ServerToClientEvents } from '../../../../src/realtime/contract';

export type { AppointmentView, FreeSlotView as FreeSlot, OwnSlotView as OwnSlot, SlotsCreated } from '../../../../src/realtime/contract';

/** The contact forms a slot allows, in the order the pages list them. */
export const CONTACT_FORMS = APPOINTMENT_FORMS;
export type ContactForm = AppointmentForm;

/** How many weeks one weekly series may cover (`POST /api/slots` `weeks`). */
export const SERIES_WEEKS_MAX = APPOINTMENT_LIMITS.maxWeeks;

export interface PersonRef {
  id: string;
  displayName: string;
}

/** What a counselor offers (`POST /api/slots`); `weeks` > 1 makes a weekly series on the same wall time. */
export interface SlotOffer {
  startsAt: string;
  endsAt: string;
  forms: ContactForm[];
  weeks?: number;
}

/** The push to both sides of an appointment that was booked or cancelled (no content: re-read the lists). */
export type AppointmentChangedPush = Parameters<ServerToClientEvents['appointment.changed']>[0];
