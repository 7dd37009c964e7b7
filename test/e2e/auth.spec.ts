import { DataSource } from 'typeorm';
import { isCommonPassword } from '../../src/modules/accounts/common-passwords';
import { AccountsService, EMAIL_CONFIRM_TTL_MS } from '../../src/modules/accounts/accounts.service';
import { RedisService } from '../../src/infra/redis/redis.service';
import type { LoginResult } from '../../src/realtime/contract';
import { closeAllSockets, connect, login, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { TestClock } from '../harness/clock';
import { HASH_COST_ENV, onMariaDb } from '../harness/env';
import { readOutbox } from '../harness/outbox';

type Started = TestApp & { dropDb: () => Promise<void> };
const PASSWORD = 'Correct-Horse-9-Battery';

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('auth', () => {
  let t: Started;
  let c: SeededCenter;
  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 1, clients: 1 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const accountByLogin = async (loginName: string) => t.app.get(AccountsService).findByLogin(c.centerId, loginName);
  const countRows = async (sql: string, params: unknown[]): Promise<number> => {
    const rows: { n: number | string }[] = await t.app.get(DataSource).query(sql, params);
    return Number(rows[0]!.n);
  };

  describe('demo', () => {
    let demo: Started;
    afterAll(async () => {
      await demo.close();
      await demo.dropDb();
    });

    it('should let the demo counselor log in when DEMO is on and DEMO_PASSWORD set', async () => {
      demo = await startApp({ env: { DEMO: 'on', DEMO_PASSWORD: 'demo-pass-2024' } });
      const anna = await login(demo, 'demo', 'anna@demo.example', 'demo-pass-2024');
      expect(anna.displayName).toBe('Anna');
      await login(demo, 'demo', 'admin@demo.example', 'demo-pass-2024');
      await login(demo, 'demo', 'ben@demo.example', 'demo-pass-2024');
    });
  });

  describe('register', () => {
    it('should create a client without email and return a working token when no email is given', async () => {
      const res = await t.http().post('/api/auth/register').send({ center: c.slug, username: 'Blue-Heron', password: PASSWORD }).expect(201);
      const body = res.body as LoginResult;
      expect(body.account).toMatchObject({ role: 'client', displayName: 'Blue-Heron' });
      const me = await t.http().get('/api/auth/me').set('Authorization', `Bearer ${body.token}`).expect(200);
      expect(me.body).toEqual(body.account);
      const account = await accountByLogin('blue-heron');
      expect(account?.emailEnc).toBeNull();
    });

    it('should use the email only after the double opt-in when an email is given', async () => {
      const before = readOutbox(t.config.dataDir).length;
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ center: c.slug, username: 'grey-owl', password: PASSWORD, email: 'Owl@Example.org' })
        .expect(201);
      const mails = readOutbox(t.config.dataDir);
      expect(mails).toHaveLength(before + 1);
      const mail = mails.find((m) => m.includes('owl@example.org'))!;
      expect(mail).toBeDefined();
      const token = /[#&]token=([A-Za-z0-9_-]+)/.exec(mail)?.[1];
      expect(token).toBeDefined();

      const accounts = t.app.get(AccountsService);
      const pending = (await accountByLogin('grey-owl'))!;
      expect(pending.emailEnc).not.toContain('owl@example.org'); // encrypted at rest
      expect(await accounts.contactEmail(pending)).toBeNull();

      await t
        .http()
        .post('/api/auth/confirm-email')
        .send({ center: c.slug, token: 'x'.repeat(32) })
        .expect(404);
      await t.http().post('/api/auth/confirm-email').send({ center: c.slug, token }).expect(204);
      expect(await accounts.contactEmail((await accountByLogin('grey-owl'))!)).toBe('owl@example.org');
      // a link works once
      await t.http().post('/api/auth/confirm-email').send({ center: c.slug, token }).expect(404);
      expect((res.body as LoginResult).account.role).toBe('client');
    });

    it('should store a bcrypt hash of the configured cost (12 by default, 10 under npm test) when an account is created', async () => {
      const cost = (HASH_COST_ENV.PASSWORD_HASH_COST ?? '12').padStart(2, '0');
      const account = await accountByLogin('blue-heron');
      expect(account?.passwordHash).toMatch(new RegExp(`^\\$2b\\$${cost}\\$`));
      const staff = await accountByLogin(c.counselors[0]!.login);
      expect(staff?.passwordHash).toMatch(new RegExp(`^\\$2b\\$${cost}\\$`));
    });

    it.each([
      ['shorter than 8 characters', 'Abc-12'],
      ['longer than 72 bytes', 'ä'.repeat(37)],
      ['a common password', 'password123'],
    ])('should refuse the password and create nothing when it is %s', async (_, password) => {
      const res = await t.http().post('/api/auth/register').send({ center: c.slug, username: 'refused-one', password }).expect(400);
      expect(res.body).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.any(String) as string, fields: ['password'] } });
      expect(await accountByLogin('refused-one')).toBeNull();
    });

    it('should know password123 as common when checking the list', () => {
      expect(isCommonPassword('password123')).toBe(true);
      expect(isCommonPassword(PASSWORD)).toBe(false);
    });

    it('should refuse a 1 MB password without hashing it when it is sent', async () => {
      const res = await t
        .http()
        .post('/api/auth/register')
        .send({ center: c.slug, username: 'huge-one', password: 'x'.repeat(1024 * 1024) })
        .expect(413);
      expect(res.body).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' } });
      expect(await accountByLogin('huge-one')).toBeNull();
      const login1 = await t
        .http()
        .post('/api/auth/login')
        .send({ center: c.slug, login: 'x', password: 'y'.repeat(10_000) })
        .expect(400);
      expect((login1.body as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    });

    it('should answer CONFLICT and keep the first account when the pseudonym is taken', async () => {
      const res = await t.http().post('/api/auth/register').send({ center: c.slug, username: 'BLUE-heron', password: 'Another-Good-Pass-5' }).expect(409);
      expect((res.body as { error: { code: string } }).error.code).toBe('CONFLICT');
      await login(t, c.slug, 'blue-heron', PASSWORD);
    });

    it('should take spelling variants of a pseudonym for the same one and refuse invisible characters when registering', async () => {
      const register = (username: string) => t.http().post('/api/auth/register').send({ center: c.slug, username, password: 'Another-Good-Pass-5' });
      await register('Grüne-Eule').expect(201);
      for (const variant of ['GRÜNE-EULE', 'Gru\u0308ne-Eule', 'Ｇｒüｎｅ-Ｅｕｌｅ']) await register(variant).expect(409);
      // the decomposed spelling logs in as the account, the unaccented one is somebody else
      await login(t, c.slug, 'gru\u0308ne-eule', 'Another-Good-Pass-5');
      await t.http().post('/api/auth/login').send({ center: c.slug, login: 'grune-eule', password: 'Another-Good-Pass-5' }).expect(401);
      // look-alikes of a pseudonym (Cyrillic Е, Greek ο, IPA ɡ, digits for letters) are taken too
      for (const lookAlike of ['Grüne-\u0415ule', 'Grüne-Eule_', 'Gr\u00fcne-3ule', '\u0261r\u00fcne-Eule']) await register(lookAlike).expect(409);
      // and a staff name is not a pseudonym
      const staff = await register('Counselor-1').expect(400);
      expect((staff.body as { error: { fields: string[] } }).error.fields).toEqual(['username']);
      for (const hidden of ['grune\u3164eule', 'grune\u200beule', 'grune-eule\u115f']) {
        const res = await register(hidden).expect(400);
        expect((res.body as { error: { fields: string[] } }).error.fields).toEqual(['username']);
      }
    });
  });

  describe('staff display names', () => {
    it('should strip bidi controls and refuse other invisible characters when staff is created', async () => {
      const accounts = t.app.get(AccountsService);
      const { account } = await accounts.createStaff(c.centerId, {
        email: 'bidi@staff.example',
        displayName: '\u202eAnna\u2066 Berg\u2069\u200f',
        role: 'counselor',
        password: PASSWORD,
      });
      expect(account.displayName).toBe('Anna Berg');
      for (const displayName of ['Anna\u200b Berg', 'Anna\u3164', 'Ben\u00ad'])
        await expect(
          accounts.createStaff(c.centerId, { email: 'hidden@staff.example', displayName, role: 'counselor', password: PASSWORD }),
        ).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
          fields: ['name'],
        });
      // the staff email is a login: its spelling variants are the same account
      await expect(
        accounts.createStaff(c.centerId, { email: 'ＢＩＤＩ@Staff.example', displayName: 'Other', role: 'counselor', password: PASSWORD }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });

  describe('login', () => {
    it('should answer the same for an unknown user and a wrong password, after comparable bcrypt work', async () => {
      const attempt = (loginName: string) => t.http().post('/api/auth/login').send({ center: c.slug, login: loginName, password: 'Wrong-But-Long-1' });
      const unknown = await attempt('nobody@nowhere.example').expect(401);
      const wrong = await attempt(c.counselors[0]!.login).expect(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(unknown.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'The login or the password is wrong.' } });
      const unknownCenter = await t.http().post('/api/auth/login').send({ center: 'no-such-center', login: 'x', password: 'Wrong-But-Long-1' }).expect(401);
      expect(unknownCenter.body).toEqual(wrong.body);

      const unknownTimes: number[] = [];
      const wrongTimes: number[] = [];
      for (let i = 0; i < 3; i++) {
        unknownTimes.push(await timed(() => attempt(`ghost${i}@nowhere.example`).expect(401)));
        wrongTimes.push(await timed(() => attempt(c.counselors[0]!.login).expect(401)));
      }
      const [u, w] = [median(unknownTimes), median(wrongTimes)];
      expect(u).toBeGreaterThan(50);
      expect(w).toBeGreaterThan(50);
      expect(Math.max(u, w) / Math.min(u, w)).toBeLessThan(3);
    });
  });

  describe('sessions', () => {
    it('should reject the token and disconnect its socket when the session logs out', async () => {
      const s = await login(t, c.slug, c.counselors[0]!.login, PASSWORD);
      const socket = await connect(t.url, s.token);
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
      await t.http().post('/api/auth/logout').set('Authorization', `Bearer ${s.token}`).expect(204);
      await expect(disconnected).resolves.toBe('io server disconnect');
      await t.http().get('/api/auth/me').set('Authorization', `Bearer ${s.token}`).expect(401);
      await expect(connect(t.url, s.token)).rejects.toThrow('UNAUTHORIZED');
    });

    it('should end the other sessions but keep this one when the password changes', async () => {
      await t.http().post('/api/auth/register').send({ center: c.slug, username: 'changer', password: PASSWORD }).expect(201);
      const a = await login(t, c.slug, 'changer', PASSWORD);
      const b = await login(t, c.slug, 'changer', PASSWORD);
      const socketB = await connect(t.url, b.token);
      const gone = new Promise<void>((resolve) => socketB.once('disconnect', () => resolve()));
      const newPassword = 'Brand-New-Pass-42';
      await t.http().post('/api/auth/password').set('Authorization', `Bearer ${a.token}`).send({ currentPassword: 'Wrong-Current-1', newPassword }).expect(403);
      await t.http().post('/api/auth/password').set('Authorization', `Bearer ${a.token}`).send({ currentPassword: PASSWORD, newPassword }).expect(204);
      await gone;
      await t.http().get('/api/auth/me').set('Authorization', `Bearer ${b.token}`).expect(401);
      await t.http().get('/api/auth/me').set('Authorization', `Bearer ${a.token}`).expect(200);
      await t.http().post('/api/auth/login').send({ center: c.slug, login: 'changer', password: PASSWORD }).expect(401);
      await login(t, c.slug, 'changer', newPassword);
    });

    it('should delete the account, its key and its tokens when a client deletes itself', async () => {
      const reg = await t
        .http()
        .post('/api/auth/register')
        .send({ center: c.slug, username: 'leaver', password: PASSWORD, email: 'leaver@example.org' })
        .expect(201);
      const { token, account } = reg.body as LoginResult;
      const keyCount = () => countRows('SELECT COUNT(*) AS n FROM data_keys WHERE center_id = ? AND scope = ?', [c.centerId, `account:${account.id}`]);
      expect(await keyCount()).toBe(1);
      await t.http().delete('/api/accounts/me').set('Authorization', `Bearer ${token}`).send({ password: 'Wrong-Pass-123' }).expect(403);
      expect(await accountByLogin('leaver')).not.toBeNull();
      await t.http().delete('/api/accounts/me').set('Authorization', `Bearer ${token}`).send({ password: PASSWORD }).expect(204);
      expect(await accountByLogin('leaver')).toBeNull();
      expect(await keyCount()).toBe(0);
      expect(await countRows('SELECT COUNT(*) AS n FROM auth_tokens WHERE subject_id = ?', [account.id])).toBe(0);
      await t.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
    });

    it('should refuse self-deletion with CONFLICT when the caller is the last active admin (staff: test/e2e/staff-self-deletion.spec.ts)', async () => {
      await t.http().delete('/api/accounts/me').set('Authorization', `Bearer ${c.admin.token}`).send({ password: PASSWORD }).expect(409);
      expect(await accountByLogin(c.admin.login)).toMatchObject({ status: 'active' });
    });
  });
});

