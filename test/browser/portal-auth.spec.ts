import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { PasswordResetService } from '../../src/modules/auth/password-reset.service';
import type { LoginResult } from '../../src/realtime/contract';
import { freePort, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { launchChromium } from '../harness/browser';
import { createStaff } from '../factories';
import { readOutbox } from '../harness/outbox';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

/**
 * Registration, login, logout, password change, forgotten password and account deletion in the
 * portal, in Chromium against the real server. axe-core in every state; screenshots of each.
 */
const PASSWORD = 'Correct-Horse-9-Battery';
const NEW_PASSWORD = 'Quiet-Harbour-41-Maple';

let t: TestApp & { dropDb: () => Promise<void> };
let c: SeededCenter;
let browser: Browser;
const contexts: BrowserContext[] = [];
const foreign: { list: string[] }[] = [];

beforeAll(async () => {
  const port = await freePort();
  t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  c = await seedCenter(t, { counselors: 1, clients: 1 });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
  await browser?.close();
  await t?.close();
  await t?.dropDb();
});

async function newPage(viewport = { width: 1000, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'de-DE' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  foreign.push(watchForeignRequests(page, t.url));
  return page;
}

const base = () => `${t.url}/c/${c.slug}`;
// the test tsconfig has no DOM types: page-side code as expressions
const activeId = (page: Page) => page.evaluate<string | null>('document.activeElement && document.activeElement.id');
const storedToken = (page: Page) => page.evaluate<string | null>(`JSON.parse(sessionStorage.getItem('lotse.portal.${c.slug}') || 'null')?.token ?? null`);
const me = (token: string) => t.http().get('/api/auth/me').set('Authorization', `Bearer ${token}`);
const apiLogin = (login: string, password: string) => t.http().post('/api/auth/login').send({ center: c.slug, login, password });

/** Waits until the token answers `status` on /api/auth/me (the logout call runs after the page has forgotten it). */
async function untilStatus(token: string, status: number): Promise<void> {
  let last = 0;
  for (let i = 0; i < 50 && last !== status; i++) {
    last = (await me(token)).status;
    if (last !== status) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(last).toBe(status);
}

/** Presses Tab until the element with `id` has the focus (fails after 15 presses). */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 15; i++) {
    if ((await activeId(page)) === id) return;
    await page.keyboard.press('Tab');
  }
  expect(await activeId(page)).toBe(id);
}

async function expectFieldError(page: Page, id: string, sentence: string): Promise<void> {
  const input = page.locator(`#${id}`);
  await page.locator(`#${id}-error`).waitFor();
  await expect(input.getAttribute('aria-invalid')).resolves.toBe('true');
  await expect(input.getAttribute('aria-describedby')).resolves.toContain(`${id}-error`);
  await expect(page.locator(`#${id}-error`).textContent()).resolves.toContain(sentence);
}

async function uiLogin(page: Page, login: string, password: string, path = '/login'): Promise<void> {
  await page.goto(`${base()}${path}`);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
}

async function registerWithEmail(username: string, email: string): Promise<LoginResult> {
  const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
  const mail = readOutbox(t.config.dataDir).find((m) => m.includes('confirm-email.html') && m.includes(email))!;
  const token = /[#&]token=([A-Za-z0-9_-]+)/.exec(mail)![1]!;
  await t.http().post('/api/auth/confirm-email').send({ center: c.slug, token }).expect(204);
  return res.body as LoginResult;
}

describe('portal registration', () => {
  it('should register with the keyboard only and land signed in when Tab, typing and Enter are used', async () => {
    const page = await newPage();
    await page.goto(`${base()}/register`);
    await page.locator('#username').waitFor();
    // said before sending: without a confirmed email a forgotten password cannot be reset
    await expect(page.locator('#no-reset-warning').textContent()).resolves.toContain(
      'Ohne bestätigte E-Mail-Adresse kann ein vergessenes Passwort nicht zurückgesetzt werden',
    );
    await expect(page.locator('label[for="email"]').textContent()).resolves.toContain('(freiwillig)');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-01-register');

    await tabTo(page, 'username');
    await page.keyboard.type('Stille-Eule');
    await tabTo(page, 'password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base()}/app/rooms`);
    await page.getByRole('button', { name: 'Abmelden' }).waitFor();
    const token = await storedToken(page);
    expect(token).not.toBeNull();
    const res = await me(token!).expect(200);
    expect(res.body).toMatchObject({ role: 'client', displayName: 'Stille-Eule' });
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-02-registered');
  });

  it('should say next to the field when the pseudonym is taken or looks like a taken one and when the password is weak', async () => {
    await t.http().post('/api/auth/register').send({ center: c.slug, username: 'taken-name', password: PASSWORD }).expect(201);
    const page = await newPage();
    await page.goto(`${base()}/register`);
    const submit = page.getByRole('button', { name: 'Konto anlegen' });

    await page.locator('#username').fill('taken-name');
    await page.locator('#password').fill(NEW_PASSWORD);
    await submit.click();
    await expectFieldError(page, 'username', 'schon vergeben');
    expect(await activeId(page)).toBe('username');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-03-register-taken');

    // a look-alike (Cyrillic а) is taken too
    await page.locator('#username').fill('t\u0430ken-name');
    await submit.click();
    await page.locator('#username-error').waitFor({ state: 'detached' });
    await expectFieldError(page, 'username', 'zum Verwechseln ähnlich');

    // too short: said before sending
    await page.locator('#username').fill('free-name');
    await page.locator('#password').fill('kurz');
    await submit.click();
    await expectFieldError(page, 'password', 'mindestens 8 Zeichen');
    await expect(page.locator('#username').getAttribute('aria-invalid')).resolves.toBeNull();

    // too common: the server's refusal, next to the password
    await page.locator('#password').fill('password123');
    await submit.click();
    await page.locator('#password-error', { hasText: 'sehr verbreitet' }).waitFor();
    await expectFieldError(page, 'password', 'leicht zu erraten');
    expect(await activeId(page)).toBe('password');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-04-register-weak-password');
  });

  it('should show the registration page in one column at 320 px with an error next to its field', async () => {
    const page = await newPage({ width: 320, height: 640 });
    await page.goto(`${base()}/register`);
    await page.locator('#username').fill('x');
    await page.getByRole('button', { name: 'Konto anlegen' }).click();
    await expectFieldError(page, 'username', '3 bis 40 Zeichen');
    const overflow = await page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth');
    expect(overflow).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-05-register-320px');
  });

  it('should ask to confirm the email and send the German confirmation mail when one is given', async () => {
    // 640 × 400 CSS pixels: a 1280 × 800 screen at 200 % zoom
    const page = await newPage({ width: 640, height: 400 });
    await page.goto(`${base()}/register`);
    await page.locator('#username').fill('mail-robin');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#email').fill('robin@example.org');
    await shot(page, 'auth-05b-register-zoom-200');
    await page.locator('#email').press('Enter');
    await page.waitForURL(`${base()}/app/rooms`);
    await page.getByRole('status').filter({ hasText: 'Bitte bestätigen Sie Ihre Adresse' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const mail = readOutbox(t.config.dataDir).find((m) => m.includes('robin@example.org'));
    // (the outbox reader decodes quoted-printable byte by byte: ASCII-only excerpts)
    expect(mail).toContain('Wenn Sie das waren');
    expect(mail).toContain('Erst danach schicken wir Benachrichtigungen an diese Adresse');
    expect(mail).toContain(`${t.url}/confirm-email.html#center=${c.slug}&token=`);
  });

  it('should offer the optional email in English when the language is English', async () => {
    const page = await newPage();
    await page.goto(`${base()}/register?lang=en`);
    await expect(page.locator('label[for="email"]').textContent()).resolves.toContain('(optional)');
    await expect(page.locator('#no-reset-warning').textContent()).resolves.toContain('without a confirmed email address a forgotten password cannot be reset');
    expect(await seriousViolations(page)).toEqual([]);
  });
});

describe('portal login and logout', () => {
  it('should log a client in and out, and refuse a wrong password with a sentence', async () => {
    const client = c.clients[0]!;
    const page = await newPage();
    await uiLogin(page, client.login, 'Wrong-Password-77');
    await page.locator('#login-form-error', { hasText: 'stimmen nicht' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-06-login-failed');

    await page.locator('#password').fill(client.password);
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await page.waitForURL(`${base()}/app/rooms`);
    const token = (await storedToken(page))!;
    await me(token).expect(200);

    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/login/);
    expect(await storedToken(page)).toBeNull();
    await untilStatus(token, 401);
  });

  it('should log a counselor in to the live console, back to the page asked for and out from the account page', async () => {
    const counselor = c.counselors[0]!;
    const page = await newPage();
    await uiLogin(page, counselor.login, counselor.password);
    await page.waitForURL(`${base()}/app/live`);
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/login/);

    // the shell sends an unsigned visit to the login with ?next=, and the login leads back
    await page.goto(`${base()}/app/account`);
    await page.waitForURL(/\/login\?next=/);
    await page.locator('#login').fill(counselor.login.toUpperCase());
    await page.locator('#password').fill(counselor.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base()}/app/account`);
    await page.getByRole('heading', { name: 'Mein Konto', level: 1 }).waitFor();
    await expect(page.locator('.account-details').textContent()).resolves.toContain('Beratung');
    await expect(page.locator('#delete-heading + p').textContent()).resolves.toContain('jederzeit selbst löschen');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-07-account-counselor');

    const token = (await storedToken(page))!;
    await page.locator('main').getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(`${base()}/login`);
    await page.getByRole('status').filter({ hasText: 'Sie sind abgemeldet.' }).waitFor();
    await untilStatus(token, 401);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('should say how long to wait when the login is rate-limited', async () => {
    await t.http().post('/api/auth/register').send({ center: c.slug, username: 'guessed-lark', password: PASSWORD }).expect(201);
    // 10 failures of one account from one address (the browser's address too)
    for (let i = 0; i < 10; i++) await apiLogin('guessed-lark', `Guess-Number-${i}`).expect(401);
    const page = await newPage();
    await uiLogin(page, 'guessed-lark', PASSWORD);
    const error = page.locator('#login-form-error', { hasText: 'Zu viele Versuche' });
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/Bitte warten Sie \d+ Minuten \(\d+ Sekunden\)/);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-06b-login-rate-limited');
  });

  it('should not follow a ?next= that leaves the center', async () => {
    const page = await newPage();
    await page.goto(`${base()}/login?next=${encodeURIComponent('//evil.example/c/x')}`);
    await page.locator('#login').fill(c.counselors[0]!.login);
    await page.locator('#password').fill(c.counselors[0]!.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base()}/app/live`);
  });
});

describe('portal password change and reset', () => {
  it('should change the password, end the other sessions and say so when the current password is given', async () => {
    await t.http().post('/api/auth/register').send({ center: c.slug, username: 'changer-lynx', password: PASSWORD }).expect(201);
    const other = (await apiLogin('changer-lynx', PASSWORD).expect(200)).body as LoginResult;
    const page = await newPage();
    await uiLogin(page, 'changer-lynx', PASSWORD);
    await page.waitForURL(`${base()}/app/rooms`);
    await page.goto(`${base()}/app/account`);
    await page.locator('#currentPassword').fill('Not-The-Password-1');
    await page.locator('#newPassword').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    await expectFieldError(page, 'currentPassword', 'stimmt nicht');
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator('#currentPassword').fill(PASSWORD);
    await page.getByRole('button', { name: 'Passwort ändern' }).click();
    await page.getByRole('status').filter({ hasText: 'Alle anderen Anmeldungen sind beendet' }).waitFor();
    await expect(page.locator('#currentPassword').inputValue()).resolves.toBe('');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-08-password-changed');
    await me(other.token).expect(401);
    await me((await storedToken(page))!).expect(200);
    await apiLogin('changer-lynx', PASSWORD).expect(401);
    await apiLogin('changer-lynx', NEW_PASSWORD).expect(200);
  });

  it('should set a new password from the mail link once and keep the token out of the address bar', async () => {
    await registerWithEmail('forgetful-fox', 'fox@example.org');
    const page = await newPage();
    await page.goto(`${base()}/login`);
    await page.getByRole('link', { name: 'Passwort vergessen?' }).click();
    await page.waitForURL(`${base()}/reset`);
    // the reset page loads on demand: its own heading says it is there
    await page.getByRole('heading', { name: 'Passwort vergessen', level: 1 }).waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('ohne bestätigte E-Mail-Adresse, kann nicht zurückgesetzt werden');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-09-reset-request');
    await page.locator('#login').fill('forgetful-fox');
    await page.getByRole('button', { name: 'Link anfordern' }).click();
    await page.getByRole('status').filter({ hasText: 'ist der Link jetzt unterwegs' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-10-reset-sent');

    await t.app.get(PasswordResetService).settled();
    const mail = readOutbox(t.config.dataDir).find((m) => m.includes('/reset#token=') && m.includes('fox@example.org'));
    expect(mail).toBeDefined();
    const link = /(http:\/\/\S+\/reset#token=[A-Za-z0-9_-]+)/.exec(mail!)![1]!;
    expect(link.startsWith(`${base()}/reset#token=`)).toBe(true);

    const linkPage = await newPage();
    const requested: string[] = [];
    linkPage.on('request', (r) => requested.push(r.url()));
    await linkPage.goto(link);
    await linkPage.locator('#password').waitFor();
    expect(linkPage.url()).toBe(`${base()}/reset`);
    expect(requested.filter((u) => u.includes('token='))).toEqual([]);
    expect(await seriousViolations(linkPage)).toEqual([]);
    await shot(linkPage, 'auth-11-reset-new-password');
    await linkPage.locator('#password').fill('password123');
    await linkPage.keyboard.press('Enter');
    await expectFieldError(linkPage, 'password', 'sehr verbreitet');
    await linkPage.locator('#password').fill(NEW_PASSWORD);
    await linkPage.keyboard.press('Enter');
    await linkPage.getByRole('status').filter({ hasText: 'Ihr neues Passwort gilt' }).waitFor();
    expect(await seriousViolations(linkPage)).toEqual([]);
    await shot(linkPage, 'auth-12-reset-done');
    await me((await storedToken(linkPage))!).expect(200);
    await apiLogin('forgetful-fox', PASSWORD).expect(401);
    await apiLogin('forgetful-fox', NEW_PASSWORD).expect(200);

    // the same link a second time: used up, said plainly
    const again = await newPage();
    await again.goto(link);
    await again.locator('#password').fill('Yet-Another-Pass-93');
    await again.keyboard.press('Enter');
    await again.getByRole('alert').filter({ hasText: 'schon benutzt' }).waitFor();
    expect(await seriousViolations(again)).toEqual([]);
    await shot(again, 'auth-13-reset-link-used');
    await again.getByRole('button', { name: 'Neuen Link anfordern' }).click();
    await again.locator('#login').waitFor();
    await apiLogin('forgetful-fox', NEW_PASSWORD).expect(200);
  });
});

describe('portal account deletion', () => {
  it('should delete the account after the dialog, and refuse the login afterwards with a sentence', async () => {
    await registerWithEmail('leaving-heron', 'heron@example.org');
    const page = await newPage();
    await uiLogin(page, 'leaving-heron', PASSWORD);
    await page.waitForURL(`${base()}/app/rooms`);
    await page.getByRole('link', { name: 'Mein Konto' }).click();
    await page.waitForURL(`${base()}/app/account`);
    const opener = page.getByRole('button', { name: 'Konto löschen …' });
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-14-account-client');

    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Konto endgültig löschen?' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('alle Ihre Chats und Nachrichten');
    await expect(dialog.textContent()).resolves.toContain('Ihre E-Mail-Adresse');
    await expect(dialog.textContent()).resolves.toContain('kann nicht rückgängig gemacht werden');
    expect(await activeId(page)).toBe('delete-password');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-15-delete-dialog');
    // Esc cancels and the focus returns to the button that opened it
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await activeId(page)).toBe('delete-open');

    await opener.click();
    await page.locator('#delete-password').fill('Wrong-Password-77');
    await page.getByRole('button', { name: 'Konto endgültig löschen' }).click();
    await expectFieldError(page, 'delete-password', 'stimmt nicht');
    expect(await seriousViolations(page)).toEqual([]);
    await page.locator('#delete-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Konto endgültig löschen' }).click();
    await page.waitForURL(base());
    await page.getByRole('status').filter({ hasText: 'Ihr Konto und alles, was dazu gehörte, ist gelöscht.' }).waitFor();
    expect(await storedToken(page)).toBeNull();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-16-deleted');

    await uiLogin(page, 'leaving-heron', PASSWORD);
    await page.locator('#login-form-error', { hasText: 'stimmen nicht' }).waitFor();
    await apiLogin('leaving-heron', PASSWORD).expect(401);
  });

  it('should delete a counselor with the keyboard after the staff dialog says what goes and what stays', async () => {
    const counselor = await createStaff(t, { id: c.centerId, slug: c.slug }, { email: `leaving@${c.slug}.example`, displayName: 'Frau Abschied' });
    await t.http().post('/api/canned-responses').set('Authorization', `Bearer ${counselor.token}`).send({ title: 'Gruß', body: 'Hallo!' }).expect(201);
    const page = await newPage();
    await uiLogin(page, counselor.login, counselor.password);
    // the live console holds a socket: the deletion closes it while the page waits for the answer
    await page.waitForURL(`${base()}/app/live`);
    await page.getByRole('link', { name: 'Mein Konto' }).click();
    await page.waitForURL(`${base()}/app/account`);
    await expect(page.locator('#delete-heading + p').textContent()).resolves.toContain('jederzeit selbst löschen');

    await tabTo(page, 'delete-open');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Konto endgültig löschen?' });
    await dialog.waitFor();
    const text = await dialog.textContent();
    for (const part of [
      'Ihre Anmeldung mit Ihrer E-Mail-Adresse',
      'Ihre Textbausteine',
      'eine laufende Schicht endet',
      'unter Ihrem Anzeigenamen',
      'kann nicht rückgängig gemacht werden',
    ])
      expect(text).toContain(part);
    expect(text).not.toContain('alle Ihre Chats und Nachrichten');
    expect(await activeId(page)).toBe('delete-password');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-17-delete-dialog-counselor');

    await page.keyboard.type(counselor.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(base());
    await page.getByRole('status').filter({ hasText: 'Ihr Konto ist gelöscht.' }).waitFor();
    expect(await storedToken(page)).toBeNull();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-18-deleted-counselor');
    await me(counselor.token).expect(401);
    await apiLogin(counselor.login, counselor.password).expect(401);
    const canned = await t.app.get(DataSource).query<unknown[]>('SELECT id FROM canned_responses WHERE owner_id = ?', [counselor.id]);
    expect(canned).toEqual([]);
  });

  it('should tell the last active admin in the dialog why the account cannot be deleted, at 320 px', async () => {
    const page = await newPage({ width: 320, height: 720 });
    await uiLogin(page, c.admin.login, c.admin.password);
    await page.waitForURL(`${base()}/app/overview`);
    await page.goto(`${base()}/app/account`);
    await page.getByRole('button', { name: 'Konto löschen …' }).click();
    await page.locator('#delete-password').fill(c.admin.password);
    await page.getByRole('button', { name: 'Konto endgültig löschen' }).click();
    const refusal = page.locator('#delete-form-error', { hasText: 'einzige aktive Administration' });
    await refusal.waitFor();
    await refusal.scrollIntoViewIfNeeded();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'auth-19-last-admin-320');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(await activeId(page)).toBe('delete-open');
    await me(c.admin.token).expect(200);
  });

  it('should have made no request to another origin in any of these pages', () => {
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
