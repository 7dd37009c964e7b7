import type { ServerToClientEvents } from '../../../../src/realtime/contract';
import { Store } from '../../lib/store';
import type { AppointmentView, ContactForm, FreeSlot, OwnSlot, PersonRef, SlotOffer, SlotsCreated } from './appointment-types';

/** The pushes the appointments page follows (no content: the page re-reads its lists). */
type AppointmentsListeners = Pick<ServerToClientEvents, 'appointment.changed'> & {
  connect: () => void;
  disconnect: (reason: string) => void;
};

/** The part of the portal's socket the appointments page needs: it only listens, everything else is REST. */
export interface AppointmentsSocket {
  readonly connected: boolean;
  on<E extends keyof AppointmentsListeners>(event: E, listener: AppointmentsListeners[E]): unknown;
  off<E extends keyof AppointmentsListeners>(event: E, listener: AppointmentsListeners[E]): unknown;
}

/** An authenticated REST call (PortalSession.call); rejects with an error that carries `code` (and `fields`). */
export type RestCall = <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;
/** An authenticated download (PortalSession.download): the token goes in the header, never in a URL. */
export type DownloadCall = (path: string) => Promise<Blob>;

/** What the other side did, for the polite live region (the page words it from the catalogue). */
export interface AppointmentNews {
  id: number;
  kind: 'booked' | 'cancelled';
  appointment: AppointmentView;
}

/** The answer of a step the person asked for: done, or refused with the server's error (for `explain`). */
export type StepResult<T = object> = ({ ok: true } & T) | { ok: false; code: string; error: unknown };

export interface AppointmentsState {
  /** Clients: the center's free slots (with the counselor filter applied); null while loading. */
  free: FreeSlot[] | null;
  /** Clients: every counselor seen with free slots (the filter's choices, kept while a filter is on). */
  counselors: PersonRef[];
  /** Clients: the counselor the free slots are filtered by (null: all). */
  counselorId: string | null;
  /** Counselors: their own future slots; null while loading. */
  slots: OwnSlot[] | null;
  /** The caller's appointments (booked, and cancelled ones until their end); null while loading. */
  appointments: AppointmentView[] | null;
  listError: string | null;
  news: AppointmentNews[];
  online: boolean;
}

export interface AppointmentsSessionOptions {
  socket: AppointmentsSocket;
  call: RestCall;
  download: DownloadCall;
  role: 'client' | 'counselor';
  /** The center's slug (the free slots are the center's). */
  center: string;
}

const MAX_NEWS = 5;
const enc = encodeURIComponent;

/**
 * The appointments of one signed-in client or counselor, framework-free. Clients: the center's
 * free slots (optionally one counselor's), booking one with a contact form (taken in the meantime:
 * `CONFLICT`, and the list is read again), their appointments with cancel and the calendar file.
 * Counselors: offering slots (one or a weekly series), their slots (deleting free ones), their
 * appointments. `appointment.changed` says only that something changed: the lists are read again
 * from the server (the truth), and what the other side did is announced.
 */
export class AppointmentsSession extends Store<AppointmentsState> {
  state: AppointmentsState = {
    free: null,
    counselors: [],
    counselorId: null,
    slots: null,
    appointments: null,
    listError: null,
    news: [],
    online: false,
  };
  private readonly detach: (() => void)[] = [];
  private newsId = 0;
  private loading: Promise<void> | null = null;
  private again = false;
  /** Appointments this session booked or cancelled itself: their pushes are not news. */
  private readonly own = new Set<string>();
  /** Steps of this session on their way (their pushes may come before their answers). */
  private acting = 0;
  private destroyed = false;

  constructor(private readonly options: AppointmentsSessionOptions) {
    super();
    this.listen('connect', () => {
      this.set({ online: true });
      void this.reload();
    });
    this.listen('disconnect', () => this.set({ online: false }));
    this.listen('appointment.changed', (p) => void this.reload(p.appointmentId));
    this.state = { ...this.state, online: options.socket.connected };
    void this.reload();
  }

  get role(): 'client' | 'counselor' {
    return this.options.role;
  }

  /**
   * Reads the lists again (one load at a time; a push during a load asks for one more). With
   * `appointmentId` (a push), a new booking or a cancellation by the other side is announced.
   */
  reload(appointmentId?: string): Promise<void> {
    const before = this.state.appointments;
    const announce = () => {
      if (appointmentId && before) this.announce(appointmentId, before);
    };
    if (this.loading) {
      // its answer may predate this push: one more load after it
      this.again = true;
      return this.loading.then(announce);
    }
    this.loading = (async () => {
      do {
        this.again = false;
        await this.loadOnce();
      } while (this.again && !this.destroyed);
      this.loading = null;
    })();
    return this.loading.then(announce);
  }

  /** Clients: shows only this counselor's free slots (null: all). */
  filter(counselorId: string | null): Promise<void> {
    if (counselorId === this.state.counselorId) return Promise.resolve();
    this.set({ counselorId, free: null });
    return this.reload();
  }

  /** Clients: books a free slot with one of its forms; a slot taken meanwhile (`CONFLICT`) or gone reloads the list. */
  book(slotId: string, form: ContactForm): Promise<StepResult<{ appointmentId: string }>> {
    return this.step(async () => {
      const r = await this.options.call<{ appointmentId: string }>(`/api/slots/${enc(slotId)}/book`, { method: 'POST', body: { form } });
      this.own.add(r.appointmentId);
      return { appointmentId: r.appointmentId };
    });
  }

