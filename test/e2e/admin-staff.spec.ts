import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import type { LoginResult } from '../../src/realtime/contract';
import type { CreateStaffResult, StaffView } from '../../src/modules/admin/staff.service';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { StaffRemovalService } from '../../src/modules/accounts/staff-removal.service';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, login, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { readOutbox } from '../harness/outbox';
import { createStaff } from '../factories';

/** A clock the test moves (invitation expiry), starting at the real time. */
class ManualClock extends Clock {
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

const PASSWORD = 'Correct-Horse-9-Battery';
const HOUR = 60 * 60 * 1000;
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('admin: staff', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let clock: ManualClock;
  let c: SeededCenter;
  let other: SeededCenter;
  let n = 0;
  const bearer = (token: string) => `Bearer ${token}`;
  const staffList = async () =>
    (await t.http().get(`/api/centers/${c.slug}/staff`).set('Authorization', bearer(c.admin.token)).expect(200)).body as StaffView[];

  /** Invites somebody and returns the link's token from the outbox. */
  async function invite(role: 'counselor' | 'admin' = 'counselor'): Promise<{ id: string; email: string; token: string }> {
    const email = `invited${++n}@${c.slug}.example`;
    const res = await t
      .http()
      .post(`/api/centers/${c.slug}/staff`)
      .set('Authorization', bearer(c.admin.token))
      .send({ email, displayName: `Invited ${n}`, role })
      .expect(201);
    const body = res.body as CreateStaffResult;
    expect(body).toEqual({ id: expect.any(String) as string, invitationSent: true });
    const mail = readOutbox(t.config.dataDir).find((m) => m.includes(email));
    const token = /\/c\/[a-z0-9-]+\/invitation#token=([A-Za-z0-9_-]+)/.exec(mail ?? '')?.[1];
    if (!token) throw new Error('no invitation link in the outbox');
    return { id: body.id, email, token };
  }

  const accept = (token: string, password = PASSWORD) => t.http().post('/api/auth/invitation').send({ center: c.slug, token, password });

  beforeAll(async () => {
    clock = new ManualClock();
    t = await startApp({ clock });
    c = await seedCenter(t, { counselors: 1, clients: 1 });
    other = await seedCenter(t, { counselors: 1, clients: 0 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should list the staff with their status when the admin asks', async () => {
    const list = await staffList();
    expect(list.map((s) => [s.email, s.role, s.status])).toEqual(
      expect.arrayContaining([
        [c.admin.login, 'admin', 'active'],
        [c.counselors[0]!.login, 'counselor', 'active'],
      ]),
    );
    expect(list.some((s) => s.email.endsWith(`${other.slug}.example`))).toBe(false);
  });

  it('should refuse the staff routes with FORBIDDEN when a counselor or a client calls them', async () => {
    for (const token of [c.counselors[0]!.token, c.clients[0]!.token]) {
      const calls = [
        t.http().get(`/api/centers/${c.slug}/staff`),
        t.http().post(`/api/centers/${c.slug}/staff`).send({ email: 'x@y.example', displayName: 'X', role: 'counselor' }),
        t.http().post(`/api/centers/${c.slug}/staff/${c.counselors[0]!.id}/deactivate`),
        t.http().post(`/api/centers/${c.slug}/staff/${c.counselors[0]!.id}/reactivate`),
        t.http().delete(`/api/centers/${c.slug}/staff/${c.counselors[0]!.id}`),
      ];
      for (const req of calls) {
        const res = await req.set('Authorization', bearer(token));
        expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([403, 'FORBIDDEN']);
      }
    }
  });

  it("should answer NOT_FOUND when the admin names another center's staff member, a client or no uuid", async () => {
    for (const id of [other.counselors[0]!.id, c.clients[0]!.id, MISSING, 'not-a-uuid']) {
      for (const req of [
        t.http().post(`/api/centers/${c.slug}/staff/${id}/deactivate`),
        t.http().post(`/api/centers/${c.slug}/staff/${id}/reactivate`),
        t.http().delete(`/api/centers/${c.slug}/staff/${id}`),
      ]) {
        const res = await req.set('Authorization', bearer(c.admin.token));
        expect([id, res.status, (res.body as { error: { code: string } }).error.code]).toEqual([id, 404, 'NOT_FOUND']);
      }
    }
    // and the other center's counselor still logs in
    await login(t, other.slug, other.counselors[0]!.login, PASSWORD);
  });

  it('should invite by a German mail whose link sets the password once and signs in when the invited person accepts it', async () => {
    const { id, email, token } = await invite();
    const mail = readOutbox(t.config.dataDir).find((m) => m.includes(email))!;
    expect(mail).toContain('Guten Tag Invited');
    expect(mail).toContain('72 Stunden');
    expect(mail).toContain(`${t.config.publicUrl}/c/${c.slug}/invitation#token=`);
    expect((await staffList()).find((s) => s.id === id)?.status).toBe('invited');
    // no login before a password is set
    await t.http().post('/api/auth/login').send({ center: c.slug, login: email, password: PASSWORD }).expect(401);
    // a weak password consumes nothing
    const weak = await accept(token, 'short');
    expect([weak.status, (weak.body as { error: { code: string; fields: string[] } }).error]).toEqual([
      400,
      expect.objectContaining({ code: 'VALIDATION_FAILED', fields: ['password'] }),
    ]);
    const res = await accept(token).expect(200);
    const result = res.body as LoginResult;
    expect(result.account).toEqual({ id, role: 'counselor', displayName: expect.stringMatching(/^Invited/) as string });
    await t.http().get('/api/auth/me').set('Authorization', bearer(result.token)).expect(200);
    expect((await staffList()).find((s) => s.id === id)?.status).toBe('active');
    // once only
    const again = await accept(token);
    expect([again.status, (again.body as { error: { code: string } }).error.code]).toEqual([404, 'NOT_FOUND']);
    await login(t, c.slug, email, PASSWORD);
  });

  it('should answer NOT_FOUND when the invitation is older than 72 hours or names another center', async () => {
    const { token } = await invite();
    const wrongCenter = await t.http().post('/api/auth/invitation').send({ center: other.slug, token, password: PASSWORD });
    expect(wrongCenter.status).toBe(404);
    clock.advance(72 * HOUR + 1000);
    try {
      const late = await accept(token);
      expect([late.status, (late.body as { error: { code: string } }).error.code]).toEqual([404, 'NOT_FOUND']);
    } finally {
      clock.advance(-(72 * HOUR + 1000));
    }
    const unknown = await accept('x'.repeat(43));
    expect(unknown.status).toBe(404);
  });

  it('should accept the invitation when it is just under 72 hours old', async () => {
    const { token } = await invite();
    clock.advance(72 * HOUR - 60_000);
    try {
      await accept(token).expect(200);
    } finally {
      clock.advance(-(72 * HOUR - 60_000));
    }
  });

  it('should refuse with VALIDATION_FAILED naming the field when the invite body is wrong, and CONFLICT when the email is taken', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email', displayName: 'X', role: 'counselor' }, 'email'],
      [{ email: 'ok@x.example', displayName: '', role: 'counselor' }, 'displayName'],
      [{ email: 'ok@x.example', displayName: 'X', role: 'client' }, 'role'],
      [{ email: 'ok@x.example', displayName: 'X', role: 'counselor', password: 'x' }, 'password'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http().post(`/api/centers/${c.slug}/staff`).set('Authorization', bearer(c.admin.token)).send(body);
      expect([res.status, (res.body as { error: { fields: string[] } }).error.fields]).toEqual([400, [field]]);
    }
    const taken = await t
      .http()
      .post(`/api/centers/${c.slug}/staff`)
      .set('Authorization', bearer(c.admin.token))
      .send({ email: c.counselors[0]!.login, displayName: 'Again', role: 'counselor' });
    expect(taken.status).toBe(409);
  });

  it('should end the open socket and every session at once and refuse login like a wrong password when a counselor is deactivated', async () => {
    const { id, email, token } = await invite();
    const session = (await accept(token).expect(200)).body as LoginResult;
    const second = await login(t, c.slug, email, PASSWORD);
    const socket = await connect(t.url, session.token);
    ok(await call(socket, 'shift.open', { maxChats: 2 }));
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await t.http().post(`/api/centers/${c.slug}/staff/${id}/deactivate`).set('Authorization', bearer(c.admin.token)).expect(200, {});
    await expect(dropped).resolves.toBe('io server disconnect');
    for (const tok of [session.token, second.token]) await t.http().get('/api/auth/me').set('Authorization', bearer(tok)).expect(401);
    await expect(connect(t.url, session.token)).rejects.toThrow('UNAUTHORIZED');
    const refused = await t.http().post('/api/auth/login').send({ center: c.slug, login: email, password: PASSWORD });
    const wrong = await t.http().post('/api/auth/login').send({ center: c.slug, login: email, password: 'Wrong-Horse-9-Battery' });
    expect([refused.status, refused.body]).toEqual([wrong.status, wrong.body]);
    expect((await staffList()).find((s) => s.id === id)?.status).toBe('deactivated');

    await t.http().post(`/api/centers/${c.slug}/staff/${id}/reactivate`).set('Authorization', bearer(c.admin.token)).expect(200, {});
    expect((await staffList()).find((s) => s.id === id)?.status).toBe('active');
    await login(t, c.slug, email, PASSWORD);
  });

  it('should keep an invitation unusable while deactivated and usable again after reactivation', async () => {
    const { id, token } = await invite();
    await t.http().post(`/api/centers/${c.slug}/staff/${id}/deactivate`).set('Authorization', bearer(c.admin.token)).expect(200);
    expect((await accept(token)).status).toBe(404);
    await t.http().post(`/api/centers/${c.slug}/staff/${id}/reactivate`).set('Authorization', bearer(c.admin.token)).expect(200);
    expect((await staffList()).find((s) => s.id === id)?.status).toBe('invited');
    await accept(token).expect(200);
  });

  it('should refuse with CONFLICT when the admin deactivates or deletes themselves or the last active admin', async () => {
    for (const req of [t.http().post(`/api/centers/${c.slug}/staff/${c.admin.id}/deactivate`), t.http().delete(`/api/centers/${c.slug}/staff/${c.admin.id}`)]) {
      const res = await req.set('Authorization', bearer(c.admin.token));
      expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([409, 'CONFLICT']);
    }
    const last = await t.http().delete(`/api/centers/${c.slug}/staff/${c.admin.id}`).set('Authorization', bearer(c.admin.token));
    expect(last.status).toBe(409);
  });

  /**
   * `size` admins of a fresh center take each other out (`verb`) at one moment, each the next one in
   * a ring. Returns the answers' statuses and how many active admins are left.
   */
  async function ring(size: number, verb: 'deactivate' | 'delete'): Promise<{ statuses: number[]; active: number }> {
    const race = await seedCenter(t, { counselors: 0, clients: 0 });
    const admins = [
      race.admin,
      ...(await Promise.all(Array.from({ length: size - 1 }, () => createStaff(t, { id: race.centerId, slug: race.slug }, { role: 'admin' })))),
    ];
    const answers = await Promise.all(
      admins.map((caller, i) => {
        const target = admins[(i + 1) % size]!;
        const path = `/api/centers/${race.slug}/staff/${target.id}`;
        const req = verb === 'delete' ? t.http().delete(path) : t.http().post(`${path}/deactivate`);
        return req.set('Authorization', bearer(caller.token));
      }),
    );
    const rows = await t.app
      .get(DataSource)
      .query<{ n: number | string }[]>("SELECT COUNT(*) AS n FROM accounts WHERE center_id = ? AND role = 'admin' AND status = 'active'", [race.centerId]);
    return { statuses: answers.map((a) => a.status), active: Number(rows[0]!.n) };
  }

  it('should leave one active admin when two admins take each other out at the same moment', async () => {
    // several rounds: a take-out that is not serialised loses some of them, not each one
    for (let round = 0; round < 6; round++) {
      const { statuses, active } = await ring(2, round % 2 === 0 ? 'deactivate' : 'delete');
      // one wins; the other is refused (409 when both ran at once, 401 when its caller was out already)
      expect(statuses.filter((status) => status === 200 || status === 204)).toHaveLength(1);
      expect(statuses.filter((status) => status !== 200 && status !== 204).every((status) => status === 409 || status === 401)).toBe(true);
      expect(active).toBe(1);
    }
  });

  it('should refuse a take-out by an admin who was taken out after their request passed authentication', async () => {
    const race = await seedCenter(t, { counselors: 1, clients: 0 });
    const late = await createStaff(t, { id: race.centerId, slug: race.slug }, { role: 'admin' });
    await t.http().post(`/api/centers/${race.slug}/staff/${late.id}/deactivate`).set('Authorization', bearer(race.admin.token)).expect(200);
    // the service step of a request whose token check ran before the deactivation committed
    const removal = t.app.get(StaffRemovalService);
    const counselor = (await t.app.get(AccountsService).findById(race.centerId, race.counselors[0]!.id))!;
    const refused = removal.deactivate(counselor, 'last admin', late.id);
    await expect(refused).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await t.app.get(AccountsService).findById(race.centerId, counselor.id))?.status).toBe('active');
    // the admin who is still active may
    await removal.deactivate(counselor, 'last admin', race.admin.id);
    expect((await t.app.get(AccountsService).findById(race.centerId, counselor.id))?.status).toBe('deactivated');
  });

