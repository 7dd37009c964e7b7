import type { AppointmentView, ContactForm, FreeSlot, OwnSlot, SlotOffer } from '../../client/src/portal/appointments/appointment-types';
import { AppointmentsSession, RestCall } from '../../client/src/portal/appointments/appointments-session';
import { dayOf, groupByDay } from '../../client/src/portal/appointments/slot-days';
import { FakeSocket } from '../harness/fake-socket';

interface Call {
  who: string;
  path: string;
  method: string;
  body: unknown;
}
interface Slot {
  id: string;
  counselorId: string;
  startsAt: string;
  endsAt: string;
  forms: ContactForm[];
  status: 'free' | 'booked';
}
interface Appointment {
  id: string;
  slotId: string;
  counselorId: string;
  clientId: string;
  form: ContactForm;
  status: 'booked' | 'cancelled';
  cancelledBy: 'client' | 'counselor' | null;
}

const refused = (code: string, fields?: string[]) => Promise.reject(Object.assign(new Error(code), { code, fields }));
const NAMES: Record<string, string> = { anna: 'Anna', ben: 'Ben', owl: 'grey-owl', fox: 'red-fox' };
const FORMS: ContactForm[] = ['video', 'chat', 'mail', 'phone'];

/**
 * A fake appointments server with the design's rules (issue 13): slots of counselors, one booking
 * per free slot (a second one is CONFLICT), a form among the slot's, cancel frees the slot, free
 * slots only can be deleted. Each person calls through `callAs(id)`.
 */
class FakeServer {
  slots: Slot[] = [];
  appointments: Appointment[] = [];
  calls: Call[] = [];
  private n = 0;
  /** While set, list reads wait for it (to let a push arrive during a load). */
  hold: Promise<void> | null = null;