describe('login limits', () => {
  let t: Started;
  let c: SeededCenter;
  beforeAll(async () => {
    // the test client stands behind the named local proxy, so X-Forwarded-For picks its address
    t = await startApp({ env: { RATE_LIMITS: 'on', TRUSTED_PROXIES: '127.0.0.1' } });
    c = await seedCenter(t, { counselors: 4, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const attempt = (loginName: string, password: string, from: string) =>
    t.http().post('/api/auth/login').set('X-Forwarded-For', from).send({ center: c.slug, login: loginName, password });

  it('should answer RATE_LIMITED with retryAfterMs and Retry-After after 10 failures of one account from one address', async () => {
    const [victim, other] = [c.counselors[0]!, c.counselors[1]!];
    for (let i = 0; i < 10; i++) await attempt(victim.login, `Guess-Number-${i}`, '203.0.113.1').expect(401);
    const limited = await attempt(victim.login, PASSWORD, '203.0.113.1').expect(429);
    expect(limited.body).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/^Too many attempts\. Please wait \d+ seconds\.$/) as string,
        retryAfterMs: expect.any(Number) as number,
      },
    });
    const { retryAfterMs } = (limited.body as { error: { retryAfterMs: number } }).error;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBe(Math.ceil(retryAfterMs / 1000));
    // the owner, from an address that has not been guessing, still logs in; so does another account
    await attempt(victim.login, PASSWORD, '198.51.100.1').expect(200);
    await attempt(other.login, PASSWORD, '203.0.113.1').expect(200);
    // and the guessing address still waits
    await attempt(victim.login, `Guess-Number-x`, '203.0.113.1').expect(429);
  });

  it('should count every spelling variant of a login against one limit and log in only the account itself', async () => {
    const victim = c.counselors[2]!;
    const [local, domain] = victim.login.split('@') as [string, string];
    const fullwidth = [...victim.login].map((ch) => (/[a-z0-9]/.test(ch) ? String.fromCodePoint(ch.codePointAt(0)! + 0xfee0) : ch)).join('');
    const variants = [victim.login.toUpperCase(), ` ${victim.login} `, fullwidth, `${local.toUpperCase()}@${domain}`];
    for (let i = 0; i < 10; i++) await attempt(variants[i % variants.length]!, `Guess-Number-${i}`, '203.0.113.2').expect(401);
    await attempt(victim.login, PASSWORD, '203.0.113.2').expect(429);
    await attempt(fullwidth, PASSWORD, '203.0.113.2').expect(429);
    // a variant is the same login: from another address it logs in as the account
    const res = await attempt(fullwidth, PASSWORD, '198.51.100.2').expect(200);
    expect((res.body as LoginResult).account.id).toBe(victim.id);
    // accents make another login, on either database: it does not log in as the account
    const accented = `${local.replace('o', '\u00f3')}@${domain}`;
    await attempt(accented, PASSWORD, '198.51.100.3').expect(401);
    await attempt(accented.normalize('NFD'), PASSWORD, '198.51.100.3').expect(401);
  });

  it('should slow guessing from many addresses but let the owner in from a fresh address', async () => {
    const victim = c.counselors[3]!;
    // 30 failures per hour for the account over all addresses
    for (let i = 0; i < 30; i++) await attempt(victim.login, `Guess-Number-${i}`, `192.0.2.${i + 1}`).expect(401);
    // now an address that has failed for this account in its window waits …
    await attempt(victim.login, 'Guess-Number-again', '192.0.2.1').expect(429);
    await attempt(victim.login, PASSWORD, '192.0.2.1').expect(429);
    // … a fresh one gets one try: the owner's succeeds, a guesser's second one does not
    await attempt(victim.login, PASSWORD, '198.51.100.4').expect(200);
    await attempt(victim.login, 'Guess-Number-fresh', '198.51.100.5').expect(401);
    await attempt(victim.login, 'Guess-Number-fresh-2', '198.51.100.5').expect(429);
  });

  it('should keep no typed login in the limiter keys', async () => {
    if (!onMariaDb) return; // the memory store keeps its keys in this process
    const redis = t.app.get(RedisService).client!;
    const keys = await redis.keys('lotse:rl:login*');
    expect(keys.length).toBeGreaterThan(0);
    // (Redis is shared with other runs: only this run's logins, which name its own center, are looked for)
    for (const victim of c.counselors) expect(keys.filter((k) => k.toLowerCase().includes(victim.login))).toEqual([]);
  });
});