  it('should keep an active admin and take out one admin for each success when three admins take each other out at once', async () => {
    for (const verb of ['deactivate', 'delete'] as const) {
      for (let round = 0; round < 3; round++) {
        const { statuses, active } = await ring(3, verb);
        const won = statuses.filter((status) => status === 200 || status === 204).length;
        expect(active).toBeGreaterThanOrEqual(1);
        expect(won).toBeGreaterThanOrEqual(1);
        expect(won).toBe(3 - active);
        expect(statuses.filter((status) => status !== 200 && status !== 204).every((status) => status === 409 || status === 401)).toBe(true);
      }
    }
  });

  it('should delete a staff member so that their sessions end, they cannot log in and their email is free again', async () => {
    const { id, email, token } = await invite();
    const session = (await accept(token).expect(200)).body as LoginResult;
    await t.http().delete(`/api/centers/${c.slug}/staff/${id}`).set('Authorization', bearer(c.admin.token)).expect(204);
    await t.http().get('/api/auth/me').set('Authorization', bearer(session.token)).expect(401);
    await t.http().post('/api/auth/login').send({ center: c.slug, login: email, password: PASSWORD }).expect(401);
    expect((await staffList()).some((s) => s.id === id)).toBe(false);
    await t.http().delete(`/api/centers/${c.slug}/staff/${id}`).set('Authorization', bearer(c.admin.token)).expect(404);
    await t
      .http()
      .post(`/api/centers/${c.slug}/staff`)
      .set('Authorization', bearer(c.admin.token))
      .send({ email, displayName: 'Back', role: 'counselor' })
      .expect(201);
  });
});

describe('admin: staff without mail (MAIL=off)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  beforeAll(async () => {
    t = await startApp({ env: { MAIL: 'off' } });
    c = await seedCenter(t, { counselors: 0, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  it('should answer with a generated password that logs in when no mail is configured', async () => {
    const res = await t
      .http()
      .post(`/api/centers/${c.slug}/staff`)
      .set('Authorization', `Bearer ${c.admin.token}`)
      .send({ email: `new@${c.slug}.example`, displayName: 'New', role: 'counselor' })
      .expect(201);
    const body = res.body as { id: string; password: string };
    expect(body).toEqual({ id: expect.any(String) as string, password: expect.stringMatching(/^.{16,}$/) as string });
    const session = await login(t, c.slug, `new@${c.slug}.example`, body.password);
    expect(session.id).toBe(body.id);
  });
});