  callAs(who: string): RestCall {
    const role = who === 'anna' || who === 'ben' ? 'counselor' : 'client';
    return async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
      const method = init.method ?? 'GET';
      this.calls.push({ who, path, method, body: init.body });
      if (method === 'GET' && this.hold) await this.hold;
      return (await this.answer(who, role, method, path, init.body)) as T;
    };
  }

  addSlot(counselorId: string, startsAt: string, minutes = 45, forms: ContactForm[] = ['video', 'chat']): Slot {
    const slot: Slot = {
      id: `s${++this.n}`,
      counselorId,
      startsAt,
      endsAt: new Date(Date.parse(startsAt) + minutes * 60_000).toISOString(),
      forms,
      status: 'free',
    };
    this.slots.push(slot);
    return slot;
  }

  /** Someone else books behind the session's back (the other client of the race). */
  bookAs(clientId: string, slotId: string, form: ContactForm): string {
    const slot = this.slots.find((s) => s.id === slotId && s.status === 'free')!;
    slot.status = 'booked';
    const a: Appointment = { id: `a${++this.n}`, slotId, counselorId: slot.counselorId, clientId, form, status: 'booked', cancelledBy: null };
    this.appointments.push(a);
    return a.id;
  }

  private answer(who: string, role: string, method: string, path: string, body: unknown): Promise<unknown> {
    const free = /^\/api\/centers\/demo\/slots(?:\?counselorId=([^&]+))?$/.exec(path);
    if (free && method === 'GET') {
      const only = free[1] ? decodeURIComponent(free[1]) : null;
      const list: FreeSlot[] = this.slots
        .filter((s) => s.status === 'free' && (!only || s.counselorId === only))
        .map((s) => ({
          id: s.id,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
          forms: s.forms,
          counselor: { id: s.counselorId, displayName: NAMES[s.counselorId]! },
        }));
      return Promise.resolve(structuredClone(list));
    }
    if (path === '/api/slots' && method === 'GET') {
      const list: OwnSlot[] = this.slots
        .filter((s) => s.counselorId === who)
        .map((s) => ({
          id: s.id,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
          forms: s.forms,
          status: s.status,
          appointmentId: this.appointments.find((a) => a.slotId === s.id && a.status === 'booked')?.id ?? null,
        }));
      return Promise.resolve(list);
    }
    if (path === '/api/slots' && method === 'POST') return this.offer(who, body as SlotOffer);
    const book = /^\/api\/slots\/([^/]+)\/book$/.exec(path);
    if (book && method === 'POST') {
      const slot = this.slots.find((s) => s.id === book[1]);
      if (!slot || role !== 'client') return refused('NOT_FOUND');
      const form = (body as { form: ContactForm }).form;
      if (slot.status !== 'free') return refused('CONFLICT');
      if (!slot.forms.includes(form)) return refused('VALIDATION_FAILED', ['form']);
      return Promise.resolve({ appointmentId: this.bookAs(who, slot.id, form) });
    }
    const slot = /^\/api\/slots\/([^/]+)$/.exec(path);
    if (slot && method === 'DELETE') {
      const s = this.slots.find((x) => x.id === slot[1] && x.counselorId === who);
      if (!s) return refused('NOT_FOUND');
      if (s.status === 'booked') return refused('CONFLICT');
      this.slots = this.slots.filter((x) => x !== s);
      return Promise.resolve({});
    }
    if (path === '/api/appointments' && method === 'GET') {
      const list: AppointmentView[] = this.appointments
        .filter((a) => a.clientId === who || a.counselorId === who)
        .map((a) => {
          const s = this.slots.find((x) => x.id === a.slotId)!;
          return {
            id: a.id,
            startsAt: s.startsAt,
            endsAt: s.endsAt,
            form: a.form,
            status: a.status,
            cancelledBy: a.cancelledBy,
            counselor: { id: a.counselorId, displayName: NAMES[a.counselorId]! },
            client: role === 'client' ? null : { id: a.clientId, displayName: NAMES[a.clientId]! },
            videoRoomId: a.form === 'video' ? `room-${a.counselorId}` : null,
          };
        });
      return Promise.resolve(list);
    }
    const appt = /^\/api\/appointments\/([^/]+)$/.exec(path);
    if (appt && method === 'DELETE') {
      const a = this.appointments.find((x) => x.id === appt[1] && (x.clientId === who || x.counselorId === who));
      if (!a) return refused('NOT_FOUND');
      if (a.status === 'cancelled') return refused('CONFLICT');
      a.status = 'cancelled';
      a.cancelledBy = role as 'client' | 'counselor';
      this.slots.find((s) => s.id === a.slotId)!.status = 'free';
      return Promise.resolve({});
    }
    return refused('INTERNAL');
  }

  private offer(who: string, b: SlotOffer): Promise<unknown> {
    const weeks = b.weeks ?? 1;
    if (Date.parse(b.startsAt) <= Date.now()) return refused('VALIDATION_FAILED', ['startsAt']);
    if (Date.parse(b.endsAt) <= Date.parse(b.startsAt)) return refused('VALIDATION_FAILED', ['endsAt']);
    if (b.forms.length === 0 || b.forms.some((f) => !FORMS.includes(f))) return refused('VALIDATION_FAILED', ['forms']);
    const week = 7 * 24 * 3600_000;
    const wanted = Array.from({ length: weeks }, (_, i) => ({ from: Date.parse(b.startsAt) + i * week, to: Date.parse(b.endsAt) + i * week }));
    const clash = wanted.some((w) => this.slots.some((s) => s.counselorId === who && Date.parse(s.startsAt) < w.to && w.from < Date.parse(s.endsAt)));
    if (clash) return refused('CONFLICT');
    const ids = wanted.map((w) => {
      const s = this.addSlot(who, new Date(w.from).toISOString(), (w.to - w.from) / 60_000, b.forms);
      return s.id;
    });
    return Promise.resolve({ id: ids[0], ids });
  }
}

const flush = async () => {
  for (let i = 0; i < 8; i++) await new Promise<void>((r) => setImmediate(r));
};
const inDays = (days: number, hourUtc = 9) => {
  const d = new Date(Date.now() + days * 24 * 3600_000);
  d.setUTCHours(hourUtc, 0, 0, 0);
  return d.toISOString();
};

