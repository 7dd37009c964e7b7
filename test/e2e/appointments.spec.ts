import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { AppointmentErasureService } from '../../src/modules/appointments/appointment-erasure.service';
import { AppointmentPorts } from '../../src/modules/appointments/appointment-ports';
import { APPOINTMENT_VIDEO, NO_APPOINTMENT_VIDEO } from '../../src/modules/appointments/appointment-video.port';
import { ClientCounselorsService } from '../../src/modules/client-counselors/client-counselors.service';
import { STAT_COUNTED, type StatCountedEvent } from '../../src/common/events';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AppointmentView, FreeSlotView, LoginResult, OwnSlotView, SlotsCreated } from '../../src/realtime/contract';
import { login, PASSWORD, type Login } from '../factories';
import { TestClock } from '../harness/clock';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { readOutbox } from '../harness/outbox';

const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface ErrorBody {
  error: { code: string; message: string; fields?: string[] };
}

describe('appointments (REST)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  let ds: DataSource;
  const clock = new TestClock();
  const stats: StatCountedEvent[] = [];
  let n = 0;

  beforeAll(async () => {
    t = await startApp({ clock });
    ds = t.app.get(DataSource);
    c = await seedCenter(t, { counselors: 3, clients: 2 });
    other = await seedCenter(t, { counselors: 1, clients: 1 });
    t.app.get(EventEmitter2).on(STAT_COUNTED, (e: StatCountedEvent) => stats.push(e));
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const at = (ms: number) => clock.in(ms).toISOString();
  const count = async (sql: string, params: unknown[] = []) => Number((await ds.query<{ n: number | string }[]>(sql, params))[0]?.n ?? 0);
  const slotRows = (counselorId: string) => count('SELECT COUNT(*) AS n FROM slots WHERE counselor_id = ?', [counselorId]);
  const createSlots = (token: string, body: object) => t.http().post('/api/slots').set(auth(token)).send(body);
  const ownSlots = async (token: string) => (await t.http().get('/api/slots').set(auth(token)).expect(200)).body as OwnSlotView[];
  const freeSlots = async (who: Login, slug = c.slug, q = '') =>
    (await t.http().get(`/api/centers/${slug}/slots${q}`).set(auth(who.token)).expect(200)).body as FreeSlotView[];
  const book = (token: string, slotId: string, form: string) => t.http().post(`/api/slots/${slotId}/book`).set(auth(token)).send({ form });
  const list = async (token: string) => (await t.http().get('/api/appointments').set(auth(token)).expect(200)).body as AppointmentView[];
  const mailsTo = (address: string) => readOutbox(t.config.dataDir).filter((m) => m.toLowerCase().includes(`to: ${address.toLowerCase()}`));
  /** A slot `inMs` ahead, `lenMin` minutes long; returns its id. */
  const slot = async (who: Login, inMs: number, forms = ['video', 'phone'], lenMin = 60) =>
    ((await createSlots(who.token, { startsAt: at(inMs), endsAt: at(inMs + lenMin * MIN), forms }).expect(201)).body as SlotsCreated).id;

  /** Moves the clock and logs these accounts of `c` in again (tokens expire with the moved clock). */
  async function advance(ms: number, who: Login[]): Promise<void> {
    clock.advance(ms);
    const ofOther = (w: Login) => w === other.admin || other.counselors.includes(w) || other.clients.includes(w);
    for (const w of who) w.token = (await login(t, ofOther(w) ? other.slug : c.slug, w.login, PASSWORD)).token;
  }

  async function confirmedClient(): Promise<Login & { email: string }> {
    const username = `appt-${++n}-${c.slug}`.slice(0, 40);
    const email = `contact-${n}-${c.centerId.slice(0, 8)}@mail.example`;
    const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
    const body = res.body as LoginResult;
    const mail = readOutbox(t.config.dataDir).find((m) => m.includes(email)) ?? '';
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail)?.[1] ?? '';
    await t.http().post('/api/auth/confirm-email').send({ center: c.slug, token }).expect(204);
    return { id: body.account.id, token: body.token, displayName: body.account.displayName, login: username, password: PASSWORD, email };
  }

  it('should create a single slot and a weekly series, list them soonest first, and refuse everyone but counselors', async () => {
    const me = c.counselors[0]!;
    const single = (await createSlots(me.token, { startsAt: at(2 * DAY), endsAt: at(2 * DAY + HOUR), forms: ['chat'] }).expect(201)).body as SlotsCreated;
    expect(single.ids).toEqual([single.id]);
    const series = (await createSlots(me.token, { startsAt: at(DAY), endsAt: at(DAY + 30 * MIN), forms: ['video', 'mail'], weeks: 4 }).expect(201))
      .body as SlotsCreated;
    expect(series.ids).toHaveLength(4);
    expect(series.id).toBe(series.ids[0]);
    const mine = await ownSlots(me.token);
    expect(mine.map((s) => s.id)).toEqual([series.ids[0], single.id, ...series.ids.slice(1)]);
    expect(mine.every((s) => s.status === 'free' && s.appointmentId === null)).toBe(true);
    expect(mine[0]!.forms).toEqual(['video', 'mail']);
    // weekly: 7 days apart (no DST change in this test's window is assumed; the unit test covers DST)
    const starts = mine.filter((s) => series.ids.includes(s.id)).map((s) => new Date(s.startsAt).getTime());
    for (let i = 1; i < starts.length; i++) expect([7 * DAY - HOUR, 7 * DAY, 7 * DAY + HOUR]).toContain(starts[i]! - starts[i - 1]!);
    expect(await slotRows(me.id)).toBe(5);

    for (const who of [c.admin, c.clients[0]!]) {
      const res = await createSlots(who.token, { startsAt: at(3 * DAY), endsAt: at(3 * DAY + HOUR), forms: ['chat'] }).expect(403);
      expect((res.body as ErrorBody).error.code).toBe('FORBIDDEN');
      await t.http().get('/api/slots').set(auth(who.token)).expect(403);
    }
    await t
      .http()
      .post('/api/slots')
      .send({ startsAt: at(3 * DAY), endsAt: at(3 * DAY + HOUR), forms: ['chat'] })
      .expect(401);
    await t.http().get('/api/slots').expect(401);
    expect(await count('SELECT COUNT(*) AS n FROM slots WHERE counselor_id IN (?, ?)', [c.admin.id, c.clients[0]!.id])).toBe(0);
  });

  it('should keep a weekly series on 10:00 Berlin time across the next change of daylight saving time', async () => {
    const me = c.counselors[0]!;
    // the first day (two weeks ahead or later) whose next week lies on the other side of a DST change
    let day = DateTime.fromJSDate(clock.now(), { zone: 'Europe/Berlin' }).startOf('day').plus({ days: 14 });
    while (day.plus({ weeks: 1 }).offset === day.offset) day = day.plus({ days: 1 });
    const first = day.set({ hour: 10 });
    const res = await createSlots(me.token, {
      startsAt: first.toUTC().toISO(),
      endsAt: first.plus({ hours: 1 }).toUTC().toISO(),
      forms: ['phone'],
      weeks: 3,
    }).expect(201);
    const { ids } = res.body as SlotsCreated;
    const series = (await ownSlots(me.token)).filter((s) => ids.includes(s.id));
    const local = series.map((s) => DateTime.fromISO(s.startsAt, { zone: 'Europe/Berlin' }));
    expect(local.map((d) => d.toFormat('ccc HH:mm'))).toEqual(Array(3).fill(first.toFormat('ccc HH:mm')));
    expect(series.map((s) => DateTime.fromISO(s.endsAt, { zone: 'Europe/Berlin' }).toFormat('HH:mm'))).toEqual(['11:00', '11:00', '11:00']);
    // in UTC the second one moved by the hour of the change
    const utcGap = new Date(series[1]!.startsAt).getTime() - new Date(series[0]!.startsAt).getTime();
    expect(utcGap).toBe(7 * DAY + (local[0]!.offset - local[1]!.offset) * MIN);
    expect(Math.abs(utcGap - 7 * DAY)).toBe(HOUR);
    const rows = await ds.query<{ series_id: string }[]>(`SELECT series_id FROM slots WHERE id IN (?, ?, ?)`, ids);
    expect(rows.map((r) => r.series_id)).toEqual([ids[0], ids[0], ids[0]]);
    // out of the way of the later tests' slots
    for (const id of ids) await t.http().delete(`/api/slots/${id}`).set(auth(me.token)).expect(204);
    expect(await count('SELECT COUNT(*) AS n FROM slots WHERE id IN (?, ?, ?)', ids)).toBe(0);
  });

  it('should refuse bad slots with VALIDATION_FAILED on the right field and store nothing', async () => {
    const me = c.counselors[1]!;
    // one instant for both ends: two calls of `at` can fall on two different milliseconds
    const tomorrow = at(DAY);
    const cases: [object, string][] = [
      [{ startsAt: at(-HOUR), endsAt: at(HOUR), forms: ['chat'] }, 'startsAt'],
      [{ startsAt: tomorrow, endsAt: tomorrow, forms: ['chat'] }, 'endsAt'],
      [{ startsAt: at(DAY), endsAt: at(DAY - HOUR), forms: ['chat'] }, 'endsAt'],
      [{ startsAt: at(DAY), endsAt: at(DAY + 8 * HOUR + MIN), forms: ['chat'] }, 'endsAt'],
      [{ startsAt: at(DAY), endsAt: at(DAY + HOUR), forms: [] }, 'forms'],
      [{ startsAt: at(DAY), endsAt: at(DAY + HOUR), forms: ['skype'] }, 'forms'],
      [{ startsAt: at(DAY), endsAt: at(DAY + HOUR), forms: ['chat', 'chat'] }, 'forms'],
      [{ startsAt: at(DAY), endsAt: at(DAY + HOUR), forms: 'chat' }, 'forms'],
      [{ startsAt: 'tomorrow', endsAt: at(DAY + HOUR), forms: ['chat'] }, 'startsAt'],
      [{ startsAt: at(DAY), endsAt: at(DAY + HOUR), forms: ['chat'], weeks: 0 }, 'weeks'],
      [{ startsAt: at(DAY), endsAt: at(DAY + HOUR), forms: ['chat'], weeks: 27 }, 'weeks'],
    ];
    for (const [body, field] of cases) {
      const res = await createSlots(me.token, body).expect(400);
      expect((res.body as ErrorBody).error.code).toBe('VALIDATION_FAILED');
      expect((res.body as ErrorBody).error.fields).toContain(field);
    }
    expect(await slotRows(me.id)).toBe(0);
  });

  it('should answer CONFLICT naming the clash when a slot (or one of a series) overlaps an own slot, and store none of the series', async () => {
    const me = c.counselors[1]!;
    await slot(me, 3 * DAY, ['chat'], 60);
    // another counselor may offer the same time
    await slot(c.counselors[2]!, 3 * DAY, ['chat'], 60);
    const before = await slotRows(me.id);
    const res = await createSlots(me.token, { startsAt: at(3 * DAY + 30 * MIN), endsAt: at(3 * DAY + 90 * MIN), forms: ['chat'] }).expect(409);
    expect((res.body as ErrorBody).error.code).toBe('CONFLICT');
    expect((res.body as ErrorBody).error.message).toMatch(
      /overlaps your slot \w{3}, \d\d\.\d\d\.\d{4}, \d\d:\d\d–(\d\d\.\d\d\.\d{4}, )?\d\d:\d\d \(Europe\/Berlin\)/,
    );
    expect(await slotRows(me.id)).toBe(before);

    // a series of 10, 17 and 24 days ahead whose second week clashes stores nothing
    await slot(me, 17 * DAY, ['chat'], 60);
    const beforeSeries = await slotRows(me.id);
    const bad = await createSlots(me.token, { startsAt: at(10 * DAY + 15 * MIN), endsAt: at(10 * DAY + 45 * MIN), forms: ['video'], weeks: 3 }).expect(409);
    expect((bad.body as ErrorBody).error.code).toBe('CONFLICT');
    expect(await slotRows(me.id)).toBe(beforeSeries);
    // touching is no overlap: a slot that begins when another ends
    await createSlots(me.token, { startsAt: at(17 * DAY + HOUR), endsAt: at(17 * DAY + 2 * HOUR), forms: ['chat'] }).expect(201);
    expect(await slotRows(me.id)).toBe(beforeSeries + 1);
  });

  it('should list free future slots of active counselors to clients only, filtered by counselor, never another center’s', async () => {
    const [a, b] = [c.counselors[0]!, c.counselors[2]!];
    await slot(other.counselors[0]!, DAY, ['chat']);
    const free = await freeSlots(c.clients[0]!);
    expect(free.length).toBeGreaterThan(0);
    const times = free.map((s) => s.startsAt);
    expect([...times].sort()).toEqual(times);
    expect(free.every((s) => new Date(s.startsAt) > clock.now())).toBe(true);
    expect(new Set(free.map((s) => s.counselor.id))).toEqual(new Set([a.id, b.id, c.counselors[1]!.id]));
    expect(free.find((s) => s.counselor.id === a.id)!.counselor.displayName).toBe(a.displayName);
    const onlyB = await freeSlots(c.clients[0]!, c.slug, `?counselorId=${b.id}`);
    expect(onlyB.length).toBeGreaterThan(0);
    expect(onlyB.every((s) => s.counselor.id === b.id)).toBe(true);
    expect(await freeSlots(c.clients[0]!, c.slug, `?counselorId=${other.counselors[0]!.id}`)).toEqual([]);
    const bad = await t.http().get(`/api/centers/${c.slug}/slots?counselorId=nope`).set(auth(c.clients[0]!.token)).expect(400);
    expect((bad.body as ErrorBody).error.fields).toContain('counselorId');
    // the other center's client sees only its own center's slot
    const theirs = await freeSlots(other.clients[0]!, other.slug);
    expect(theirs.map((s) => s.counselor.id)).toEqual([other.counselors[0]!.id]);
    // staff and other centers' tokens
    await t.http().get(`/api/centers/${c.slug}/slots`).set(auth(a.token)).expect(403);
    await t.http().get(`/api/centers/${c.slug}/slots`).set(auth(c.admin.token)).expect(403);
    const cross = await t.http().get(`/api/centers/${c.slug}/slots`).set(auth(other.clients[0]!.token));
    expect([403, 404]).toContain(cross.status);
    await t.http().get(`/api/centers/${c.slug}/slots`).expect(401);
  });

  it('should book a slot atomically, assign the counselor, count it, push both sides and mail the counselor a link only', async () => {
    const me = c.counselors[2]!;
    const client = await confirmedClient();
    const id = await slot(me, 4 * DAY, ['video', 'phone']);
    const clientSocket = await connect(t.url, client.token);
    const counselorSocket = await connect(t.url, me.token);
    const pushes = Promise.all([nextEvent(clientSocket, 'appointment.changed'), nextEvent(counselorSocket, 'appointment.changed')]);
    const mailsBefore = mailsTo(me.login).length;
    const statsBefore = stats.length;

    // bad input first: nothing changes
    const wrongForm = await book(client.token, id, 'chat').expect(400);
    expect((wrongForm.body as ErrorBody).error.fields).toContain('form');
    expect((await book(client.token, '00000000-0000-4000-8000-000000000000', 'video').expect(404)).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    await book(client.token, 'not-a-uuid', 'video').expect(404);
    await book(me.token, id, 'video').expect(403);
    await book(c.admin.token, id, 'video').expect(403);
    await book(other.clients[0]!.token, id, 'video').expect(404);
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE slot_id = ?', [id])).toBe(0);
    expect((await ownSlots(me.token)).find((s) => s.id === id)!.status).toBe('free');
    expect(await t.app.get(ClientCounselorsService).counselorOf(c.centerId, client.id)).toBeNull();

    const res = await book(client.token, id, 'phone').expect(201);
    const { appointmentId } = res.body as { appointmentId: string };
    expect(await pushes).toEqual([{ appointmentId }, { appointmentId }]);
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE slot_id = ?', [id])).toBe(1);
    expect((await ownSlots(me.token)).find((s) => s.id === id)).toMatchObject({ status: 'booked', appointmentId });
    expect((await freeSlots(client)).some((s) => s.id === id)).toBe(false);
    expect(await t.app.get(ClientCounselorsService).counselorOf(c.centerId, client.id)).toBe(me.id);
    expect(stats.slice(statsBefore)).toEqual([expect.objectContaining({ centerId: c.centerId, metric: 'appointment.phone' })]);
    expect(Object.keys(stats[stats.length - 1]!).sort()).toEqual(['at', 'centerId', 'metric']);

    // taken: CONFLICT, nothing changes
    const again = await book(c.clients[0]!.token, id, 'phone').expect(409);
    expect((again.body as ErrorBody).error.code).toBe('CONFLICT');
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE slot_id = ?', [id])).toBe(1);

    const mails = mailsTo(me.login).slice(mailsBefore);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toContain(`/c/${c.slug}/app/appointments`);
    expect(mail).not.toContain(client.displayName);
    expect(mail).not.toContain(client.login);
    const subject = /^Subject: (.*)$/im.exec(mail)?.[1] ?? '';
    expect(subject).not.toMatch(/\d\d:\d\d|phone|video/i);

    // the views of both sides
    const theirs = await list(client.token);
    expect(theirs).toEqual([
      expect.objectContaining({
        id: appointmentId,
        form: 'phone',
        status: 'booked',
        cancelledBy: null,
        client: null,
        videoRoomId: null,
        counselor: { id: me.id, displayName: me.displayName },
      }),
    ]);
    const mine = await list(me.token);
    expect(mine.find((a) => a.id === appointmentId)).toMatchObject({ client: { id: client.id, displayName: client.displayName }, counselor: { id: me.id } });
    // nobody else sees it
    for (const who of [c.clients[0]!, c.counselors[0]!, other.clients[0]!, other.counselors[0]!])
      expect((await list(who.token)).some((a) => a.id === appointmentId)).toBe(false);
    await t.http().get('/api/appointments').set(auth(c.admin.token)).expect(403);
  });

  it('should refuse to book a slot that has begun, and a slot of a deactivated counselor, changing nothing', async () => {
    const me = c.counselors[0]!;
    const id = await slot(me, 30 * MIN, ['chat'], 30);
    clock.advance(31 * MIN);
    const res = await book(c.clients[0]!.token, id, 'chat').expect(409);
    expect((res.body as ErrorBody).error.code).toBe('CONFLICT');
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE slot_id = ?', [id])).toBe(0);
    expect((await freeSlots(c.clients[0]!)).some((s) => s.id === id)).toBe(false);
    // the counselor's own list still shows the running slot, free
    expect((await ownSlots(me.token)).find((s) => s.id === id)).toMatchObject({ status: 'free' });

    // a deactivated counselor's slots are not offered, and cannot be booked
    const gone = c.counselors[2]!;
    const sid = await slot(gone, 9 * DAY, ['chat']);
    await t.http().post(`/api/centers/${c.slug}/staff/${gone.id}/deactivate`).set(auth(c.admin.token)).expect(200);
    expect((await freeSlots(c.clients[0]!)).some((s) => s.counselor.id === gone.id)).toBe(false);
    expect(((await book(c.clients[0]!.token, sid, 'chat').expect(404)).body as ErrorBody).error.code).toBe('NOT_FOUND');
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE slot_id = ?', [sid])).toBe(0);
    await t.http().post(`/api/centers/${c.slug}/staff/${gone.id}/reactivate`).set(auth(c.admin.token)).expect(200);
    gone.token = (await login(t, c.slug, gone.login, PASSWORD)).token;
    expect((await freeSlots(c.clients[0]!)).some((s) => s.id === sid)).toBe(true);
  });

  it('should let a video booking take the room from the APPOINTMENT_VIDEO port', async () => {
    const ports = t.app.get(AppointmentPorts);
    const asked: string[][] = [];
    ports.register(APPOINTMENT_VIDEO, {
      roomFor: (centerId, counselorId, clientId) => {
        asked.push([centerId, counselorId, clientId]);
        return Promise.resolve('11111111-2222-4333-8444-555555555555');
      },
    });
    try {
      const me = c.counselors[0]!;
      const client = c.clients[1]!;
      const id = await slot(me, 5 * DAY, ['video']);
      const { appointmentId } = (await book(client.token, id, 'video').expect(201)).body as { appointmentId: string };
      expect(asked).toEqual([[c.centerId, me.id, client.id]]);
      expect((await list(client.token)).find((a) => a.id === appointmentId)!.videoRoomId).toBe('11111111-2222-4333-8444-555555555555');
      expect(stats[stats.length - 1]!.metric).toBe('appointment.video');
    } finally {
      ports.register(APPOINTMENT_VIDEO, NO_APPOINTMENT_VIDEO);
    }
  });

  it('should serve the .ics to both sides only, in the center’s time zone, and mark a cancelled one', async () => {
    const me = c.counselors[2]!;
    const client = c.clients[0]!;
    const id = await slot(me, 6 * DAY, ['mail']);
    const { appointmentId } = (await book(client.token, id, 'mail').expect(201)).body as { appointmentId: string };
    const res = await t.http().get(`/api/appointments/${appointmentId}/ics`).set(auth(client.token)).expect(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="lotse-appointment.ics"');
    const text = res.text;
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(text).toMatch(/END:VCALENDAR\r\n$/);
    const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
    expect(lines).toContain('TZID:Europe/Berlin');
    expect(lines.some((l) => /^DTSTART;TZID=Europe\/Berlin:\d{8}T\d{6}$/.test(l))).toBe(true);
    expect(lines.some((l) => /^SUMMARY:.*: appointment \(mail\)$/.test(l))).toBe(true);
    expect(lines).toContain('STATUS:CONFIRMED');
    expect(text).not.toContain(client.displayName);
    await t.http().get(`/api/appointments/${appointmentId}/ics`).set(auth(me.token)).expect(200);
    for (const who of [c.counselors[0]!, c.clients[1]!, c.admin, other.clients[0]!]) {
      const r = await t.http().get(`/api/appointments/${appointmentId}/ics`).set(auth(who.token));
      expect(r.status).toBe(404);
    }
    await t.http().delete(`/api/appointments/${appointmentId}`).set(auth(me.token)).expect(204);
    const cancelled = await t.http().get(`/api/appointments/${appointmentId}/ics`).set(auth(client.token)).expect(200);
    expect(cancelled.text).toContain('STATUS:CANCELLED\r\n');
  });

  it('should delete only a free own slot: booked is CONFLICT, another’s or unknown is NOT_FOUND', async () => {
    const me = c.counselors[0]!;
    const free = await slot(me, 20 * DAY, ['chat']);
    const taken = await slot(me, 21 * DAY, ['chat']);
    await book(c.clients[0]!.token, taken, 'chat').expect(201);
    const other1 = await slot(c.counselors[2]!, 22 * DAY, ['chat']);
    const before = await count('SELECT COUNT(*) AS n FROM slots');
    expect(((await t.http().delete(`/api/slots/${taken}`).set(auth(me.token)).expect(409)).body as ErrorBody).error.code).toBe('CONFLICT');
    expect(((await t.http().delete(`/api/slots/${other1}`).set(auth(me.token)).expect(404)).body as ErrorBody).error.code).toBe('NOT_FOUND');
    await t.http().delete('/api/slots/00000000-0000-4000-8000-000000000000').set(auth(me.token)).expect(404);
    await t.http().delete(`/api/slots/${free}`).set(auth(c.clients[0]!.token)).expect(403);
    await t.http().delete(`/api/slots/${free}`).set(auth(other.counselors[0]!.token)).expect(404);
    expect(await count('SELECT COUNT(*) AS n FROM slots')).toBe(before);
    await t.http().delete(`/api/slots/${free}`).set(auth(me.token)).expect(204);
    expect(await count('SELECT COUNT(*) AS n FROM slots')).toBe(before - 1);
  });

  it('should let either side cancel: the slot is free again, the other side gets the push and a link-only mail; twice is CONFLICT', async () => {
    const me = c.counselors[1]!;
    const client = await confirmedClient();
    const id = await slot(me, 8 * DAY, ['chat']);
    const { appointmentId } = (await book(client.token, id, 'chat').expect(201)).body as { appointmentId: string };
    // not theirs: NOT_FOUND, nothing changes
    for (const who of [c.counselors[0]!, c.clients[0]!, other.clients[0]!]) {
      const r = await t.http().delete(`/api/appointments/${appointmentId}`).set(auth(who.token)).expect(404);
      expect((r.body as ErrorBody).error.code).toBe('NOT_FOUND');
    }
    await t.http().delete('/api/appointments/not-a-uuid').set(auth(client.token)).expect(404);
    expect((await list(client.token)).find((a) => a.id === appointmentId)!.status).toBe('booked');

    const counselorSocket = await connect(t.url, me.token);
    const push = nextEvent(counselorSocket, 'appointment.changed');
    const before = mailsTo(me.login).length;
    await t.http().delete(`/api/appointments/${appointmentId}`).set(auth(client.token)).expect(204);
    expect(await push).toEqual({ appointmentId });
    expect((await list(client.token)).find((a) => a.id === appointmentId)).toMatchObject({ status: 'cancelled', cancelledBy: 'client' });
    expect((await list(me.token)).find((a) => a.id === appointmentId)).toMatchObject({ status: 'cancelled', cancelledBy: 'client' });
    expect((await ownSlots(me.token)).find((s) => s.id === id)).toMatchObject({ status: 'free', appointmentId: null });
    expect((await freeSlots(c.clients[0]!)).some((s) => s.id === id)).toBe(true);
    const mail = mailsTo(me.login).slice(before);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toContain('abgesagt');
    expect(mail[0]).not.toContain(client.displayName);

    const twice = await t.http().delete(`/api/appointments/${appointmentId}`).set(auth(me.token)).expect(409);
    expect((twice.body as ErrorBody).error.code).toBe('CONFLICT');

    // the counselor cancels a new booking: the client is mailed at the confirmed address
    const second = (await book(client.token, id, 'chat').expect(201)).body as { appointmentId: string };
    const clientBefore = mailsTo(client.email).length;
    await t.http().delete(`/api/appointments/${second.appointmentId}`).set(auth(me.token)).expect(204);
    expect((await list(client.token)).find((a) => a.id === second.appointmentId)).toMatchObject({ cancelledBy: 'counselor' });
    expect(mailsTo(client.email).length).toBe(clientBefore + 1);

    // a third booking takes place; once it is over it cannot be called off
    const third = (await book(client.token, id, 'chat').expect(201)).body as { appointmentId: string };
    // a cancelled appointment leaves the list once its end has passed, a booked one stays
    await advance(8 * DAY + 2 * HOUR, [client]);
    const after = await list(client.token);
    expect(after.some((a) => a.id === appointmentId || a.id === second.appointmentId)).toBe(false);
    expect(after.find((a) => a.id === third.appointmentId)).toMatchObject({ status: 'booked' });
    const over = await t.http().delete(`/api/appointments/${third.appointmentId}`).set(auth(client.token)).expect(409);
    expect((over.body as ErrorBody).error.message).toMatch(/over/);
    expect((await list(client.token)).find((a) => a.id === third.appointmentId)).toMatchObject({ status: 'booked', cancelledBy: null });
  });

  it('should sweep ended free slots at once and appointments 30 days after their end', async () => {
    const me = c.counselors[2]!;
    const client = c.clients[1]!;
    const sweeper = t.app.get(AppointmentErasureService);
    await advance(0, [me, client]);
    const freeId = await slot(me, 40 * DAY, ['chat']);
    const bookedId = await slot(me, 41 * DAY, ['chat']);
    const { appointmentId } = (await book(client.token, bookedId, 'chat').expect(201)).body as { appointmentId: string };
    await advance(42 * DAY, [client]);
    await sweeper.sweep(c.centerId, clock.now());
    expect(await count('SELECT COUNT(*) AS n FROM slots WHERE id = ?', [freeId])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE id = ?', [appointmentId])).toBe(1);
    // a past booked appointment still shows until the sweep takes it
    expect((await list(client.token)).some((a) => a.id === appointmentId)).toBe(true);
    await advance(30 * DAY, []);
    await sweeper.sweep(c.centerId, clock.now());
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE id = ?', [appointmentId])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM slots WHERE id = ?', [bookedId])).toBe(0);
  });

  it('should delete a client’s appointments with the account and free their slots; a counselor’s slots and appointments with theirs, mailing the clients', async () => {
    const [me, stays] = [c.counselors[0]!, c.counselors[1]!];
    await advance(0, [me, stays, c.admin]);
    const leaver = await confirmedClient();
    const keeper = await confirmedClient();
    const s1 = await slot(me, 2 * DAY, ['chat']);
    await book(leaver.token, s1, 'chat').expect(201);
    const s2 = await slot(stays, 3 * DAY, ['chat']);
    await book(keeper.token, s2, 'chat').expect(201);
    await t.http().delete('/api/accounts/me').set(auth(leaver.token)).send({ password: PASSWORD }).expect(204);
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE client_id = ?', [leaver.id])).toBe(0);
    expect((await ownSlots(me.token)).find((s) => s.id === s1)).toMatchObject({ status: 'free' });

    // the counselor goes: their slots and appointments, the client is told
    const s3 = await slot(stays, 4 * DAY, ['chat']);
    const before = mailsTo(keeper.email).length;
    await t.http().delete(`/api/centers/${c.slug}/staff/${stays.id}`).set(auth(c.admin.token)).expect(204);
    expect(await slotRows(stays.id)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM appointments WHERE counselor_id = ?', [stays.id])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM slots WHERE id IN (?, ?)', [s2, s3])).toBe(0);
    expect(mailsTo(keeper.email).length).toBe(before + 1);
    expect(await list(keeper.token)).toEqual([]);
  });
});