  /** Either side: cancels an appointment (the other side is told by the server). */
  cancel(appointmentId: string): Promise<StepResult> {
    this.own.add(appointmentId);
    return this.step(async () => {
      await this.options.call(`/api/appointments/${enc(appointmentId)}`, { method: 'DELETE' });
      return {};
    });
  }

  /** Counselors: offers a slot, or a weekly series of `weeks` slots on the same wall time. */
  offer(offer: SlotOffer): Promise<StepResult<{ ids: string[] }>> {
    return this.step(async () => {
      const body: SlotOffer = { startsAt: offer.startsAt, endsAt: offer.endsAt, forms: offer.forms };
      if (offer.weeks !== undefined && offer.weeks !== 1) body.weeks = offer.weeks;
      const r = await this.options.call<SlotsCreated>('/api/slots', { method: 'POST', body });
      return { ids: r.ids };
    });
  }

  /** Counselors: deletes a free slot (a booked one answers `CONFLICT`: cancel the appointment first). */
  deleteSlot(slotId: string): Promise<StepResult> {
    return this.step(async () => {
      await this.options.call(`/api/slots/${enc(slotId)}`, { method: 'DELETE' });
      return {};
    });
  }

  /** The appointment's iCalendar file, fetched with the token (the page hands it to the browser as a file). */
  calendarFile(appointmentId: string): Promise<Blob> {
    return this.options.download(`/api/appointments/${enc(appointmentId)}/ics`);
  }

  destroy(): void {
    this.destroyed = true;
    for (const off of this.detach) off();
  }

  // ---- internals -------------------------------------------------------------------------------

  private listen<E extends keyof AppointmentsListeners>(event: E, fn: AppointmentsListeners[E]): void {
    this.options.socket.on(event, fn);
    this.detach.push(() => this.options.socket.off(event, fn));
  }

  /** Runs a step, then reads the lists again whatever the answer (refused steps often mean the list is old). */
  private async step<T extends object>(run: () => Promise<T>): Promise<StepResult<T>> {
    this.acting++;
    try {
      const value = await run();
      return { ok: true, ...value };
    } catch (error) {
      return { ok: false, code: codeOf(error), error };
    } finally {
      await this.reload();
      this.acting--;
    }
  }

  private async loadOnce(): Promise<void> {
    const { call, role, center } = this.options;
    const filter = this.state.counselorId;
    try {
      const appointments = call<AppointmentView[]>('/api/appointments');
      if (role === 'client') {
        const query = filter ? `?counselorId=${enc(filter)}` : '';
        const [free, mine] = await Promise.all([call<FreeSlot[]>(`/api/centers/${enc(center)}/slots${query}`), appointments]);
        if (this.destroyed) return;
        // the filter may have changed while this was on its way: the next load brings the right list
        const current = this.state.counselorId === filter;
        this.set({
          ...(current ? { free: sortByStart(free) } : {}),
          counselors: mergeCounselors(this.state.counselors, free),
          appointments: sortByStart(mine),
          listError: null,
        });
        if (!current) this.again = true;
      } else {
        const [slots, mine] = await Promise.all([call<OwnSlot[]>('/api/slots'), appointments]);
        if (this.destroyed) return;
        this.set({ slots: sortByStart(slots), appointments: sortByStart(mine), listError: null });
      }
    } catch (err) {
      if (!this.destroyed) this.set({ listError: codeOf(err) });
    }
  }

  /** Announces what the other side did to an appointment: a new booking, or a cancellation. */
  private announce(appointmentId: string, before: AppointmentView[]): void {
    if (this.own.has(appointmentId) || this.acting > 0) return;
    const was = before.find((a) => a.id === appointmentId);
    const now = this.state.appointments?.find((a) => a.id === appointmentId);
    let kind: AppointmentNews['kind'] | null = null;
    if (now?.status === 'booked' && !was) kind = 'booked';
    else if (now?.status === 'cancelled' && was?.status === 'booked') kind = 'cancelled';
    // a cancelled appointment whose end has passed is no longer listed
    else if (!now && was?.status === 'booked') kind = 'cancelled';
    const appointment = now ?? was;
    if (!kind || !appointment) return;
    this.set({ news: [...this.state.news, { id: ++this.newsId, kind, appointment }].slice(-MAX_NEWS) });
  }
}

function sortByStart<T extends { startsAt: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}

/** The filter's choices: the counselors known so far plus those of this answer, by name. */
function mergeCounselors(known: PersonRef[], free: FreeSlot[]): PersonRef[] {
  const byId = new Map(known.map((c) => [c.id, c]));
  for (const s of free) byId.set(s.counselor.id, s.counselor);
  return [...byId.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/** One appointments session per login and socket. */
let current: { token: string; socket: unknown; session: AppointmentsSession } | null = null;

export function appointmentsSessionFor(token: string, socket: unknown, make: () => AppointmentsSession): AppointmentsSession {
  if (current?.token === token && current.socket === socket) return current.session;
  current?.session.destroy();
  current = { token, socket, session: make() };
  return current.session;
}

export function endAppointmentsSession(session: AppointmentsSession): void {
  session.destroy();
  if (current?.session === session) current = null;
}
