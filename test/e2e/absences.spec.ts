import { DataSource } from 'typeorm';
import { AbsencesService } from '../../src/modules/absences/absences.service';
import { THREAD_ABSENCE } from '../../src/modules/threads/thread-absence.port';
import { ThreadPorts } from '../../src/modules/threads/thread-ports';
import { THREAD_LIMITS, type AbsenceListItem, type AbsenceView, type ThreadPostView, type ThreadView } from '../../src/realtime/contract';
import { TestClock } from '../harness/clock';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { readOutbox } from '../harness/outbox';
import { ThreadSeed } from '../harness/thread-seed';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

interface ErrorBody {
  error: { code: string; fields?: string[] };
}

describe('absence assistant (REST)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startApp({ clock });
    c = await seedCenter(t, { counselors: 3, clients: 1 });
    other = await seedCenter(t, { counselors: 1, clients: 0 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const bearer = (token: string) => `Bearer ${token}`;
  const put = (token: string, body: object) => t.http().put('/api/absence').set('Authorization', bearer(token)).send(body);
  const mine = async (token: string): Promise<AbsenceView | null> =>
    ((await t.http().get('/api/absence').set('Authorization', bearer(token)).expect(200)).body as { absence: AbsenceView | null }).absence;
  const list = async (token: string): Promise<AbsenceListItem[]> =>
    (await t.http().get('/api/absences').set('Authorization', bearer(token)).expect(200)).body as AbsenceListItem[];
  const at = (ms: number) => clock.in(ms).toISOString();

  it('should set, show, replace and end a counselor’s own absence', async () => {
    const me = c.counselors[0]!;
    expect(await mine(me.token)).toBeNull();
    const res = await put(me.token, { startsAt: at(-HOUR), endsAt: at(2 * DAY), text: '  Ich bin bis Donnerstag im Urlaub.  ' }).expect(200);
    expect((res.body as { absence: AbsenceView }).absence).toMatchObject({ text: 'Ich bin bis Donnerstag im Urlaub.', active: true });
    expect(await mine(me.token)).toMatchObject({ text: 'Ich bin bis Donnerstag im Urlaub.', active: true });

    // a second PUT replaces the first: one absence per counselor
    await put(me.token, { startsAt: at(DAY), endsAt: at(3 * DAY), text: 'Ab morgen weg.' }).expect(200);
    expect(await mine(me.token)).toMatchObject({ text: 'Ab morgen weg.', active: false });
    const rows = await t.app.get(DataSource).query<unknown[]>('SELECT id FROM absences WHERE counselor_id = ?', [me.id]);
    expect(rows).toHaveLength(1);

    await t.http().delete('/api/absence').set('Authorization', bearer(me.token)).expect(204);
    expect(await mine(me.token)).toBeNull();
    // nothing to end: still fine
    await t.http().delete('/api/absence').set('Authorization', bearer(me.token)).expect(204);
  });

  it('should answer VALIDATION_FAILED when the end lies before the start or in the past, or the body is malformed', async () => {
    const me = c.counselors[1]!;
    // one instant for both ends: two calls of `at` can fall on two different milliseconds
    const tomorrow = at(DAY);
    const cases: [object, string][] = [
      [{ startsAt: at(2 * DAY), endsAt: at(DAY), text: 'x' }, 'endsAt'],
      [{ startsAt: tomorrow, endsAt: tomorrow, text: 'x' }, 'endsAt'],
      [{ startsAt: at(-2 * DAY), endsAt: at(-HOUR), text: 'x' }, 'endsAt'],
      [{ startsAt: at(0), endsAt: at(400 * DAY), text: 'x' }, 'endsAt'],
      [{ startsAt: at(0), endsAt: at(DAY), text: '   ' }, 'text'],
      [{ startsAt: at(0), endsAt: at(DAY), text: 'x'.repeat(1001) }, 'text'],
      [{ startsAt: 'tomorrow', endsAt: at(DAY), text: 'x' }, 'startsAt'],
      [{ startsAt: at(0), endsAt: at(DAY) }, 'text'],
    ];
    for (const [body, field] of cases) {
      const res = await put(me.token, body).expect(400);
      expect((res.body as ErrorBody).error.code).toBe('VALIDATION_FAILED');
      expect((res.body as ErrorBody).error.fields).toContain(field);
    }
    expect(await mine(me.token)).toBeNull();
  });

  it('should refuse clients and missing tokens, and list absences to the center’s admin only', async () => {
    const [a, b] = [c.counselors[0]!, c.counselors[2]!];
    await put(a.token, { startsAt: at(-HOUR), endsAt: at(DAY), text: 'Krank.' }).expect(200);
    await put(b.token, { startsAt: at(5 * DAY), endsAt: at(8 * DAY), text: 'Fortbildung.' }).expect(200);
    await put(other.counselors[0]!.token, { startsAt: at(-HOUR), endsAt: at(DAY), text: 'Anderes Zentrum.' }).expect(200);

    await t.http().get('/api/absence').expect(401);
    await t.http().get('/api/absences').expect(401);
    await put(c.clients[0]!.token, { startsAt: at(0), endsAt: at(DAY), text: 'x' }).expect(403);
    await t.http().get('/api/absences').set('Authorization', bearer(a.token)).expect(403);
    await t.http().get('/api/absences').set('Authorization', bearer(c.clients[0]!.token)).expect(403);

    const items = await list(c.admin.token);
    expect(items.map((i) => [i.counselor.id, i.counselor.displayName, i.text, i.active])).toEqual([
      [a.id, a.displayName, 'Krank.', true],
      [b.id, b.displayName, 'Fortbildung.', false],
    ]);
    expect((await list(other.admin.token)).map((i) => i.text)).toEqual(['Anderes Zentrum.']);
  });

  it('should answer activeFor only while the absence runs, by the injected clock', async () => {
    const me = c.counselors[2]!;
    const absences = t.app.get(AbsencesService);
    await put(me.token, { startsAt: at(HOUR), endsAt: at(2 * HOUR), text: 'Kurz weg.' }).expect(200);
    expect(await absences.activeFor(c.centerId, me.id)).toBeNull();
    clock.advance(HOUR);
    expect(await absences.activeFor(c.centerId, me.id)).toMatchObject({ text: 'Kurz weg.' });
    expect(await absences.activeFor(other.centerId, me.id)).toBeNull();
    clock.advance(HOUR);
    expect(await absences.activeFor(c.centerId, me.id)).toBeNull();
    expect(await mine(me.token)).toBeNull();
  });

  it('should let the admin post a notice from the center only while the thread’s counselor is absent', async () => {
    const [me, client] = [c.counselors[0]!, c.clients[0]!];
    const seed = new ThreadSeed(t, clock);
    const thread = await seed.open(c.centerId, me.id, [client.id]);
    const notice = (token: string, body: object, id = thread) => t.http().post(`/api/threads/${id}/notices`).set('Authorization', bearer(token)).send(body);
    await t.http().delete('/api/absence').set('Authorization', bearer(me.token)).expect(204);

    const early = await notice(c.admin.token, { body: 'Die Beraterin ist bald zurück.' }).expect(409);
    expect((early.body as ErrorBody).error.code).toBe('CONFLICT');

    await put(me.token, { startsAt: at(-HOUR), endsAt: at(DAY), text: 'Bis morgen krank.' }).expect(200);
    // the port the threads module asks (thread view, mails)
    expect(await t.app.get(ThreadPorts).get(THREAD_ABSENCE).activeFor(c.centerId, me.id)).toMatchObject({ text: 'Bis morgen krank.' });

    for (const who of [me, client, c.counselors[2]!, other.admin]) {
      const res = await notice(who.token, { body: 'x' });
      expect([who.displayName, res.status, (res.body as ErrorBody).error.code]).toEqual([who.displayName, 404, 'NOT_FOUND']);
    }
    await t.http().post(`/api/threads/${thread}/notices`).send({ body: 'x' }).expect(401);
    await notice(c.admin.token, { body: 'x' }, '00000000-0000-4000-8000-000000000000').expect(404);
    await notice(c.admin.token, { body: 'x' }, 'not-a-uuid').expect(404);
    for (const body of [{ body: '  ' }, {}, { body: 'x'.repeat(20_001) }]) {
      const res = await notice(c.admin.token, body).expect(400);
      expect((res.body as ErrorBody).error.code).toBe('VALIDATION_FAILED');
    }

    const first = (await notice(c.admin.token, { body: 'Wir melden uns morgen.', clientPostId: 'n-1' }).expect(201)).body as { id: string; seq: number };
    const again = (await notice(c.admin.token, { body: 'Wir melden uns morgen.', clientPostId: 'n-1' }).expect(201)).body as { id: string; seq: number };
    expect(again).toEqual(first);
    const rows = await t.app
      .get(DataSource)
      .query<{ id: string; kind: string; sender_role: string; sender_id: string; body: string }[]>(
        'SELECT id, kind, sender_role, sender_id, body FROM thread_posts WHERE thread_id = ?',
        [thread],
      );
    expect(rows.map((r) => [r.id, r.kind, r.sender_role, r.sender_id])).toEqual([[first.id, 'center_notice', 'admin', c.admin.id]]);
    expect(rows[0]!.body).not.toContain('melden uns');

    // a waiting thread has no counselor to be absent
    const waiting = await seed.open(c.centerId, null, [c.clients[0]!.id], 'enquiry');
    await notice(c.admin.token, { body: 'x' }, waiting).expect(409);
    // once the absence ended, no more notices
    await t.http().delete('/api/absence').set('Authorization', bearer(me.token)).expect(204);
    await notice(c.admin.token, { body: 'zu spät' }).expect(409);
  });

  it('should show the client the absence at once, mail the admins instead of the counselor and show the center’s notice in the thread', async () => {
    const me = c.counselors[2]!;
    const client = c.clients[0]!;
    const created = await t
      .http()
      .post('/api/threads')
      .set('Authorization', bearer(client.token))
      .send({ subject: 'Hilfe', body: 'Erste Nachricht' })
      .expect(201);
    const thread = (created.body as { id: string }).id;
    await t.http().post(`/api/threads/${thread}/assign`).set('Authorization', bearer(c.admin.token)).send({ counselorId: me.id }).expect(200);
    const view = async () => (await t.http().get(`/api/threads/${thread}`).set('Authorization', bearer(client.token)).expect(200)).body as ThreadView;
    expect((await view()).absence).toBeNull();

    // the client's open thread page is told to re-read the thread at once
    const socket = await connect(t.url, client.token);
    const updated = nextEvent(socket, 'thread.updated');
    await put(me.token, { startsAt: at(-HOUR), endsAt: at(3 * DAY), text: 'Ich bin bis Freitag nicht da.' }).expect(200);
    await expect(updated).resolves.toEqual({ threadId: thread });
    expect((await view()).absence).toMatchObject({ text: 'Ich bin bis Freitag nicht da.' });

    const mails = (address: string) => readOutbox(t.config.dataDir).filter((m) => m.toLowerCase().includes(`to: ${address.toLowerCase()}`)).length;
    const [toCounselor, toAdmin] = [mails(me.login), mails(c.admin.login)];
    // past the 15-minute throttle of the assignment mail
    clock.advance(THREAD_LIMITS.mailThrottleMs + 1000);
    await t
      .http()
      .post(`/api/threads/${thread}/posts`)
      .set('Authorization', bearer(client.token))
      .send({ body: 'Sind Sie da?', clientPostId: 'abs-1' })
      .expect(201);
    // the post's answer comes after its commit and its notification (appendPost awaits THREAD_POST_CREATED)
    expect(mails(c.admin.login)).toBe(toAdmin + 1);
    expect(mails(me.login)).toBe(toCounselor);

    const notice = await t
      .http()
      .post(`/api/threads/${thread}/notices`)
      .set('Authorization', bearer(c.admin.token))
      .send({ body: 'Wir antworten Ihnen bald.' })
      .expect(201);
    const posts = (
      (await t.http().get(`/api/threads/${thread}/posts?afterSeq=0`).set('Authorization', bearer(client.token)).expect(200)).body as { posts: ThreadPostView[] }
    ).posts;
    const shown = posts.find((p) => p.id === (notice.body as { id: string }).id);
    expect(shown).toMatchObject({ kind: 'center_notice', body: 'Wir antworten Ihnen bald.' });
    // the admin still reads no posts
    await t.http().get(`/api/threads/${thread}/posts?afterSeq=0`).set('Authorization', bearer(c.admin.token)).expect(404);
    await t.http().delete('/api/absence').set('Authorization', bearer(me.token)).expect(204);
    expect((await view()).absence).toBeNull();
  });

  it('should keep no plaintext in the row and delete the absence with its counselor', async () => {
    const me = c.counselors[1]!;
    await put(me.token, { startsAt: at(0), endsAt: at(DAY), text: 'Geheimer Urlaubsort, Insel 4711' }).expect(200);
    const ds = t.app.get(DataSource);
    const rows = await ds.query<{ text_enc: string }[]>('SELECT text_enc FROM absences WHERE counselor_id = ?', [me.id]);
    expect(rows[0]!.text_enc).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain('Urlaubsort, Insel');
    await t.http().delete(`/api/centers/${c.slug}/staff/${me.id}`).set('Authorization', bearer(c.admin.token)).expect(204);
    expect(await ds.query<unknown[]>('SELECT id FROM absences WHERE counselor_id = ?', [me.id])).toHaveLength(0);
  });
});
