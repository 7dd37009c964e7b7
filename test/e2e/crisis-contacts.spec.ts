import { DataSource } from 'typeorm';
import { ClientCounselorsService } from '../../src/modules/client-counselors/client-counselors.service';
import type { LoginResult, MyCounselorView, ThreadListItem, ThreadView } from '../../src/realtime/contract';
import { TestClock } from '../harness/clock';
import { closeAllSockets, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { ThreadSeed } from '../harness/thread-seed';

const PASSWORD = 'Correct-Horse-9-Battery';
const HOUR = 60 * 60 * 1000;

interface ErrorBody {
  error: { code: string; fields?: string[] };
}

describe('crisis contacts (REST)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  const clock = new TestClock();
  let seed: ThreadSeed;
  let n = 0;

  beforeAll(async () => {
    t = await startApp({ clock });
    seed = new ThreadSeed(t, clock);
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const bearer = (token: string) => `Bearer ${token}`;
  const setCrisis = (token: string, on: boolean) =>
    t.http().patch('/api/accounts/me').set('Authorization', bearer(token)).send({ crisisContact: on }).expect(200);
  const register = async (c: SeededCenter) => {
    const username = `neu-${++n}-${c.slug}`.slice(0, 40);
    const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD }).expect(201);
    return res.body as LoginResult;
  };
  const myCounselor = async (token: string) =>
    ((await t.http().get('/api/accounts/me/counselor').set('Authorization', bearer(token)).expect(200)).body as MyCounselorView).counselor;
  const enquiry = async (token: string) =>
    (
      (await t.http().post('/api/threads').set('Authorization', bearer(token)).send({ subject: 'Hilfe', body: 'Mir geht es schlecht.' }).expect(201)).body as {
        id: string;
      }
    ).id;
  const threadOf = async (token: string, id: string) =>
    (await t.http().get(`/api/threads/${id}`).set('Authorization', bearer(token)).expect(200)).body as ThreadView;
  const listOf = async (token: string) => (await t.http().get('/api/threads').set('Authorization', bearer(token)).expect(200)).body as ThreadListItem[];
  const assignedRows = async (centerId: string) =>
    Number((await t.app.get(DataSource).query<{ n: number }[]>('SELECT COUNT(*) AS n FROM client_counselors WHERE center_id = ?', [centerId]))[0]!.n);

  it('should refuse bad input to the crisis switch and change nothing, and let a new client wait for the admin as before', async () => {
    const c = await seedCenter(t, { counselors: 2, clients: 1 });
    const anna = c.counselors[0]!;
    for (const body of [
      { crisisContact: 'on' },
      { crisisContact: null },
      { crisisContact: true, displayName: '' },
      { crisisContact: true, teamText: 'x'.repeat(2001) },
    ]) {
      const res = await t.http().patch('/api/accounts/me').set('Authorization', bearer(anna.token)).send(body);
      expect([res.status, (res.body as ErrorBody).error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const forbidden = [
      await t.http().patch('/api/accounts/me').set('Authorization', bearer(c.clients[0]!.token)).send({ crisisContact: true }),
      await t.http().patch('/api/accounts/me').set('Authorization', bearer(c.admin.token)).send({ crisisContact: true }),
      await t.http().get('/api/accounts/me/counselor').set('Authorization', bearer(anna.token)),
    ];
    expect(forbidden.map((r) => [r.status, (r.body as ErrorBody).error.code])).toEqual([
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
    ]);
    await t.http().get('/api/accounts/me/counselor').expect(401);
    expect((await t.http().get('/api/accounts/me/profile').set('Authorization', bearer(anna.token)).expect(200)).body).toMatchObject({ crisisContact: false });

    // nothing was switched on: a new client waits for the admin, as before
    const client = await register(c);
    expect(await myCounselor(client.token)).toBeNull();
    const id = await enquiry(client.token);
    expect(await threadOf(client.token, id)).toMatchObject({ status: 'waiting', counselor: null });
    expect(await assignedRows(c.centerId)).toBe(0);
    await t.http().post(`/api/threads/${id}/assign`).set('Authorization', bearer(c.admin.token)).send({ counselorId: c.counselors[1]!.id }).expect(200);
    expect((await threadOf(client.token, id)).counselor?.id).toBe(c.counselors[1]!.id);
  });

  it('should assign a client who registers to the crisis contact with the fewest open threads, at once, and route their enquiry there', async () => {
    const c = await seedCenter(t, { counselors: 3, clients: 2 });
    const [anna, ben, cem] = [c.counselors[0]!, c.counselors[1]!, c.counselors[2]!];
    await setCrisis(anna.token, true);
    await setCrisis(ben.token, true);
    // Anna is busier: two open threads (a closed one of Ben's does not count); Cem (no crisis switch) has none
    await seed.open(c.centerId, anna.id, [c.clients[0]!.id]);
    await seed.open(c.centerId, anna.id, [c.clients[1]!.id]);
    const closed = await seed.open(c.centerId, ben.id, [c.clients[0]!.id]);
    await seed.open(c.centerId, ben.id, [c.clients[1]!.id]);
    await t.app.get(DataSource).query("UPDATE threads SET status = 'closed' WHERE id = ?", [closed]);

    const client = await register(c);
    expect(await myCounselor(client.token)).toEqual({ id: ben.id, displayName: ben.displayName });
    const assigned = await t.app.get(ClientCounselorsService).counselorOf(c.centerId, client.account.id);
    expect(assigned).toBe(ben.id);
    // the reason is recorded
    const rows = await t.app.get(DataSource).query<{ reason: string }[]>('SELECT reason FROM client_counselors WHERE client_id = ?', [client.account.id]);
    expect(rows).toEqual([{ reason: 'crisis' }]);

    // their enquiry goes to Ben at once: in the client's list, in the thread, and in Ben's list
    const id = await enquiry(client.token);
    expect((await listOf(client.token)).find((x) => x.id === id)).toMatchObject({ status: 'open', counselor: { id: ben.id } });
    expect(await threadOf(client.token, id)).toMatchObject({ status: 'open', counselor: { id: ben.id } });
    expect((await listOf(ben.token)).map((x) => x.id)).toContain(id);
    expect((await listOf(cem.token)).map((x) => x.id)).not.toContain(id);
    // Ben is "their counselor" for threads too
    await t
      .http()
      .post('/api/threads')
      .set('Authorization', bearer(ben.token))
      .send({ clientIds: [client.account.id], subject: 'Nachfrage', body: 'Wie geht es Ihnen?' })
      .expect(201);

    // now Ben has two open threads, Anna two: the tie goes to fewer assigned clients (Anna has none)
    const second = await register(c);
    expect((await myCounselor(second.token))?.id).toBe(anna.id);
  });

  it('should route enquiries of clients without a counselor, and skip crisis contacts who are switched off, hidden by the admin, away or deactivated', async () => {
    const c = await seedCenter(t, { counselors: 3, clients: 2 });
    const [anna, ben, cem] = [c.counselors[0]!, c.counselors[1]!, c.counselors[2]!];
    const [early, late] = [c.clients[0]!, c.clients[1]!];
    // an existing client without a counselor: their enquiry goes to the crisis contact, who becomes theirs
    await setCrisis(anna.token, true);
    const before = await enquiry(early.token);
    expect(await threadOf(early.token, before)).toMatchObject({ status: 'open', counselor: { id: anna.id } });
    expect((await myCounselor(early.token))?.id).toBe(anna.id);
    // switched off: the next one waits; the first client keeps Anna
    await setCrisis(anna.token, false);
    const other = await enquiry(late.token);
    expect(await threadOf(late.token, other)).toMatchObject({ status: 'waiting', counselor: null });
    expect(await myCounselor(late.token)).toBeNull();
    expect((await threadOf(early.token, await enquiry(early.token))).counselor?.id).toBe(anna.id);

    for (const who of [anna, ben, cem]) await setCrisis(who.token, true);
    await t.http().post(`/api/admin/staff/${anna.id}/team-visibility`).set('Authorization', bearer(c.admin.token)).send({ hidden: true }).expect(200);
    await t
      .http()
      .put('/api/absence')
      .set('Authorization', bearer(ben.token))
      .send({ startsAt: clock.in(-HOUR).toISOString(), endsAt: clock.in(48 * HOUR).toISOString(), text: 'Im Urlaub' })
      .expect(200);
    const first = await register(c);
    expect((await myCounselor(first.token))?.id).toBe(cem.id);

    await t.http().post(`/api/centers/${c.slug}/staff/${cem.id}/deactivate`).set('Authorization', bearer(c.admin.token)).expect(200);
    // Cem is gone: his client has no active counselor any more
    expect(await myCounselor(first.token)).toBeNull();
    const second = await register(c);
    expect(await myCounselor(second.token)).toBeNull();
    const waiting = await enquiry(second.token);
    expect(await threadOf(second.token, waiting)).toMatchObject({ status: 'waiting', counselor: null });

    // Ben is back (his absence ended): the enquiry router gives the first client's new enquiry to him, replacing Cem
    await t.http().delete('/api/absence').set('Authorization', bearer(ben.token)).expect(204);
    const id = await enquiry(first.token);
    expect(await threadOf(first.token, id)).toMatchObject({ status: 'open', counselor: { id: ben.id } });
    expect((await myCounselor(first.token))?.id).toBe(ben.id);
  });
});
