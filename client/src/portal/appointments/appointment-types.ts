/**
 * The REST and push shapes of appointments as the portal reads them (design of issue 13,
 * "Appointments"; the server's module is src/modules/appointments).
 */

/** The contact forms a slot allows, in the order the pages list them. */
export const CONTACT_FORMS = ['video', 'chat', 'mail', 'phone'] as const;
export type ContactForm = (typeof CONTACT_FORMS)[number];

/** How many weeks one weekly series may cover (`POST /api/slots` `weeks`). */
export const SERIES_WEEKS_MAX = 26;

export interface PersonRef {
  id: string;
  displayName: string;
}

/** A free slot of the center (`GET /api/centers/:center/slots`, client token). */
export interface FreeSlot {
  id: string;
  startsAt: string;
  endsAt: string;
  forms: ContactForm[];
  counselor: PersonRef;
}

/** One of the counselor's own future slots (`GET /api/slots`). */
export interface OwnSlot {
  id: string;
  startsAt: string;
  endsAt: string;
  forms: ContactForm[];
  status: 'free' | 'booked';
  appointmentId: string | null;
}

/** An appointment of the caller (`GET /api/appointments`); `client` is null in the client's own view. */
export interface AppointmentView {
  id: string;
  startsAt: string;
  endsAt: string;
  form: ContactForm;
  status: 'booked' | 'cancelled';
  cancelledBy: 'client' | 'counselor' | null;
  counselor: PersonRef;
  client: PersonRef | null;
  videoRoomId: string | null;
}

/** What a counselor offers (`POST /api/slots`); `weeks` > 1 makes a weekly series on the same wall time. */
export interface SlotOffer {
  startsAt: string;
  endsAt: string;
  forms: ContactForm[];
  weeks?: number;
}

/** The push to both sides of an appointment that was booked or cancelled (no content: re-read the lists). */
export interface AppointmentChangedPush {
  appointmentId: string;
}
