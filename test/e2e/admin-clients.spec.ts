import { DataSource } from 'typeorm';
import type { InactiveClientView } from '../../src/modules/admin/inactive-clients.service';
import type { LiveOverview } from '../../src/modules/live-queue/live-overview.service';
import type { LoginResult } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp, visitor } from '../harness/app';
import { readOutbox } from '../harness/outbox';

const PASSWORD = 'Correct-Horse-9-Battery';
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('admin: inactive clients and the live overview', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  let n = 0;
  const bearer = (token: string) => `Bearer ${token}`;
  const inactive = async () =>
    (await t.http().get(`/api/centers/${c.slug}/clients/inactive`).set('Authorization', bearer(c.admin.token)).expect(200)).body as InactiveClientView[];
  const overview = async () =>
    (await t.http().get(`/api/centers/${c.slug}/live/overview`).set('Authorization', bearer(c.admin.token)).expect(200)).body as LiveOverview;

  async function register(email?: string): Promise<LoginResult> {
    const res = await t
      .http()
      .post('/api/auth/register')
      .send({ center: c.slug, username: `person-${++n}-${c.slug}`.slice(0, 40), password: PASSWORD, ...(email ? { email } : {}) })
      .expect(201);
    return res.body as LoginResult;
  }

  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 2, clients: 0 });
    other = await seedCenter(t, { counselors: 0, clients: 1 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should list clients who never confirmed their email or never wrote, and not those who did both', async () => {
    const silent = await register();
    const unconfirmed = await register(`unconfirmed${n}@mail.example`);
    const activeEmail = `active-${c.slug}@mail.example`;
    const active = await register(activeEmail);
    // `active` confirms and writes in a room with a counselor
    const link = readOutbox(t.config.dataDir).find((m) => m.includes(activeEmail)) ?? '';
    const token = /token=([A-Za-z0-9_-]+)/.exec(link)?.[1] ?? '';
    await t.http().post('/api/auth/confirm-email').send({ center: c.slug, token }).expect(204);
    const counselor = await connect(t.url, c.counselors[0]!.token);
    const { roomId } = ok(await call(counselor, 'room.create', { name: 'Gespräch', memberIds: [active.account.id] }));
    const client = await connect(t.url, active.token);
    ok(await call(client, 'room.join', { roomId }));
    ok(await call(client, 'message.send', { roomId, clientMsgId: 'm-1', body: 'Hallo' }));

    const list = await inactive();
    expect(list.map((x) => x.id).sort()).toEqual([silent.account.id, unconfirmed.account.id].sort());
    expect(list.find((x) => x.id === unconfirmed.account.id)).toEqual({
      id: unconfirmed.account.id,
      displayName: unconfirmed.account.displayName,
      createdAt: expect.any(String) as string,
      emailGiven: true,
      emailConfirmed: false,
      hasWritten: false,
    });
    // other centers' clients never appear
    expect(list.some((x) => x.id === other.clients[0]!.id)).toBe(false);
  });

  it('should refuse the client routes with FORBIDDEN when a counselor or a client calls them', async () => {
    const someone = await register();
    for (const token of [c.counselors[0]!.token, someone.token]) {
      for (const req of [t.http().get(`/api/centers/${c.slug}/clients/inactive`), t.http().delete(`/api/centers/${c.slug}/clients/${someone.account.id}`)]) {
        const res = await req.set('Authorization', bearer(token));
        expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([403, 'FORBIDDEN']);
      }
    }
  });

  it("should answer NOT_FOUND when the admin deletes another center's client, a staff member or no uuid", async () => {
    for (const id of [other.clients[0]!.id, c.counselors[0]!.id, MISSING, 'nope']) {
      const res = await t.http().delete(`/api/centers/${c.slug}/clients/${id}`).set('Authorization', bearer(c.admin.token));
      expect([id, res.status]).toEqual([id, 404]);
    }
    await t.http().get('/api/auth/me').set('Authorization', bearer(other.clients[0]!.token)).expect(200);
    await t.http().get('/api/auth/me').set('Authorization', bearer(c.counselors[0]!.token)).expect(200);
  });

  it('should remove the client and everything of theirs and end their session when the admin deletes them', async () => {
    const email = `gone-${c.slug}@mail.example`;
    const gone = await register(email);
    const socket = await connect(t.url, gone.token);
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect(readOutbox(t.config.dataDir).some((m) => m.includes(email))).toBe(true);
    await t.http().delete(`/api/centers/${c.slug}/clients/${gone.account.id}`).set('Authorization', bearer(c.admin.token)).expect(204);
    await expect(dropped).resolves.toBe('io server disconnect');
    await t.http().get('/api/auth/me').set('Authorization', bearer(gone.token)).expect(401);
    const rows = await t.app.get(DataSource).query<unknown[]>('SELECT id FROM accounts WHERE id = ?', [gone.account.id]);
    expect(rows).toEqual([]);
    // as in self-deletion, the confirmation mail to their address is gone from the outbox too
    expect(readOutbox(t.config.dataDir).some((m) => m.includes(email))).toBe(false);
    expect((await inactive()).some((x) => x.id === gone.account.id)).toBe(false);
    await t.http().post('/api/auth/login').send({ center: c.slug, login: gone.account.displayName, password: PASSWORD }).expect(401);
  });

  it('should show who is on shift, their chats and how many wait, without any visitor data', async () => {
    const before = await overview();
    expect(before).toEqual({
      waiting: 0,
      counselors: expect.arrayContaining([
        { id: c.counselors[0]!.id, displayName: c.counselors[0]!.displayName, onShift: false, chats: 0, maxChats: 0, away: false },
      ]) as unknown,
    });
    const counselor = await connect(t.url, c.counselors[1]!.token);
    ok(await call(counselor, 'shift.open', { maxChats: 1 }));
    const v1 = await visitor(t, c.slug);
    const v2 = await visitor(t, c.slug);
    const s1 = await connect(t.url, v1.token);
    const assigned = nextEvent(s1, 'queue.assigned');
    ok(await call(s1, 'queue.join', {}));
    await assigned;
    const s2 = await connect(t.url, v2.token);
    expect(ok(await call(s2, 'queue.join', { message: 'Ich brauche Hilfe' }))).toEqual({ position: 1 });

    const now = await overview();
    expect(now.waiting).toBe(1);
    expect(now.counselors[0]).toEqual({
      id: c.counselors[1]!.id,
      displayName: c.counselors[1]!.displayName,
      onShift: true,
      chats: 1,
      maxChats: 1,
      away: false,
    });
    const text = JSON.stringify(now);
    for (const secret of [v1.visitorId, v2.visitorId, 'Ich brauche Hilfe']) expect(text).not.toContain(secret);

    for (const token of [c.counselors[0]!.token]) {
      const res = await t.http().get(`/api/centers/${c.slug}/live/overview`).set('Authorization', bearer(token));
      expect(res.status).toBe(403);
    }
    const foreign = await t.http().get(`/api/centers/${c.slug}/live/overview`).set('Authorization', bearer(other.admin.token));
    expect(foreign.status).toBe(403);
  });
});