const sessions: AppointmentsSession[] = [];
const downloads: string[] = [];
async function open(server: FakeServer, who: string) {
  const socket = new FakeSocket();
  const session = new AppointmentsSession({
    socket,
    call: server.callAs(who),
    download: (path) => {
      downloads.push(path);
      return Promise.resolve(new Blob(['BEGIN:VCALENDAR'], { type: 'text/calendar' }));
    },
    role: who === 'anna' || who === 'ben' ? 'counselor' : 'client',
    center: 'demo',
  });
  sessions.push(session);
  socket.connected = true;
  socket.push('connect');
  await flush();
  return { socket, session };
}

afterEach(() => {
  for (const s of sessions.splice(0)) s.destroy();
  downloads.length = 0;
});

describe('AppointmentsSession (client)', () => {
  it('should list the free slots soonest first, filter them by counselor over the query, and keep every counselor as a choice', async () => {
    const server = new FakeServer();
    const later = server.addSlot('ben', inDays(3));
    const sooner = server.addSlot('anna', inDays(1));
    const { session } = await open(server, 'owl');
    expect(session.state.free?.map((s) => s.id)).toEqual([sooner.id, later.id]);
    expect(session.state.counselors.map((c) => c.displayName)).toEqual(['Anna', 'Ben']);
    expect(session.state.appointments).toEqual([]);

    await session.filter('ben');
    expect(server.calls.some((c) => c.path === '/api/centers/demo/slots?counselorId=ben')).toBe(true);
    expect(session.state.free?.map((s) => s.id)).toEqual([later.id]);
    // Anna's slots are not in this answer, but she stays a choice of the filter
    expect(session.state.counselors.map((c) => c.id)).toEqual(['anna', 'ben']);
    await session.filter(null);
    expect(session.state.free).toHaveLength(2);
  });

  it('should book a slot with the chosen form, then show it as an appointment and no longer as free', async () => {
    const server = new FakeServer();
    const slot = server.addSlot('anna', inDays(2), 45, ['video', 'phone']);
    const { session } = await open(server, 'owl');
    const r = await session.book(slot.id, 'phone');
    expect(r).toEqual({ ok: true, appointmentId: expect.any(String) as string });
    expect(server.calls.find((c) => c.method === 'POST')).toMatchObject({ path: `/api/slots/${slot.id}/book`, body: { form: 'phone' } });
    expect(session.state.free).toEqual([]);
    expect(session.state.appointments).toEqual([
      expect.objectContaining({ form: 'phone', status: 'booked', counselor: { id: 'anna', displayName: 'Anna' }, client: null }),
    ]);
  });

  it('should answer CONFLICT when someone else was faster, and read the list again (the slot is gone, nothing booked)', async () => {
    const server = new FakeServer();
    const slot = server.addSlot('anna', inDays(2));
    const other = server.addSlot('anna', inDays(4));
    const { session } = await open(server, 'owl');
    expect(session.state.free).toHaveLength(2);
    server.bookAs('fox', slot.id, 'chat');
    const r = await session.book(slot.id, 'video');
    expect(r).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(session.state.free?.map((s) => s.id)).toEqual([other.id]);
    expect(session.state.appointments).toEqual([]);
    expect(server.appointments.filter((a) => a.clientId === 'owl')).toEqual([]);
  });

  it('should hand a refused form back with its field, and book nothing', async () => {
    const server = new FakeServer();
    const slot = server.addSlot('anna', inDays(2), 45, ['chat']);
    const { session } = await open(server, 'owl');
    const r = await session.book(slot.id, 'video');
    expect(r).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', error: { fields: ['form'] } });
    expect(server.appointments).toEqual([]);
    expect(session.state.free).toHaveLength(1);
  });

  it('should cancel an appointment (the slot is free again), fetch the calendar file by its REST path, and say CONFLICT for a second cancel', async () => {
    const server = new FakeServer();
    const slot = server.addSlot('anna', inDays(2));
    const { session } = await open(server, 'owl');
    const booked = await session.book(slot.id, 'video');
    if (!booked.ok) throw new Error('not booked');
    expect(session.state.appointments?.[0]?.videoRoomId).toBe('room-anna');

    const blob = await session.calendarFile(booked.appointmentId);
    expect(await blob.text()).toBe('BEGIN:VCALENDAR');
    expect(downloads).toEqual([`/api/appointments/${booked.appointmentId}/ics`]);

    await expect(session.cancel(booked.appointmentId)).resolves.toEqual({ ok: true });
    expect(session.state.appointments?.[0]).toMatchObject({ status: 'cancelled', cancelledBy: 'client' });
    expect(session.state.free?.map((s) => s.id)).toEqual([slot.id]);
    await expect(session.cancel(booked.appointmentId)).resolves.toMatchObject({ ok: false, code: 'CONFLICT' });
  });
});

