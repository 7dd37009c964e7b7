import type { Page } from 'playwright-core';
import type { LoginResult } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, login, nextEvent, seedCenter, SeededCenter, visitor } from '../harness/app';
import { type PortalBrowser, signInPortal, startPortalBrowser } from '../harness/portal-browser';
import { readOutbox } from '../harness/outbox';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

const PASSWORD = 'Correct-Horse-9-Battery';
const NEW_PASSWORD = 'Lotse-Leuchtturm-am-Meer-7';

/**
 * The admin pages in Chromium against the real server: invitation by mail and its link, the
 * deactivation that ends an open page's session at once, the live overview, inactive clients and
 * the settings form. axe-core after every state, screenshots of each.
 */
describe('portal admin pages in Chromium', () => {
  let t: PortalBrowser['t'];
  let portal: PortalBrowser;
  let c: SeededCenter;
  let admin: Page;
  let foreign: { list: string[] };
  let counselorPage: Page;
  const invitedEmail = () => `lena@${c.slug}.example`;

  /** A page signed in as `who` (the LoginResult in sessionStorage before the portal loads). */
  async function signedInPage(who: LoginResult, viewport = { width: 1100, height: 800 }): Promise<Page> {
    const context = await portal.context({ viewport, locale: 'de-DE' });
    await signInPortal(context, c.slug, who);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
    return page;
  }
  const adminResult = (): LoginResult => ({ token: c.admin.token, account: { id: c.admin.id, role: 'admin', displayName: c.admin.displayName } });
  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

  beforeAll(async () => {
    portal = await startPortalBrowser();
    t = portal.t;
    c = await seedCenter(t, { counselors: 0, clients: 0 });
    admin = await signedInPage(adminResult());
    foreign = watchForeignRequests(admin, t.url);
  });
  afterAll(async () => {
    closeAllSockets();
    await portal?.close();
  });

  it('should show the invitation error next to the field and then send the invitation when the admin invites a counselor', async () => {
    await admin.goto(`${t.url}/c/${c.slug}/app/staff`);
    await heading(admin, 'Team');
    await admin.locator(`tr[data-staff="${c.admin.login}"]`).waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-01-staff');

    await admin.getByLabel('E-Mail-Adresse').fill('not-an-address');
    await admin.getByLabel('Angezeigter Name').fill('Lena');
    await admin.getByRole('button', { name: 'Einladen' }).click();
    await admin.locator('#invite-email-error').getByText('Bitte geben Sie eine gültige E-Mail-Adresse ein.').waitFor();
    await expect(admin.getByLabel('E-Mail-Adresse').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-02-invite-error');

    await admin.getByLabel('E-Mail-Adresse').fill(invitedEmail());
    await admin.getByLabel('Rolle').selectOption('counselor');
    await admin.getByRole('button', { name: 'Einladen' }).click();
    await admin.getByRole('status').getByText(`Die Einladung an ${invitedEmail()} ist verschickt.`).waitFor();
    await admin.locator(`tr[data-staff="${invitedEmail()}"] td[data-status="invited"]`).waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-03-invited');
  });

  it('should set the password from the emailed link and sign the counselor in when they open it', async () => {
    const mail = readOutbox(t.config.dataDir).find((m) => m.includes(invitedEmail()));
    expect(mail).toContain('Guten Tag Lena');
    const link = /(http:\/\/\S+\/invitation#token=[A-Za-z0-9_-]+)/.exec(mail ?? '')?.[1];
    expect(link?.startsWith(`${t.url}/c/${c.slug}/invitation#token=`)).toBe(true);

    const context = await portal.context({ viewport: { width: 1100, height: 800 }, locale: 'de-DE' });
    counselorPage = await context.newPage();
    const requested: string[] = [];
    counselorPage.on('request', (r) => requested.push(r.url()));
    await counselorPage.goto(link!);
    await heading(counselorPage, 'Einladung annehmen');
    // the token left the address bar at once and never travelled in a URL
    expect(counselorPage.url()).toBe(`${t.url}/c/${c.slug}/invitation`);
    expect(requested.filter((u) => u.includes('token'))).toEqual([]);
    await counselorPage.getByText('Mindestens 8 Zeichen').waitFor();
    expect(await seriousViolations(counselorPage)).toEqual([]);
    await shot(counselorPage, 'admin-04-invitation');

    await counselorPage.getByLabel('Neues Passwort').fill(NEW_PASSWORD);
    await counselorPage.getByLabel('Passwort wiederholen').fill('something else');
    await counselorPage.getByRole('button', { name: 'Passwort festlegen' }).click();
    await counselorPage.locator('#invitation-repeat-error').getByText('Die beiden Passwörter stimmen nicht überein.').waitFor();
    expect(await seriousViolations(counselorPage)).toEqual([]);

    await counselorPage.getByLabel('Passwort wiederholen').fill(NEW_PASSWORD);
    await counselorPage.getByRole('button', { name: 'Passwort festlegen' }).click();
    await counselorPage.waitForURL(`${t.url}/c/${c.slug}/app/live`);
    await counselorPage.getByRole('button', { name: 'Abmelden' }).waitFor();
    await shot(counselorPage, 'admin-05-counselor-signed-in');
    // the link is used up
    const token = /#token=([A-Za-z0-9_-]+)/.exec(link!)?.[1];
    await t.http().post('/api/auth/invitation').send({ center: c.slug, token, password: NEW_PASSWORD }).expect(404);
    await login(t, c.slug, invitedEmail(), NEW_PASSWORD);
  });

  it("should end the counselor's open page at once and refuse their login when the admin deactivates them, and let them in again after reactivation", async () => {
    await admin.reload();
    await admin.locator(`tr[data-staff="${invitedEmail()}"] td[data-status="active"]`).waitFor();
    await admin.getByRole('button', { name: 'Deaktivieren: Lena' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Lena deaktivieren?' });
    await dialog.waitFor();
    // the focus starts on the harmless choice
    await expect(admin.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Abbrechen');
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-06-deactivate-dialog');
    await dialog.getByRole('button', { name: 'Deaktivieren', exact: true }).click();
    await admin.getByRole('status').getByText('Lena ist deaktiviert.').waitFor();
    await admin.locator(`tr[data-staff="${invitedEmail()}"] td[data-status="deactivated"]`).waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-07-deactivated');

    // no reload: the server dropped the page's socket and the page learnt the session is gone
    await counselorPage.getByRole('alert').getByText('Ihre Sitzung wurde beendet.').waitFor();
    await expect(counselorPage.evaluate((key) => sessionStorage.getItem(key), `lotse.portal.${c.slug}`)).resolves.toBeNull();
    expect(await seriousViolations(counselorPage)).toEqual([]);
    await shot(counselorPage, 'admin-08-counselor-session-ended');
    await t.http().post('/api/auth/login').send({ center: c.slug, login: invitedEmail(), password: NEW_PASSWORD }).expect(401);

    await admin.getByRole('button', { name: 'Reaktivieren: Lena' }).click();
    await admin.getByRole('dialog', { name: 'Lena wieder aktivieren?' }).getByRole('button', { name: 'Reaktivieren', exact: true }).click();
    await admin.getByRole('status').getByText('Lena ist wieder aktiv.').waitFor();
    await admin.locator(`tr[data-staff="${invitedEmail()}"] td[data-status="active"]`).waitFor();
    await login(t, c.slug, invitedEmail(), NEW_PASSWORD);
  });

  it('should show the counselor on shift with their chat and announce a new waiting person on the overview', async () => {
    const lena = await login(t, c.slug, invitedEmail(), NEW_PASSWORD);
    const socket = await connect(t.url, lena.token);
    ok(await call(socket, 'shift.open', { maxChats: 1 }));
    const v1 = await connect(t.url, (await visitor(t, c.slug)).token);
    const assigned = nextEvent(v1, 'queue.assigned');
    ok(await call(v1, 'queue.join', {}));
    await assigned;

    await admin.goto(`${t.url}/c/${c.slug}/app/overview`);
    await heading(admin, 'Live-Übersicht');
    const row = admin.locator(`tr[data-counselor="${lena.id}"]`);
    await row.getByText('in Schicht').waitFor();
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('1 von 1');
    await admin.getByText('0 Personen warten').waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-09-overview');

    const v2 = await connect(t.url, (await visitor(t, c.slug)).token);
    expect(ok(await call(v2, 'queue.join', {}))).toEqual({ position: 1 });
    // the page polls every 10 s: the change arrives in the polite live region
    await admin.getByRole('status').getByText('Aktualisiert: 1 Person wartet, 1 Person in Schicht.').waitFor({ state: 'attached', timeout: 15_000 });
    await admin.getByText('1 Person wartet', { exact: true }).waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-10-overview-waiting');
  });

  it('should list an unconfirmed client with the age of the account and delete everything of theirs after the warning', async () => {
    await t.http().post('/api/auth/register').send({ center: c.slug, username: 'stille-eule', password: PASSWORD, email: 'eule@mail.example' }).expect(201);
    await admin.goto(`${t.url}/c/${c.slug}/app/clients`);
    await heading(admin, 'Ratsuchende');
    const row = admin.locator('tr[data-client="stille-eule"]');
    await row.waitFor();
    await expect(row.locator('td[data-age]').textContent()).resolves.toBe('0 Tage');
    await row.getByText('nicht bestätigt').waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-11-clients');

    // keyboard only: Enter opens the dialog with the focus on "Abbrechen", Esc closes it and the focus returns
    const remove = admin.getByRole('button', { name: 'stille-eule löschen' });
    await remove.focus();
    await admin.keyboard.press('Enter');
    const dialog = admin.getByRole('dialog', { name: 'stille-eule löschen?' });
    await dialog.waitFor();
    await expect(admin.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Abbrechen');
    await admin.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect(admin.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe('stille-eule löschen');
    await remove.click();
    await dialog.getByText('Das lässt sich nicht rückgängig machen.').waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-12-client-delete-dialog');
    await dialog.getByRole('button', { name: 'Löschen', exact: true }).click();
    await admin.getByRole('status').getByText('stille-eule ist gelöscht.').waitFor();
    await row.waitFor({ state: 'detached' });
    await admin.waitForFunction(() => document.activeElement?.tagName === 'H1');
    await t.http().post('/api/auth/login').send({ center: c.slug, login: 'stille-eule', password: PASSWORD }).expect(401);
  });

  it('should show the validation error next to the named field and save the settings when they are corrected', async () => {
    await admin.goto(`${t.url}/c/${c.slug}/app/settings`);
    await heading(admin, 'Einstellungen');
    await admin.getByLabel('Name der Beratungsstelle').waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-13-settings');

    await admin.getByLabel('Adresse des Impressums').fill('http://insecure.example/impressum');
    await admin.getByRole('button', { name: 'Zeitraum hinzufügen' }).click();
    const row = admin.getByRole('group', { name: 'Zeitraum 1' });
    await row.getByLabel('von').fill('18:00');
    await row.getByLabel('bis').fill('09:00');
    await admin.getByRole('button', { name: 'Einstellungen speichern' }).click();
    await admin.locator('#setting-imprintUrl-error').getByText('Bitte geben Sie eine https-Adresse').waitFor();
    await expect(admin.getByLabel('Adresse des Impressums').getAttribute('aria-invalid')).resolves.toBe('true');
    // the focus moves to the first refused field (waited for: it follows the render)
    await admin.waitForFunction(() => document.activeElement?.id === 'setting-imprintUrl', undefined, { timeout: 5000 });
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-14-settings-error');

    await admin.getByLabel('Adresse des Impressums').fill('https://www.example.org/impressum');
    await admin.getByRole('button', { name: 'Einstellungen speichern' }).click();
    await admin.locator('#hours-0-to-error').getByText('das Ende muss nach dem Beginn liegen').waitFor();
    await row.getByLabel('von').fill('09:00');
    await row.getByLabel('bis').fill('18:00');
    await admin.getByRole('button', { name: 'Einstellungen speichern' }).click();
    await admin.getByRole('status').getByText('Die Einstellungen sind gespeichert.').waitFor();
    const info = (await t.http().get(`/api/centers/${c.slug}`).expect(200)).body as { imprintUrl: string; openingHours: unknown[] };
    expect(info).toMatchObject({ imprintUrl: 'https://www.example.org/impressum', openingHours: [{ day: 1, from: '09:00', to: '18:00' }] });
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-15-settings-saved');

    // English is complete: the same form in the other language
    await admin.getByLabel('Sprache').selectOption('en');
    await heading(admin, 'Settings');
    await admin.getByRole('group', { name: 'Opening hours' }).waitFor();
    expect(await seriousViolations(admin)).toEqual([]);
    await shot(admin, 'admin-16-settings-en');
    await admin.getByLabel('Language').selectOption('de');
    await heading(admin, 'Einstellungen');
    expect(foreign.list).toEqual([]);
  });

  it('should stay usable at 320 px width when the admin opens the team page on a phone', async () => {
    const small = await signedInPage(adminResult(), { width: 320, height: 640 });
    await small.goto(`${t.url}/c/${c.slug}/app/staff`);
    await heading(small, 'Team');
    await small.locator(`tr[data-staff="${invitedEmail()}"]`).waitFor();
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousViolations(small)).toEqual([]);
    await shot(small, 'admin-17-staff-320px');
  });
});

describe('portal team page without mail in Chromium', () => {
  let t: PortalBrowser['t'];
  let portal: PortalBrowser;
  beforeAll(async () => {
    portal = await startPortalBrowser({ env: { MAIL: 'off' } });
    t = portal.t;
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('should show the generated password once in a marked box that logs in when no mail is configured', async () => {
    const c = await seedCenter(t, { counselors: 0, clients: 0 });
    const context = await portal.context({ viewport: { width: 1100, height: 800 }, locale: 'de-DE' });
    const who: LoginResult = { token: c.admin.token, account: { id: c.admin.id, role: 'admin', displayName: c.admin.displayName } };
    await signInPortal(context, c.slug, who);
    const page = await context.newPage();
    await page.goto(`${t.url}/c/${c.slug}/app/staff`);
    await page.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
    await page.getByLabel('E-Mail-Adresse').fill(`tom@${c.slug}.example`);
    await page.getByLabel('Angezeigter Name').fill('Tom');
    await page.getByLabel('Rolle').selectOption('admin');
    await page.getByRole('button', { name: 'Einladen' }).click();
    const box = page.getByRole('alert').filter({ hasText: 'Einmaliges Passwort' });
    await box.getByText('es wird nur jetzt angezeigt').waitFor();
    const password = (await box.locator('[data-testid="generated-password"]').textContent()) ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'admin-18-generated-password');
    const session = await login(t, c.slug, `tom@${c.slug}.example`, password);
    expect(session.id).toEqual(expect.any(String));
    await box.getByRole('button', { name: 'Ich habe das Passwort weitergegeben' }).click();
    await box.waitFor({ state: 'detached' });
    await page.locator(`tr[data-staff="tom@${c.slug}.example"] td[data-status="active"]`).waitFor();
    await context.close();
  });
});