describe('email double opt-in: the link expires', () => {
  let t: Started;
  let c: SeededCenter;
  const clock = new TestClock();
  beforeAll(async () => {
    t = await startApp({ clock });
    c = await seedCenter(t, { counselors: 0, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const tokensFor = (email: string) =>
    readOutbox(t.config.dataDir)
      .filter((m) => m.includes(email))
      .map((m) => /[#&]token=([A-Za-z0-9_-]+)/.exec(m)?.[1])
      .filter((x): x is string => !!x);
  const register = async (username: string) => {
    const email = `${username}@example.org`;
    await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
    return { email, token: tokensFor(email).at(-1)! };
  };
  const confirm = (token: string) => t.http().post('/api/auth/confirm-email').send({ center: c.slug, token });
  const resend = (token: string) => t.http().post('/api/auth/confirm-email/resend').send({ center: c.slug, token });

  it('should confirm until 48 h after the mail and answer a later try as a used link when the link has expired', async () => {
    const early = await register('early-owl');
    const late = await register('late-owl');
    expect(readOutbox(t.config.dataDir).find((m) => m.includes(late.email))).toContain('48 Stunden');
    clock.advance(EMAIL_CONFIRM_TTL_MS - 60_000);
    await confirm(early.token).expect(204);
    clock.advance(60_000);
    const expired = await confirm(late.token);
    const used = await confirm(early.token);
    expect(expired.status).toBe(404);
    expect(expired.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) as string } });
    expect(expired.body).toEqual(used.body);
    const accounts = t.app.get(AccountsService);
    expect(await accounts.contactEmail((await accounts.findByLogin(c.centerId, 'late-owl'))!)).toBeNull();
  });

  it('should send a new link for an expired one when asked with it, and the old link should stop working', async () => {
    const { email, token } = await register('renew-owl');
    clock.advance(EMAIL_CONFIRM_TTL_MS + 1);
    await confirm(token).expect(404);
    const res = await resend(token).expect(202);
    expect(res.body).toEqual({});
    const tokens = tokensFor(email);
    expect(tokens).toHaveLength(2);
    const fresh = tokens.find((x) => x !== token)!;
    await confirm(token).expect(404);
    // the new link has its own 48 h
    clock.advance(EMAIL_CONFIRM_TTL_MS - 60_000);
    await confirm(fresh).expect(204);
    // a used, an unknown and an old link: the same {} and no mail
    for (const x of [fresh, token, 'y'.repeat(32)]) expect((await resend(x).expect(202)).body).toEqual({});
    expect(tokensFor(email)).toHaveLength(2);
  });
});