describe('AppointmentsSession (counselor)', () => {
  it('should see a booking arrive on appointment.changed without a reload, and announce it once (not for its own steps)', async () => {
    const server = new FakeServer();
    const slot = server.addSlot('anna', inDays(2));
    const { socket, session } = await open(server, 'anna');
    expect(session.state.slots).toEqual([expect.objectContaining({ id: slot.id, status: 'free', appointmentId: null })]);

    const id = server.bookAs('owl', slot.id, 'chat');
    socket.push('appointment.changed', { appointmentId: id });
    await flush();
    expect(session.state.slots?.[0]).toMatchObject({ status: 'booked', appointmentId: id });
    expect(session.state.appointments).toEqual([expect.objectContaining({ id, client: { id: 'owl', displayName: 'grey-owl' } })]);
    expect(session.state.news.map((n) => [n.kind, n.appointment.id])).toEqual([['booked', id]]);

    // the client cancels: announced; the counselor's own cancel of another one is not
    server.appointments.find((a) => a.id === id)!.status = 'cancelled';
    server.appointments.find((a) => a.id === id)!.cancelledBy = 'client';
    server.slots.find((s) => s.id === slot.id)!.status = 'free';
    socket.push('appointment.changed', { appointmentId: id });
    await flush();
    expect(session.state.news.map((n) => n.kind)).toEqual(['booked', 'cancelled']);

    const id2 = server.bookAs('fox', slot.id, 'video');
    socket.push('appointment.changed', { appointmentId: id2 });
    await flush();
    const mine = session.cancel(id2);
    socket.push('appointment.changed', { appointmentId: id2 });
    await mine;
    await flush();
    expect(session.state.news.map((n) => n.kind)).toEqual(['booked', 'cancelled', 'booked']);
  });

  it('should load once more when a push arrives while a load is on its way (its answer may predate the push)', async () => {
    const server = new FakeServer();
    const slot = server.addSlot('anna', inDays(2));
    let release!: () => void;
    server.hold = new Promise<void>((r) => (release = r));
    const { socket, session } = await open(server, 'anna');
    expect(session.state.slots).toBeNull();
    const id = server.bookAs('owl', slot.id, 'chat');
    socket.push('appointment.changed', { appointmentId: id });
    server.hold = null;
    release();
    await flush();
    expect(session.state.appointments?.map((a) => a.id)).toEqual([id]);
    expect(server.calls.filter((c) => c.path === '/api/appointments').length).toBeGreaterThanOrEqual(2);
  });

  it('should offer a weekly series in one request (weeks only when more than one), and store nothing on an overlap', async () => {
    const server = new FakeServer();
    const { session } = await open(server, 'anna');
    const startsAt = inDays(1, 8);
    const endsAt = inDays(1, 9);
    const single = await session.offer({ startsAt, endsAt, forms: ['chat'], weeks: 1 });
    expect(single).toMatchObject({ ok: true, ids: [expect.any(String)] });
    expect(server.calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ startsAt, endsAt, forms: ['chat'] }]);

    const series = await session.offer({ startsAt: inDays(2, 8), endsAt: inDays(2, 9), forms: ['video', 'phone'], weeks: 4 });
    expect(series.ok && series.ids).toHaveLength(4);
    expect(session.state.slots).toHaveLength(5);

    const before = structuredClone(server.slots);
    // week 2 of this series hits the first series' second slot
    const clash = await session.offer({ startsAt: inDays(2, 8), endsAt: inDays(2, 10), forms: ['chat'], weeks: 2 });
    expect(clash).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(server.slots).toEqual(before);
    expect(session.state.slots).toHaveLength(5);

    const past = await session.offer({ startsAt: inDays(-1), endsAt: inDays(-1, 10), forms: ['chat'] });
    expect(past).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', error: { fields: ['startsAt'] } });
    expect(server.slots).toEqual(before);
  });

  it('should delete a free slot, refuse a booked one with CONFLICT (kept), and cancel from the counselor side', async () => {
    const server = new FakeServer();
    const free = server.addSlot('anna', inDays(1));
    const taken = server.addSlot('anna', inDays(2));
    const id = server.bookAs('owl', taken.id, 'chat');
    const { session } = await open(server, 'anna');
    await expect(session.deleteSlot(free.id)).resolves.toEqual({ ok: true });
    await expect(session.deleteSlot(taken.id)).resolves.toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(session.state.slots?.map((s) => [s.id, s.status])).toEqual([[taken.id, 'booked']]);
    await expect(session.cancel(id)).resolves.toEqual({ ok: true });
    expect(session.state.appointments?.[0]).toMatchObject({ status: 'cancelled', cancelledBy: 'counselor' });
    expect(session.state.slots?.[0]?.status).toBe('free');
    expect(session.state.news).toEqual([]);
  });

  it('should follow the connection (offline, reload on reconnect) and leave no listener when destroyed', async () => {
    const server = new FakeServer();
    const { socket, session } = await open(server, 'anna');
    expect(session.state.online).toBe(true);
    socket.drop();
    expect(session.state.online).toBe(false);
    server.addSlot('anna', inDays(1));
    socket.connect();
    await flush();
    expect(session.state.online).toBe(true);
    expect(session.state.slots).toHaveLength(1);
    session.destroy();
    expect(socket.listenerCount()).toBe(0);
  });

  it('should keep the list error when a load fails, and clear it with the next good load', async () => {
    const server = new FakeServer();
    server.addSlot('anna', inDays(1));
    const call = server.callAs('anna');
    let failures = 1;
    const socket = new FakeSocket();
    const session = new AppointmentsSession({
      socket,
      call: <T>(path: string, init?: { method?: string; body?: unknown }) =>
        path === '/api/slots' && failures-- > 0 ? refused('INTERNAL') : call<T>(path, init),
      download: () => Promise.reject(new Error('unused')),
      role: 'counselor',
      center: 'demo',
    });
    sessions.push(session);
    await flush();
    expect(session.state.listError).toBe('INTERNAL');
    expect(session.state.slots).toBeNull();
    await session.reload();
    expect(session.state.listError).toBeNull();
    expect(session.state.slots).toHaveLength(1);
  });
});

describe('groupByDay', () => {
  it("should group by the center's local day, not UTC's (23:30 UTC is the next day in Berlin) and across the DST change", () => {
    const slots = [
      { id: 'b', startsAt: '2026-03-28T23:30:00.000Z' }, // Sunday 29 March 00:30 CET
      { id: 'a', startsAt: '2026-03-28T09:00:00.000Z' }, // Saturday 28 March 10:00 CET
      { id: 'c', startsAt: '2026-03-29T08:00:00.000Z' }, // Sunday 29 March 10:00 CEST
    ];
    expect(groupByDay(slots, 'Europe/Berlin').map((g) => [g.day, g.items.map((s) => s.id)])).toEqual([
      ['2026-03-28', ['a']],
      ['2026-03-29', ['b', 'c']],
    ]);
    expect(groupByDay(slots, 'UTC').map((g) => [g.day, g.items.map((s) => s.id)])).toEqual([
      ['2026-03-28', ['a', 'b']],
      ['2026-03-29', ['c']],
    ]);
    expect(dayOf('2026-10-24T22:30:00.000Z', 'Europe/Berlin')).toBe('2026-10-25');
  });
});
