import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { PasswordResetService } from '../../src/modules/auth/password-reset.service';
import type { LoginResult } from '../../src/realtime/contract';
import { closeAllSockets, connect, login, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { readOutbox } from '../harness/outbox';

type Started = TestApp & { dropDb: () => Promise<void> };
const PASSWORD = 'Correct-Horse-9-Battery';
const NEW_PASSWORD = 'Fresh-Lantern-73-River';

/** A clock the test moves (link expiry), starting at the real time. */
class ManualClock extends Clock {
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

describe('password reset', () => {
  let t: Started;
  let c: SeededCenter;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock();
    t = await startApp({ clock, env: { PUBLIC_URL: 'https://beratung.example' } });
    c = await seedCenter(t, { counselors: 1, clients: 0 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const ask = async (loginName: string, center = c.slug) => {
    const res = await t.http().post('/api/auth/password-reset').send({ center, login: loginName }).expect(202);
    await t.app.get(PasswordResetService).settled();
    return res.body as unknown;
  };
  const resetMailsTo = (address: string) =>
    readOutbox(t.config.dataDir).filter((m) => m.includes('/reset#token=') && m.toLowerCase().includes(`to: ${address}`));
  const tokenOf = (mail: string) => /\/reset#token=([A-Za-z0-9_-]+)/.exec(mail)?.[1];
  const confirm = (token: string, password: string) => t.http().post('/api/auth/password-reset/confirm').send({ center: c.slug, token, password });

  /** A client with a contact email, confirmed unless told otherwise. */
  async function client(username: string, email: string, confirmed = true): Promise<LoginResult> {
    const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
    if (confirmed) {
      const mail = readOutbox(t.config.dataDir).find((m) => m.includes('confirm-email.html') && m.includes(email.toLowerCase()))!;
      const token = /[#&]token=([A-Za-z0-9_-]+)/.exec(mail)![1]!;
      await t.http().post('/api/auth/confirm-email').send({ center: c.slug, token }).expect(204);
    }
    return res.body as LoginResult;
  }

  it('should answer the same 202 and send no mail when the login is unknown, has no email or an unconfirmed one', async () => {
    await t.http().post('/api/auth/register').send({ center: c.slug, username: 'no-mail', password: PASSWORD }).expect(201);
    await client('unconfirmed-one', 'unconfirmed@example.org', false);
    const before = readOutbox(t.config.dataDir).length;
    expect(await ask('nobody-here')).toEqual({});
    expect(await ask('no-mail')).toEqual({});
    expect(await ask('unconfirmed-one')).toEqual({});
    expect(await ask('no-mail', 'no-such-center')).toEqual({});
    expect(readOutbox(t.config.dataDir)).toHaveLength(before);
    expect(await t.app.get(DataSource).query('SELECT token_hash FROM password_resets')).toEqual([]);
  });

  it('should mail a German link with the token in the fragment only to the confirmed email when a client asks', async () => {
    await client('reset-owl', 'Reset.Owl@Example.org');
    expect(await ask('RESET-owl')).toEqual({});
    const mails = resetMailsTo('reset.owl@example.org');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Der Link gilt eine Stunde und nur einmal.');
    expect(mails[0]).toContain(`https://beratung.example/c/${c.slug}/reset#token=`);
    // only the SHA-256 of the token is stored
    const token = tokenOf(mails[0]!)!;
    const rows: { token_hash: string }[] = await t.app.get(DataSource).query('SELECT token_hash FROM password_resets');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(token);
  });

  it('should set the password once, end every other session and close their sockets when the link is used', async () => {
    const reg = await client('reset-lark', 'lark@example.org');
    const other = await login(t, c.slug, 'reset-lark', PASSWORD);
    const socket = await connect(t.url, other.token);
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    await ask('reset-lark');
    const token = tokenOf(resetMailsTo('lark@example.org')[0]!)!;

    // a weak password is refused and uses nothing up
    const weak = await confirm(token, 'password123').expect(400);
    expect(weak.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.any(String) as string, fields: ['password'] } });
    await t.http().get('/api/auth/me').set('Authorization', `Bearer ${other.token}`).expect(200);

    const res = await confirm(token, NEW_PASSWORD).expect(200);
    const result = res.body as LoginResult;
    expect(result.account).toEqual(reg.account);
    await expect(dropped).resolves.toBe('io server disconnect');
    for (const old of [reg.token, other.token]) await t.http().get('/api/auth/me').set('Authorization', `Bearer ${old}`).expect(401);
    await t.http().get('/api/auth/me').set('Authorization', `Bearer ${result.token}`).expect(200);
    await t.http().post('/api/auth/login').send({ center: c.slug, login: 'reset-lark', password: PASSWORD }).expect(401);
    await login(t, c.slug, 'reset-lark', NEW_PASSWORD);

    // used up
    const again = await confirm(token, 'Another-Fresh-Pass-88').expect(404);
    expect((again.body as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    await login(t, c.slug, 'reset-lark', NEW_PASSWORD);
  });

  it('should set the password only once when the same link is sent twice at the same time', async () => {
    await client('reset-twice', 'twice@example.org');
    await ask('reset-twice');
    const token = tokenOf(resetMailsTo('twice@example.org')[0]!)!;
    const answers = await Promise.all([confirm(token, NEW_PASSWORD), confirm(token, 'Other-Fresh-Pass-61')]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 404]);
    const winner = answers[0].status === 200 ? NEW_PASSWORD : 'Other-Fresh-Pass-61';
    await login(t, c.slug, 'reset-twice', winner);
  });

  it('should let staff reset with their login email when a counselor asks', async () => {
    const counselor = c.counselors[0]!;
    await ask(counselor.login.toUpperCase());
    const mails = resetMailsTo(counselor.login);
    expect(mails).toHaveLength(1);
    const res = await confirm(tokenOf(mails[0]!)!, NEW_PASSWORD).expect(200);
    expect((res.body as LoginResult).account).toMatchObject({ id: counselor.id, role: 'counselor' });
    await t.http().get('/api/auth/me').set('Authorization', `Bearer ${counselor.token}`).expect(401);
    await login(t, c.slug, counselor.login, NEW_PASSWORD);
  });

  it('should refuse the link with NOT_FOUND when an hour has passed', async () => {
    const reg = await client('reset-wren', 'wren@example.org');
    await ask('reset-wren');
    const token = tokenOf(resetMailsTo('wren@example.org')[0]!)!;
    clock.advance(60 * 60 * 1000 + 1000);
    await confirm(token, NEW_PASSWORD).expect(404);
    await login(t, c.slug, 'reset-wren', PASSWORD);
    // the sweep removes what has expired
    await t.app.get(PasswordResetService).sweepExpired();
    expect(await t.app.get(DataSource).query('SELECT token_hash FROM password_resets WHERE account_id = ?', [reg.account.id])).toEqual([]);
  });

  it('should answer NOT_FOUND for an unknown link and remove the links of a deleted account', async () => {
    await confirm('x'.repeat(43), NEW_PASSWORD).expect(404);
    const reg = await client('reset-finch', 'finch@example.org');
    await ask('reset-finch');
    const count = async () =>
      Number((await t.app.get(DataSource).query<{ n: number }[]>('SELECT COUNT(*) AS n FROM password_resets WHERE account_id = ?', [reg.account.id]))[0]!.n);
    expect(await count()).toBe(1);
    await t.http().delete('/api/accounts/me').set('Authorization', `Bearer ${reg.token}`).send({ password: PASSWORD }).expect(204);
    expect(await count()).toBe(0);
  });
});

describe('password reset limits', () => {
  let t: Started;
  let c: SeededCenter;
  beforeAll(async () => {
    // the test client stands behind the named local proxy, so X-Forwarded-For picks its address
    t = await startApp({ env: { RATE_LIMITS: 'on', TRUSTED_PROXIES: '127.0.0.1' } });
    c = await seedCenter(t, { counselors: 1, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const ask = (loginName: string, from: string) =>
    t.http().post('/api/auth/password-reset').set('X-Forwarded-For', from).send({ center: c.slug, login: loginName });

  it('should answer RATE_LIMITED with retryAfterMs after 3 requests for one login, known or not, from any address', async () => {
    for (const loginName of [c.counselors[0]!.login, 'nobody-at-all']) {
      for (let i = 0; i < 3; i++) await ask(loginName, `198.51.100.${i + 1}`).expect(202);
      const limited = await ask(loginName.toUpperCase(), '198.51.100.9').expect(429);
      const error = (limited.body as { error: { code: string; retryAfterMs: number } }).error;
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBe(Math.ceil(error.retryAfterMs / 1000));
    }
    await t.app.get(PasswordResetService).settled();
    expect(readOutbox(t.config.dataDir).filter((m) => m.includes('/reset#token='))).toHaveLength(3);
  });

  it('should answer RATE_LIMITED after 10 requests from one address', async () => {
    for (let i = 0; i < 10; i++) await ask(`someone-${i}`, '203.0.113.7').expect(202);
    await ask('someone-else', '203.0.113.7').expect(429);
    await ask('someone-else', '203.0.113.8').expect(202);
  });
});
