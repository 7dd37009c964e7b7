import { DataSource } from 'typeorm';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { PasswordResetService } from '../../src/modules/auth/password-reset.service';
import type { StaffView } from '../../src/modules/admin/staff.service';
import type { LoginResult } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, login, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { readOutbox } from '../harness/outbox';
import { createRoom, createStaff } from '../factories';

const PASSWORD = 'Correct-Horse-9-Battery';
const bearer = (token: string) => `Bearer ${token}`;

/**
 * `DELETE /api/accounts/me` for staff: the same tombstone as the admin's deletion (login freed,
 * sessions ended on every node, canned responses and key gone, what they wrote in rooms kept under
 * their name), never for the last active admin. And password resets only for active accounts.
 */
describe('staff self-deletion', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let n = 0;

  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 1, clients: 1 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    Number((await t.app.get(DataSource).query<{ n: number | string }[]>(sql, params))[0]!.n);
  const cannedCount = (id: string) => count('SELECT COUNT(*) AS n FROM canned_responses WHERE owner_id = ?', [id]);
  const keyCount = (id: string) => count('SELECT COUNT(*) AS n FROM data_keys WHERE center_id = ? AND scope = ?', [c.centerId, `account:${id}`]);
  const statusOf = async (id: string) => (await t.app.get(AccountsService).findById(c.centerId, id))?.status;
  const deleteMe = (token: string, password: string) => t.http().delete('/api/accounts/me').set('Authorization', bearer(token)).send({ password });
  const addCanned = (token: string) =>
    t.http().post('/api/canned-responses').set('Authorization', bearer(token)).send({ title: 'Gruß', body: 'Hallo, ich bin für Sie da.' }).expect(201);
  const newStaff = (role: 'admin' | 'counselor' = 'counselor') =>
    createStaff(t, { id: c.centerId, slug: c.slug }, { email: `self${++n}@${c.slug}.example`, displayName: `Self ${n}`, role });
  const errorOf = (res: { status: number; body: unknown }) => [res.status, (res.body as { error: { code: string; message: string } }).error.code];

  it('should end every session, close the socket, delete the canned responses and key and refuse the login when a counselor deletes their own account', async () => {
    const me = await newStaff();
    const second = await login(t, c.slug, me.login, PASSWORD);
    await addCanned(me.token);
    expect(await keyCount(me.id)).toBe(1);
    // a room with a client, and a message in it that stays with the center
    const socket = await connect(t.url, me.token);
    const client = c.clients[0]!;
    const roomId = await createRoom(socket, { memberIds: [client.id] });
    ok(await call(socket, 'message.send', { roomId, clientMsgId: 'm1', body: 'Ich bin heute bis 18 Uhr da.' }));
    ok(await call(socket, 'shift.open', { maxChats: 2 }));
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    await deleteMe(me.token, PASSWORD).expect(204);

    await expect(dropped).resolves.toBe('io server disconnect');
    for (const token of [me.token, second.token]) await t.http().get('/api/auth/me').set('Authorization', bearer(token)).expect(401);
    await expect(connect(t.url, me.token)).rejects.toThrow('UNAUTHORIZED');
    const refused = await t.http().post('/api/auth/login').send({ center: c.slug, login: me.login, password: PASSWORD });
    expect(errorOf(refused)).toEqual([401, 'UNAUTHORIZED']);
    expect(await statusOf(me.id)).toBe('deleted');
    expect(await cannedCount(me.id)).toBe(0);
    expect(await keyCount(me.id)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM auth_tokens WHERE subject_id = ?', [me.id])).toBe(0);
    // the admin's list no longer shows them; their email is free for a new account
    const staff = (await t.http().get(`/api/centers/${c.slug}/staff`).set('Authorization', bearer(c.admin.token)).expect(200)).body as StaffView[];
    expect(staff.some((s) => s.id === me.id)).toBe(false);
    // what they wrote in the client's room stays, under their display name
    const clientSocket = await connect(t.url, client.token);
    const { messages } = ok(await call(clientSocket, 'room.history', { roomId }));
    expect(messages.map((m) => [m.body, m.sender.displayName])).toEqual([['Ich bin heute bis 18 Uhr da.', me.displayName]]);
    await t
      .http()
      .post(`/api/centers/${c.slug}/staff`)
      .set('Authorization', bearer(c.admin.token))
      .send({ email: me.login, displayName: 'Wieder da', role: 'counselor' })
      .expect(201);
  });

  it('should refuse with FORBIDDEN and change nothing when the password is wrong', async () => {
    const me = await newStaff();
    await addCanned(me.token);
    const res = await deleteMe(me.token, 'Wrong-Horse-9-Battery');
    expect(errorOf(res)).toEqual([403, 'FORBIDDEN']);
    expect(await statusOf(me.id)).toBe('active');
    expect(await cannedCount(me.id)).toBe(1);
    await t.http().get('/api/auth/me').set('Authorization', bearer(me.token)).expect(200);
    await login(t, c.slug, me.login, PASSWORD);
  });

  it('should refuse with CONFLICT and a sentence and change nothing when the last active admin deletes themselves', async () => {
    const alone = await seedCenter(t, { counselors: 1, clients: 0 });
    const res = await deleteMe(alone.admin.token, PASSWORD);
    expect(errorOf(res)).toEqual([409, 'CONFLICT']);
    expect((res.body as { error: { message: string } }).error.message).toContain('last active admin');
    expect((await t.app.get(AccountsService).findById(alone.centerId, alone.admin.id))?.status).toBe('active');
    await t.http().get('/api/auth/me').set('Authorization', bearer(alone.admin.token)).expect(200);
    await login(t, alone.slug, alone.admin.login, PASSWORD);
    // a wrong password is told first
    expect(errorOf(await deleteMe(alone.admin.token, 'Wrong-Horse-9-Battery'))).toEqual([403, 'FORBIDDEN']);
  });

  it('should let an admin delete themselves when another active admin is left', async () => {
    const me = await newStaff('admin');
    await deleteMe(me.token, PASSWORD).expect(204);
    expect(await statusOf(me.id)).toBe('deleted');
    await t.http().get('/api/auth/me').set('Authorization', bearer(c.admin.token)).expect(200);
  });

  it('should leave one active admin when the only two admins delete themselves at the same moment', async () => {
    // several rounds: deletions that are not serialised lose some of them, not each one
    for (let round = 0; round < 4; round++) {
      const race = await seedCenter(t, { counselors: 0, clients: 0 });
      const second = await createStaff(t, { id: race.centerId, slug: race.slug }, { role: 'admin' });
      const answers = await Promise.all([deleteMe(race.admin.token, PASSWORD), deleteMe(second.token, PASSWORD)]);
      // the deletions run one after the other: the first leaves the other admin, the second would leave none
      expect(answers.filter((res) => res.status === 204)).toHaveLength(1);
      for (const res of answers.filter((r) => r.status !== 204)) expect(errorOf(res)).toEqual([409, 'CONFLICT']);
      expect(await count("SELECT COUNT(*) AS n FROM accounts WHERE center_id = ? AND role = 'admin' AND status = 'active'", [race.centerId])).toBe(1);
    }
  });
});

