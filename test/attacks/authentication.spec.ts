import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LoginResult } from '../../src/realtime/contract';
import { readOutbox } from '../harness/outbox';
import { type Actor, as, freshClient, freshStaff, invitationToken, PASSWORD, socketOf, world } from './actors';
import { address, http, plant, server } from './server';

/**
 * Authentication attacks (docs/security.md, "Authentication"): enumeration by answer and by
 * timing, brute force from rotating addresses, bcrypt's 72-byte truncation, sessions that must
 * end (logout, password change, deactivation, deletion) over REST and Socket.IO, and links that
 * work once and not after they expired (invitation, password reset, email confirmation).
 */

const A = () => world().centers[0];
const B = () => world().centers[1];

function loginFrom(ip: string, center: string, login: string, password: string) {
  return http().post('/api/auth/login').set('X-Forwarded-For', ip).send({ center, login, password });
}
const answer = (res: { status: number; body: unknown }) => JSON.stringify({ status: res.status, body: res.body });

/** The attack server's SQLite database, opened beside it (WAL; SQLite waits for its lock). */
function sql<T = unknown>(query: string, ...params: unknown[]): T[] {
  const db = new Database(join(server().dataDir, 'lotse.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    const stmt = db.prepare(query);
    return stmt.reader ? (stmt.all(...params) as T[]) : (stmt.run(...params), []);
  } finally {
    db.close();
  }
}

async function expectSessionGone(token: string): Promise<void> {
  const res = await as(token).get('/api/auth/me');
  expect(res.status).toBe(401);
  expect((res.body as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  await expect(socketOf(token)).rejects.toThrow('UNAUTHORIZED');
}

function disconnected(socket: Awaited<ReturnType<typeof socketOf>>, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!socket.connected) return resolve();
    const timer = setTimeout(() => reject(new Error('the socket was not disconnected')), ms);
    socket.once('disconnect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The double-opt-in tokens of the mails to `email` in the outbox, oldest first. */
function confirmTokens(email: string): string[] {
  return readOutbox(server().dataDir)
    .filter((m) => m.includes(email))
    .map((m) => /confirm-email\.html#center=[^&]+&token=([A-Za-z0-9_-]+)/.exec(m)?.[1])
    .filter((t): t is string => !!t);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('authentication attacks', () => {
  describe('enumeration', () => {
    it('answers an unknown login, a wrong password, an unknown center, an invited and a deactivated account exactly alike', async () => {
      const a = A();
      const invited = `inv-${randomBytes(4).toString('hex')}@${a.slug}.example`;
      await as(a.admin.token).post(`/api/centers/${a.slug}/staff`).send({ email: invited, displayName: 'Eingeladen', role: 'counselor' }).expect(201);
      const deactivated = await freshStaff(a.slug, a.admin);
      await as(a.admin.token).post(`/api/centers/${a.slug}/staff/${deactivated.id}/deactivate`).expect(200);
      const tries = [
        [a.slug, `nobody-${randomBytes(4).toString('hex')}`, 'Wrong-Horse-1-Battery'],
        [a.slug, a.clients[1].login, 'Wrong-Horse-1-Battery'],
        [`no-such-center-${randomBytes(3).toString('hex')}`, a.clients[1].login, 'Wrong-Horse-1-Battery'],
        [a.slug, invited, 'Wrong-Horse-1-Battery'],
        [a.slug, deactivated.login, deactivated.password],
        // a login of center B at center A
        [a.slug, B().clients[0].login, B().clients[0].password],
      ] as const;
      const answers = await Promise.all(tries.map(([c, l, p]) => loginFrom(address(), c, l, p)));
      expect(answers[0]!.status).toBe(401);
      expect(new Set(answers.map(answer)).size).toBe(1);
    });

    it('spends the same time on an unknown login as on a wrong password (median of 20 each, interleaved)', async () => {
      const victim = await freshClient(A().slug);
      const unknown: number[] = [];
      const known: number[] = [];
      // each pair at the same moment, so both see the same load of this shared machine
      const timed = async (list: number[], login: string, i: number) => {
        const t0 = process.hrtime.bigint();
        await loginFrom(address(), A().slug, login, `Wrong-Horse-${i}-Battery`).expect(401);
        list.push(Number(process.hrtime.bigint() - t0) / 1e6);
      };
      for (let i = 0; i < 20; i++) await Promise.all([timed(unknown, `nobody-${i}-${randomBytes(3).toString('hex')}`, i), timed(known, victim.login, i)]);
      const [mu, mk] = [median(unknown), median(known)];
      // bcrypt at cost 12 takes far longer than the noise; without the dummy comparison the unknown login would answer ~50× faster
      expect(mu / mk).toBeGreaterThan(0.6);
      expect(mu / mk).toBeLessThan(1.6);
    });

    it('answers a password reset for a known and an unknown login alike (202 {})', async () => {
      const a = A();
      const [known, unknown] = await Promise.all([
        http().post('/api/auth/password-reset').set('X-Forwarded-For', address()).send({ center: a.slug, login: a.counselors[1].login }),
        http()
          .post('/api/auth/password-reset')
          .set('X-Forwarded-For', address())
          .send({ center: a.slug, login: `nobody-${randomBytes(3).toString('hex')}@${a.slug}.example` }),
      ]);
      expect(known.status).toBe(202);
      expect(answer(known)).toBe(answer(unknown));
    });
  });

  describe('brute force', () => {
    it('stops 48 guesses from rotating addresses by the per-account limit: at most 40 tried an hour, then RATE_LIMITED everywhere', async () => {
      const victim = await freshClient(A().slug);
      const statuses: number[] = [];
      let limited: { status: number; body: { error: { code: string; retryAfterMs?: number } }; headers: Record<string, string> } | null = null;
      // 48 guesses, each from its own address (X-Forwarded-For through the trusted proxy), six at a time
      for (let i = 0; i < 48; i += 6) {
        const batch = await Promise.all([0, 1, 2, 3, 4, 5].map((k) => loginFrom(address(), A().slug, victim.login, `Guess-${i + k}-Battery`)));
        for (const res of batch) {
          statuses.push(res.status);
          if (res.status === 429) limited = res;
        }
      }
      const guessed = statuses.filter((s) => s === 401).length;
      expect(guessed).toBeGreaterThanOrEqual(30);
      expect(guessed).toBeLessThanOrEqual(40);
      expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      expect(limited!.body.error.code).toBe('RATE_LIMITED');
      expect(limited!.body.error.retryAfterMs).toBeGreaterThan(0);
      expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
      // a further guess from yet another address is refused before any password is compared
      await loginFrom(address(), A().slug, victim.login, 'Guess-last-Battery').expect(429);
    });
  });

  describe('passwords over 72 bytes (bcrypt reads only the first 72)', () => {
    const base72 = 'Correct-' + 'x'.repeat(60) + 'Zq9!'; // exactly 72 bytes

    it('refuses a password over 72 bytes at registration and at a password change', async () => {
      expect(Buffer.byteLength(base72)).toBe(72);
      const res = await http()
        .post('/api/auth/register')
        .set('X-Forwarded-For', address())
        .send({ center: A().slug, username: `long-${randomBytes(4).toString('hex')}`, password: `${base72}${'y'.repeat(8)}` });
      expect(res.status).toBe(400);
      expect((res.body as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
      const c = await freshClient(A().slug);
      const change = await as(c.token)
        .post('/api/auth/password')
        .send({ currentPassword: c.password, newPassword: `${base72}${'y'.repeat(8)}` });
      expect(change.status).toBe(400);
      // the old password still works: nothing was changed
      await loginFrom(address(), A().slug, c.login, c.password).expect(200);
    });

    it('does not log in with the first 72 bytes right and more bytes after them', async () => {
      const username = `b72-${randomBytes(4).toString('hex')}`;
      await http().post('/api/auth/register').set('X-Forwarded-For', address()).send({ center: A().slug, username, password: base72 }).expect(201);
      plant(base72);
      await loginFrom(address(), A().slug, username, `${base72}${'y'.repeat(80)}`).expect(401);
      await loginFrom(address(), A().slug, username, `${base72}Z`).expect(401);
      await loginFrom(address(), A().slug, username, base72).expect(200);
    });
  });

  describe('sessions that must end', () => {
    it('refuses a token after logout on REST and on a new socket, and disconnects its open socket', async () => {
      const c = await freshClient(A().slug);
      const open = await socketOf(c.token);
      const gone = disconnected(open);
      await as(c.token).post('/api/auth/logout').expect(204);
      await gone;
      await expectSessionGone(c.token);
      // logging out again with it is refused like any unknown token
      await as(c.token).post('/api/auth/logout').expect(401);
    });

    it('ends every other session and the old password when the password changes, and keeps this session', async () => {
      const c = await freshClient(A().slug);
      const other = (await loginFrom(address(), A().slug, c.login, c.password).expect(200)).body as LoginResult;
      plant(other.token);
      const open = await socketOf(other.token);
      const gone = disconnected(open);
      const newPassword = plant(`Neu-${randomBytes(5).toString('hex')}-Pferd`);
      await as(c.token).post('/api/auth/password').send({ currentPassword: c.password, newPassword }).expect(204);
      await gone;
      await expectSessionGone(other.token);
      await as(c.token).get('/api/auth/me').expect(200);
      await loginFrom(address(), A().slug, c.login, c.password).expect(401);
      await loginFrom(address(), A().slug, c.login, newPassword).expect(200);
    });

    it('refuses the password change with a wrong current password and changes nothing', async () => {
      const c = await freshClient(A().slug);
      await as(c.token).post('/api/auth/password').send({ currentPassword: 'Wrong-Horse-1-Battery', newPassword: 'Neu-Pferd-1-Batterie' }).expect(403);
      await loginFrom(address(), A().slug, c.login, c.password).expect(200);
    });

    it('ends a staff member’s sessions at deactivation (REST, new socket, open socket), and login answers as for a wrong password', async () => {
      const a = A();
      const s = await freshStaff(a.slug, a.admin);
      const open = await socketOf(s.token);
      const gone = disconnected(open);
      await as(a.admin.token).post(`/api/centers/${a.slug}/staff/${s.id}/deactivate`).expect(200);
      await gone;
      await expectSessionGone(s.token);
      const [deact, wrong] = await Promise.all([
        loginFrom(address(), a.slug, s.login, s.password),
        loginFrom(address(), a.slug, `nobody-${randomBytes(3).toString('hex')}`, s.password),
      ]);
      expect(answer(deact)).toBe(answer(wrong));
    });

    it('ends a client’s sessions at self-deletion and at deletion by the admin, and the login is gone', async () => {
      const a = A();
      for (const byAdmin of [false, true]) {
        const c: Actor = await freshClient(a.slug);
        const open = await socketOf(c.token);
        const gone = disconnected(open);
        if (byAdmin) await as(a.admin.token).delete(`/api/centers/${a.slug}/clients/${c.id}`).expect(204);
        else await as(c.token).delete('/api/accounts/me').send({ password: c.password }).expect(204);
        await gone;
        await expectSessionGone(c.token);
        await loginFrom(address(), a.slug, c.login, c.password).expect(401);
        // the account row is gone, not only flagged
        expect(sql('SELECT id FROM accounts WHERE id = ?', c.id)).toEqual([]);
      }
    });

    it('refuses self-deletion with a wrong password and keeps the account and its session', async () => {
      const c = await freshClient(A().slug);
      await as(c.token).delete('/api/accounts/me').send({ password: 'Wrong-Horse-1-Battery' }).expect(403);
      await as(c.token).get('/api/auth/me').expect(200);
    });

    it('never takes a token from the URL: ?token= and ?access_token= on REST, and the handshake query on Socket.IO', async () => {
      const c = A().clients[1];
      await http()
        .get(`/api/auth/me?token=${encodeURIComponent(c.token)}`)
        .expect(401);
      await http()
        .get(`/api/auth/me?access_token=${encodeURIComponent(c.token)}`)
        .expect(401);
      const { io } = await import('socket.io-client');
      const s = io(server().url, { query: { token: c.token }, transports: ['websocket'], reconnection: false, forceNew: true });
      const err = await new Promise<Error | null>((resolve) => {
        s.once('connect', () => resolve(null));
        s.once('connect_error', (e) => resolve(e));
      });
      s.close();
      expect(err?.message).toBe('UNAUTHORIZED');
    });

    it('refuses forged tokens alike: random, truncated, with a changed character, another scheme, a visitor token for an account route', async () => {
      const c = A().clients[1];
      const flip = c.token.slice(0, -1) + (c.token.endsWith('A') ? 'B' : 'A');
      const forged = [randomBytes(32).toString('base64url'), c.token.slice(0, 20), flip, `${c.token}x`, 'null', '[object Object]'];
      const answers = await Promise.all(forged.map((t) => as(t).get('/api/threads')));
      expect(new Set(answers.map(answer)).size).toBe(1);
      expect(answers[0]!.status).toBe(401);
      const basic = await http().get('/api/threads').set('Authorization', `Basic ${c.token}`);
      expect(basic.status).toBe(401);
      const visitor = await as(A().visitor.token).get('/api/threads');
      expect([401, 403]).toContain(visitor.status);
    });
  });

  describe('links that work once', () => {
    // (link tokens and the email address are not planted for the privacy sweep: the mails in the
    // local outbox in the data directory carry them, as mails must)
    it('accepts an invitation link once; again, in another center, or after it expired it answers NOT_FOUND', async () => {
      const a = A();
      const email = `once-${randomBytes(4).toString('hex')}@${a.slug}.example`;
      await as(a.admin.token).post(`/api/centers/${a.slug}/staff`).send({ email, displayName: 'Einmal', role: 'counselor' }).expect(201);
      const token = invitationToken(email);
      // another center's slug with this token: nothing
      await http().post('/api/auth/invitation').set('X-Forwarded-For', address()).send({ center: B().slug, token, password: PASSWORD }).expect(404);
      await http().post('/api/auth/invitation').set('X-Forwarded-For', address()).send({ center: a.slug, token, password: PASSWORD }).expect(200);
      const again = await http()
        .post('/api/auth/invitation')
        .set('X-Forwarded-For', address())
        .send({ center: a.slug, token, password: 'Other-Horse-8-Battery' });
      expect(again.status).toBe(404);
      // the second try set no password
      await loginFrom(address(), a.slug, email, 'Other-Horse-8-Battery').expect(401);
      // an expired one
      const late = `late-${randomBytes(4).toString('hex')}@${a.slug}.example`;
      await as(a.admin.token).post(`/api/centers/${a.slug}/staff`).send({ email: late, displayName: 'Spät', role: 'counselor' }).expect(201);
      const lateToken = invitationToken(late);
      sql(`UPDATE accounts SET invitation_expires_at = '2020-01-01 00:00:00.000' WHERE login = ?`, late);
      await http().post('/api/auth/invitation').set('X-Forwarded-For', address()).send({ center: a.slug, token: lateToken, password: PASSWORD }).expect(404);
      await loginFrom(address(), a.slug, late, PASSWORD).expect(401);
    });

    it('sets a password with a reset link once, ends the other sessions; again or after it expired: NOT_FOUND', async () => {
      const a = A();
      const s = await freshStaff(a.slug, a.admin);
      const seen = new Set<string>();
      const resetLink = async () => {
        await http().post('/api/auth/password-reset').set('X-Forwarded-For', address()).send({ center: a.slug, login: s.login }).expect(202);
        // the mail is written after the answer (the answer must not tell whether the account exists)
        for (let i = 0; i < 100; i++) {
          const tokens = readOutbox(server().dataDir)
            .filter((m) => m.includes(s.login))
            .map((m) => /\/reset#token=([A-Za-z0-9_-]+)/.exec(m)?.[1])
            .filter((t): t is string => !!t && !seen.has(t));
          if (tokens.length) {
            seen.add(tokens[0]!);
            return tokens[0]!;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('no reset mail within 10 s');
      };
      const token = await resetLink();
      const newPassword = plant(`Reset-${randomBytes(4).toString('hex')}-Pferd`);
      const res = await http()
        .post('/api/auth/password-reset/confirm')
        .set('X-Forwarded-For', address())
        .send({ center: a.slug, token, password: newPassword });
      expect(res.status).toBe(200);
      plant((res.body as LoginResult).token);
      await expectSessionGone(s.token);
      await http()
        .post('/api/auth/password-reset/confirm')
        .set('X-Forwarded-For', address())
        .send({ center: a.slug, token, password: 'Other-Horse-8-Battery' })
        .expect(404);
      await loginFrom(address(), a.slug, s.login, newPassword).expect(200);
      // expired
      const late = await resetLink();
      sql(`UPDATE password_resets SET expires_at = '2020-01-01 00:00:00.000' WHERE account_id = ?`, s.id);
      await http()
        .post('/api/auth/password-reset/confirm')
        .set('X-Forwarded-For', address())
        .send({ center: a.slug, token: late, password: 'Other-Horse-8-Battery' })
        .expect(404);
      await loginFrom(address(), a.slug, s.login, newPassword).expect(200);
    });

    it('confirms a client’s email (double opt-in) with its link once; again, in another center or after 48 h: NOT_FOUND, all alike', async () => {
      const a = A();
      const register = async () => {
        const username = `mail-${randomBytes(4).toString('hex')}`;
        const email = `${username}@mail.example`;
        await http().post('/api/auth/register').set('X-Forwarded-For', address()).send({ center: a.slug, username, password: PASSWORD, email }).expect(201);
        return { username, email, token: confirmTokens(email).at(-1)! };
      };
      const confirm = (center: string, token: string) => http().post('/api/auth/confirm-email').set('X-Forwarded-For', address()).send({ center, token });
      const { token } = await register();
      await confirm(B().slug, token).expect(404);
      await confirm(a.slug, token).expect(204);
      const used = await confirm(a.slug, token);
      const unknown = await confirm(a.slug, randomBytes(24).toString('base64url'));
      // expired: the link of a registration 48 h and a moment ago
      const late = await register();
      const [row] = sql<{ created_at: string; email_confirm_expires_at: string }>(
        'SELECT created_at, email_confirm_expires_at FROM accounts WHERE login = ?',
        late.username,
      );
      // (the row's time and the link's are read a moment apart in the same request)
      const lifetime = Date.parse(`${row!.email_confirm_expires_at}Z`) - Date.parse(`${row!.created_at}Z`);
      expect(lifetime).toBeGreaterThanOrEqual(48 * 3600_000);
      expect(lifetime).toBeLessThan(48 * 3600_000 + 1000);
      sql(`UPDATE accounts SET email_confirm_expires_at = '2020-01-01 00:00:00.000' WHERE login = ?`, late.username);
      const expired = await confirm(a.slug, late.token);
      expect(used.status).toBe(404);
      expect(answer(expired)).toBe(answer(used));
      expect(answer(unknown)).toBe(answer(used));
      expect(sql<{ at: unknown }>('SELECT email_confirmed_at AS at FROM accounts WHERE login = ?', late.username)[0]!.at).toBeNull();
    });

    it('sends a new confirmation link for an expired one (the old one dies), and tells nothing for a used or unknown link', async () => {
      const a = A();
      const username = `renew-${randomBytes(4).toString('hex')}`;
      const email = `${username}@mail.example`;
      await http().post('/api/auth/register').set('X-Forwarded-For', address()).send({ center: a.slug, username, password: PASSWORD, email }).expect(201);
      const old = confirmTokens(email).at(-1)!;
      sql(`UPDATE accounts SET email_confirm_expires_at = '2020-01-01 00:00:00.000' WHERE login = ?`, username);
      const resend = (token: string, center = a.slug) =>
        http().post('/api/auth/confirm-email/resend').set('X-Forwarded-For', address()).send({ center, token });
      // another center's slug with this token: the same {} and no mail
      const foreign = await resend(old, B().slug);
      const unknown = await resend(randomBytes(24).toString('base64url'));
      const renewed = await resend(old);
      for (const res of [foreign, unknown, renewed]) expect(answer(res)).toBe(answer({ status: 202, body: {} }));
      const tokens = confirmTokens(email);
      expect(tokens).toHaveLength(2);
      const fresh = tokens.find((t) => t !== old)!;
      expect(fresh).not.toBe(old);
      await http().post('/api/auth/confirm-email').set('X-Forwarded-For', address()).send({ center: a.slug, token: old }).expect(404);
      await http().post('/api/auth/confirm-email').set('X-Forwarded-For', address()).send({ center: a.slug, token: fresh }).expect(204);
      // used (confirmed) and old links: {} and no mail
      expect(answer(await resend(fresh))).toBe(answer(renewed));
      expect(answer(await resend(old))).toBe(answer(renewed));
      expect(confirmTokens(email)).toHaveLength(2);
      // at most 3 a link an hour, known or not
      const probe = randomBytes(24).toString('base64url');
      for (let i = 0; i < 3; i++) await resend(probe).expect(202);
      const limited = await resend(probe);
      expect(limited.status).toBe(429);
      expect((limited.body as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    });
  });
});