describe('password reset of accounts that are not active', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 2, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const ask = async (loginName: string) => {
    const res = await t.http().post('/api/auth/password-reset').send({ center: c.slug, login: loginName }).expect(202);
    await t.app.get(PasswordResetService).settled();
    return res.body as unknown;
  };
  const resetMailsTo = (address: string) =>
    readOutbox(t.config.dataDir).filter((m) => m.includes('/reset#token=') && m.toLowerCase().includes(`to: ${address}`));
  const adminPost = (path: string) => t.http().post(`/api/centers/${c.slug}/staff/${path}`).set('Authorization', bearer(c.admin.token));

  it('should answer 202 and send no mail when the account is deactivated or only invited', async () => {
    const counselor = c.counselors[0]!;
    await adminPost(`${counselor.id}/deactivate`).expect(200);
    const invited = await t.app
      .get(AccountsService)
      .inviteStaff(c.centerId, { email: `invited@${c.slug}.example`, displayName: 'Invited', role: 'counselor' }, 60 * 60 * 1000);
    expect(await ask(counselor.login)).toEqual({});
    expect(await ask(invited.account.login)).toEqual({});
    expect(resetMailsTo(counselor.login)).toEqual([]);
    expect(resetMailsTo(invited.account.login)).toEqual([]);
    expect(await t.app.get(DataSource).query('SELECT token_hash FROM password_resets')).toEqual([]);
    // once active again, the link comes
    await adminPost(`${counselor.id}/reactivate`).expect(200);
    await ask(counselor.login);
    expect(resetMailsTo(counselor.login)).toHaveLength(1);
  });

  it('should refuse a link sent before the deactivation with NOT_FOUND and keep the password', async () => {
    const counselor = c.counselors[1]!;
    await ask(counselor.login);
    const token = /\/reset#token=([A-Za-z0-9_-]+)/.exec(resetMailsTo(counselor.login)[0] ?? '')?.[1];
    expect(token).toBeDefined();
    await adminPost(`${counselor.id}/deactivate`).expect(200);
    const res = await t.http().post('/api/auth/password-reset/confirm').send({ center: c.slug, token, password: 'Fresh-Lantern-73-River' });
    expect([res.status, (res.body as { error: { code: string } }).error.code]).toEqual([404, 'NOT_FOUND']);
    await adminPost(`${counselor.id}/reactivate`).expect(200);
    const back = (await t.http().post('/api/auth/login').send({ center: c.slug, login: counselor.login, password: PASSWORD }).expect(200)).body as LoginResult;
    expect(back.account.id).toBe(counselor.id);
  });
});
