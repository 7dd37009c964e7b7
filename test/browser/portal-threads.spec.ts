import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { LoginResult, ThreadListItem } from '../../src/realtime/contract';
import { closeAllSockets, seedCenter, SeededCenter } from '../harness/app';
import { type PortalBrowser, signInPortal, startPortalBrowser } from '../harness/portal-browser';
import { readOutbox } from '../harness/outbox';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';
import { cleanPdf } from '../factories/pdfs';

/**
 * Mail counseling in the portal (issue 12), in headless Chromium against the real server: a
 * client writes an enquiry, the admin assigns it, the counselor answers with a PDF (after a
 * refused fake one), the client sees the unread mark arrive live, reads and downloads the PDF;
 * the counselor's notes never reach the client; an absence with the admin's notice; the settings
 * and the retention list. axe-core after every state, 320 px and keyboard-only steps, screenshots.
 */
const PASSWORD = 'Correct-Horse-9-Battery';
const SUBJECT = 'Streit zu Hause';
const ENQUIRY = 'Seit Wochen streiten meine Eltern jeden Abend. Ich weiß nicht, mit wem ich reden kann.';
const ANSWER = 'Danke, dass Sie geschrieben haben. Im Anhang finden Sie eine Liste mit Anlaufstellen.';
const NOTE = 'Privat: erst Vertrauen aufbauen, nicht drängen.';

let t: PortalBrowser['t'];
let portal: PortalBrowser;
let c: SeededCenter;
let owl: LoginResult;
let counselor: LoginResult;
let admin: LoginResult;
const foreign: { list: string[] }[] = [];
let threadId = '';
/** The PDF the counselor uploads (pdf-lib stamps dates and ids: made once, compared byte for byte). */
let uploaded: Buffer;

async function register(username: string): Promise<LoginResult> {
  const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD }).expect(201);
  return res.body as LoginResult;
}

async function portalAs(who: LoginResult, opts: { width?: number } = {}): Promise<Page> {
  const context = await portal.context({
    viewport: { width: opts.width ?? 1100, height: 900 },
    locale: 'de-DE',
    timezoneId: 'Europe/Berlin',
    acceptDownloads: true,
  });
  await signInPortal(context, c.slug, who);
  const page = await context.newPage();
  foreign.push(watchForeignRequests(page, t.url));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/** Only with UPDATE_DOC_SCREENSHOTS (as portal-journeys.spec.ts): a viewport shot for the docs, docs/screenshots/portal-threads-<name>.png. */
async function docShot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_DOC_SCREENSHOTS) return;
  const dir = join(__dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `portal-threads-${name}.png`) });
}

const base = () => `${t.url}/c/${c.slug}/app`;
const activeId = (page: Page) => page.evaluate<string>('document.activeElement?.id ?? ""');
const activeText = (page: Page) => page.evaluate<string>('document.activeElement?.textContent ?? ""');
/** No sideways scrolling: the page fits its viewport. */
const fits = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

async function pressTabUntil(page: Page, match: (el: { id: string; text: string }) => boolean, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (match({ id: await activeId(page), text: await activeText(page) })) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('the element was not reached with Tab');
}

/** Polls until `check` holds (the read marker goes over REST in the page; nothing to await from outside). */
async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function threadsOf(token: string): Promise<ThreadListItem[]> {
  return (await t.http().get('/api/threads').set('Authorization', `Bearer ${token}`).expect(200)).body as ThreadListItem[];
}

describe('portal mail counseling in Chromium', () => {
  beforeAll(async () => {
    portal = await startPortalBrowser();
    t = portal.t;
    c = await seedCenter(t, { counselors: 2, clients: 0 });
    const staff = (l: SeededCenter['admin'], role: 'admin' | 'counselor'): LoginResult => ({
      token: l.token,
      account: { id: l.id, role, displayName: l.displayName },
    });
    counselor = staff(c.counselors[0]!, 'counselor');
    admin = staff(c.admin, 'admin');
    owl = await register('grey-owl');
  });
  afterAll(async () => {
    closeAllSockets();
    await portal?.close();
  });

  let client: Page;
  let staffPage: Page;
  let adminPage: Page;

  it('should take a client through an enquiry with clear errors, then say what happens next with the crisis lines', async () => {
    client = await portalAs(owl);
    await client.goto(`${base()}/threads`);
    await client.getByText('Sie haben noch keine Nachrichten.', { exact: false }).waitFor();
    await expect(
      client.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Nachrichten' }).getAttribute('aria-current'),
    ).resolves.toBe('page');
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-threads-client-empty');

    await client.getByRole('link', { name: 'Neue Anfrage schreiben' }).click();
    await client.getByRole('heading', { name: 'Neue Anfrage', level: 1 }).waitFor();
    await client.getByRole('button', { name: 'Anfrage senden' }).click();
    await client.getByText('Bitte geben Sie einen Betreff ein.').waitFor();
    await client.getByText('Bitte schreiben Sie eine Nachricht.').waitFor();
    await expect(activeId(client)).resolves.toBe('thread-subject');
    await expect(client.getByLabel('Betreff').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-threads-enquiry-errors');

    await client.getByLabel('Betreff').fill(SUBJECT);
    await client.getByLabel('Ihre Nachricht').fill(ENQUIRY);
    await client.getByRole('button', { name: 'Anfrage senden' }).click();
    await client.getByRole('heading', { name: 'Ihre Anfrage ist angekommen', level: 1 }).waitFor();
    await client.getByText('Ihre Anfrage wird jetzt einer Beraterin oder einem Berater zugeordnet', { exact: false }).waitFor();
    await expect(client.locator('main .crisis a[href^="tel:"]').count()).resolves.toBeGreaterThan(0);
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-threads-enquiry-sent');

    const mine = await threadsOf(owl.token);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ subject: SUBJECT, status: 'waiting', counselor: null });
    threadId = mine[0]!.id;

    // the list says who it waits for; the thread shows the enquiry and that it waits
    await client.getByRole('link', { name: 'Zu Ihren Nachrichten' }).click();
    await client.locator(`[data-thread="${threadId}"]`).getByText('wartet auf Zuordnung').waitFor();
    await client.getByRole('link', { name: SUBJECT }).click();
    await client.getByRole('heading', { name: SUBJECT, level: 1 }).waitFor();
    await client.getByText(ENQUIRY).waitFor();
    await client.getByText('wartet darauf, einer Beraterin oder einem Berater zugeordnet zu werden', { exact: false }).waitFor();
    expect(await seriousViolations(client)).toEqual([]);
  });

  it('should let the admin see who waits since when, never the text, and assign the enquiry by keyboard', async () => {
    adminPage = await portalAs(admin);
    await adminPage.goto(`${base()}/enquiries`);
    const row = adminPage.locator(`tr[data-thread="${threadId}"]`);
    await row.getByRole('rowheader', { name: 'grey-owl' }).waitFor();
    await expect(adminPage.locator('main').textContent()).resolves.not.toContain(SUBJECT);
    await expect(adminPage.locator('main').textContent()).resolves.not.toContain(ENQUIRY);
    expect(await seriousViolations(adminPage)).toEqual([]);
    await shot(adminPage, 'portal-threads-admin-waiting');
    await docShot(adminPage, 'admin-waiting');

    // assigning without a choice says so at the field
    await row.getByRole('button', { name: 'Zuordnen' }).click();
    await adminPage.getByText('Bitte wählen Sie zuerst eine Beraterin oder einen Berater.').waitFor();
    await expect(activeId(adminPage)).resolves.toBe(`assign-${threadId}`);
    // keyboard only: choose with the arrow keys, Tab to the button, Enter
    await adminPage.keyboard.press('ArrowDown');
    await expect(adminPage.getByLabel('Beraterin oder Berater für grey-owl').inputValue()).resolves.toBe(counselor.account.id);
    await adminPage.keyboard.press('Tab');
    await expect(activeText(adminPage)).resolves.toBe('Zuordnen');
    await adminPage.keyboard.press('Enter');
    await adminPage
      .getByRole('status')
      .filter({ hasText: `grey-owl ist jetzt bei ${counselor.account.displayName}.` })
      .waitFor();
    await adminPage.getByText('Gerade wartet keine Anfrage.').waitFor();
    await adminPage.locator(`tr[data-thread="${threadId}"]`).getByRole('rowheader', { name: counselor.account.displayName }).waitFor();
    expect(await seriousViolations(adminPage)).toEqual([]);
    await shot(adminPage, 'portal-threads-admin-assigned');
  });

  it('should let the counselor refuse a fake PDF clearly, answer with a real one, keep private notes, and show the client the unread mark live', async () => {
    // the client waits on the list: the answer must arrive there without a reload
    await client.goto(`${base()}/threads`);
    const row = client.locator(`[data-thread="${threadId}"]`);
    await row.getByText(`mit ${counselor.account.displayName}`).waitFor();
    await expect(row.locator('.badge').count()).resolves.toBe(0);

    staffPage = await portalAs(counselor);
    await staffPage.goto(`${base()}/threads`);
    await staffPage.getByRole('link', { name: SUBJECT }).click();
    await staffPage.getByRole('heading', { name: SUBJECT, level: 1 }).waitFor();
    await staffPage.getByText(ENQUIRY).waitFor();
    await staffPage.getByRole('heading', { name: 'Notizen zu dieser Unterhaltung' }).waitFor();
    await staffPage.getByText('Privat: Nur Sie sehen diese Notizen', { exact: false }).waitFor();
    expect(await seriousViolations(staffPage)).toEqual([]);

    // a private note on the thread
    await staffPage.getByLabel('Neue Notiz').fill(NOTE);
    await staffPage.getByRole('button', { name: 'Notiz speichern' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Die Notiz ist gespeichert.' }).waitFor();
    await staffPage.locator('.note-body').filter({ hasText: NOTE }).waitFor();

    // an HTML page named .pdf is refused with a sentence, the focus stays on the file field
    const file = staffPage.getByLabel('PDF anhängen');
    await file.setInputFiles({ name: 'liste.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html><body>not a pdf</body></html>') });
    await staffPage.getByRole('alert').filter({ hasText: 'Bitte hängen Sie nur PDF-Dateien an' }).waitFor();
    await expect(file.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(activeId(staffPage)).resolves.toBe('thread-file');
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-threads-upload-refused');

    uploaded = await cleanPdf();
    await file.setInputFiles({ name: 'anlaufstellen.pdf', mimeType: 'application/pdf', buffer: uploaded });
    await staffPage.getByText('Geht mit Ihrer nächsten Nachricht mit:').waitFor();
    await staffPage.getByRole('button', { name: 'anlaufstellen.pdf entfernen' }).waitFor();
    await expect(staffPage.getByRole('alert').filter({ hasText: 'Bitte hängen Sie nur PDF-Dateien an' }).count()).resolves.toBe(0);
    await staffPage.getByLabel('Ihre Antwort').fill(ANSWER);
    await staffPage.getByLabel('Ihre Antwort').press('Control+Enter');
    await staffPage
      .locator('.post.own')
      .filter({ hasText: ANSWER })
      .getByRole('button', { name: /anlaufstellen\.pdf herunterladen/ })
      .waitFor();
    await expect(activeId(staffPage)).resolves.toBe('thread-composer');
    await expect(staffPage.locator('[data-pending]').count()).resolves.toBe(0);
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-threads-counselor-thread');
    await docShot(staffPage, 'counselor-thread');

    // the client's list: the unread mark arrives live, as a number and as a sentence, and is announced
    const badge = row.locator('.badge');
    await badge.waitFor();
    await expect(badge.getAttribute('data-unread')).resolves.toBe('1');
    await expect(badge.locator('.sr-only').textContent()).resolves.toBe('1 neue Nachricht');
    await client
      .getByRole('status')
      .filter({ hasText: `Neue Nachricht in „${SUBJECT}“` })
      .waitFor();
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-threads-client-unread');
    await docShot(client, 'client-unread');
  });

  it('should let the client read and download the PDF, mark the thread read, and never see the notes', async () => {
    await client.getByRole('link', { name: SUBJECT }).click();
    const answer = client.locator('.post.peer').filter({ hasText: ANSWER });
    await answer.waitFor();
    await expect(answer.locator('.who').textContent()).resolves.toBe(counselor.account.displayName);
    await expect(client.locator('.post.own').filter({ hasText: ENQUIRY }).locator('.who').textContent()).resolves.toBe('Sie');
    const [download] = await Promise.all([client.waitForEvent('download'), answer.getByRole('button', { name: /anlaufstellen\.pdf herunterladen/ }).click()]);
    expect(download.suggestedFilename()).toBe('anlaufstellen.pdf');
    const bytes = readFileSync(await download.path());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.equals(uploaded)).toBe(true);

    // seen: the read marker moves, the server's list has no unread left
    await until(async () => (await threadsOf(owl.token))[0]?.unread === 0);
    // notes: not on the page, not through the API
    await expect(client.locator('body').textContent()).resolves.not.toContain(NOTE);
    await expect(client.locator('.notes').count()).resolves.toBe(0);
    await t.http().get(`/api/threads/${threadId}/notes`).set('Authorization', `Bearer ${owl.token}`).expect(404);
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-threads-client-thread');

    // the notification mails carry a link only: no subject, no text, no pseudonym
    const mails = readOutbox(t.config.dataDir);
    expect(mails.length).toBeGreaterThan(0);
    for (const m of mails) for (const secret of [SUBJECT, ENQUIRY, ANSWER, NOTE, 'grey-owl']) expect(m).not.toContain(secret);
  });

  it('should let the client answer with the keyboard only at 320 px, the post arriving at the counselor', async () => {
    const narrow = await portalAs(owl, { width: 320 });
    await narrow.goto(`${base()}/threads/${threadId}`);
    await narrow.getByText(ANSWER).waitFor();
    await expect(fits(narrow)).resolves.toBe(true);
    await pressTabUntil(narrow, (el) => el.id === 'thread-composer');
    await narrow.keyboard.type('Danke, ich schaue mir das an.');
    await pressTabUntil(narrow, (el) => el.text === 'Senden');
    await narrow.keyboard.press('Enter');
    await narrow.locator('.post.own').filter({ hasText: 'Danke, ich schaue mir das an.' }).waitFor();
    await expect(activeId(narrow)).resolves.toBe('thread-composer');
    await expect(fits(narrow)).resolves.toBe(true);
    expect(await seriousViolations(narrow)).toEqual([]);
    await shot(narrow, 'portal-threads-client-320px');
    await docShot(narrow, 'client-320px');
    // the counselor's open thread fetches it after the push
    await staffPage.locator('.post.peer').filter({ hasText: 'Danke, ich schaue mir das an.' }).waitFor();
    await staffPage.getByRole('status').filter({ hasText: '1 neue Nachricht ist angekommen.' }).waitFor();
  });

  it('should keep client notes private on their own page', async () => {
    await staffPage.getByRole('link', { name: 'Notizen zu grey-owl' }).click();
    await staffPage.getByRole('heading', { name: 'Notizen zu grey-owl', level: 1 }).waitFor();
    await staffPage.getByText('Noch keine Notizen.').waitFor();
    await staffPage.getByLabel('Neue Notiz').fill('Mag keine Anrufe.');
    await staffPage.getByLabel('Neue Notiz').press('Tab');
    await staffPage.keyboard.press('Enter');
    await staffPage.locator('.note-body').filter({ hasText: 'Mag keine Anrufe.' }).waitFor();
    await expect(activeId(staffPage)).resolves.toBe('client-note-new');
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-threads-client-notes');
    await t.http().get(`/api/clients/${owl.account.id}/notes`).set('Authorization', `Bearer ${admin.token}`).expect(404);
    const other = c.counselors[1]!;
    await t.http().get(`/api/clients/${owl.account.id}/notes`).set('Authorization', `Bearer ${other.token}`).expect(404);
  });

  it('should show the client the absence text at once and let the admin answer with a notice from the center', async () => {
    await staffPage.goto(`${base()}/absence`);
    await staffPage.getByText('Sie haben keine Abwesenheit eingetragen.').waitFor();
    // the form refuses an end before the start, at the field
    await staffPage.getByLabel('Von').fill('2030-01-10T09:00');
    await staffPage.getByLabel('Bis').fill('2030-01-09T09:00');
    await staffPage.getByLabel('Text für Ihre Ratsuchenden').fill('Ich bin bis Montag im Urlaub.');
    await staffPage.getByRole('button', { name: 'Abwesenheit speichern' }).click();
    await staffPage.getByText('Das Ende muss nach dem Beginn liegen.').waitFor();
    await expect(activeId(staffPage)).resolves.toBe('absence-endsAt');
    expect(await seriousViolations(staffPage)).toEqual([]);
    // now until in two days (the center's time)
    const zoned = (ms: number) =>
      new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
        .format(new Date(ms))
        .replace(' ', 'T');
    await staffPage.getByLabel('Von').fill(zoned(Date.now() - 60_000));
    await staffPage.getByLabel('Bis').fill(zoned(Date.now() + 2 * 86_400_000));
    await staffPage.getByRole('button', { name: 'Abwesenheit speichern' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Ihre Abwesenheit ist gespeichert.' }).waitFor();
    await staffPage.locator('[data-absence="active"]').waitFor();
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-threads-absence');

    await client.reload();
    const banner = client.locator('.absence-banner');
    await banner.getByText('Ich bin bis Montag im Urlaub.').waitFor();
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-threads-client-absence');
    await docShot(client, 'client-absence');

    await adminPage.goto(`${base()}/enquiries`);
    const row = adminPage.locator(`tr[data-thread="${threadId}"]`);
    await row.getByText('abwesend bis', { exact: false }).waitFor();
    await row.getByLabel(`Neue Beratung für die Unterhaltung, bisher bei ${counselor.account.displayName}`).waitFor();
    await row.getByRole('button', { name: 'Hinweis schreiben' }).click();
    await expect(activeId(adminPage)).resolves.toBe(`notice-${threadId}`);
    await adminPage.keyboard.type('Ihre Beraterin ist ab Montag wieder da. Im Notfall: 0800 111 0 111.');
    await row.getByRole('button', { name: 'Hinweis senden' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'Der Hinweis ist in der Unterhaltung.' }).waitFor();
    expect(await seriousViolations(adminPage)).toEqual([]);
    await shot(adminPage, 'portal-threads-admin-absence');

    const notice = client.locator('.post.center_notice');
    await notice.getByText('Ihre Beraterin ist ab Montag wieder da.', { exact: false }).waitFor();
    await expect(notice.locator('.who').textContent()).resolves.toBe('Hinweis der Beratungsstelle');
    expect(await seriousViolations(client)).toEqual([]);

    await staffPage.getByRole('button', { name: 'Abwesenheit beenden' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Ihre Abwesenheit ist beendet.' }).waitFor();
  });

  it('should show the admin the document and retention settings and what will expire', async () => {
    await adminPage.goto(`${base()}/settings`);
    await adminPage.getByRole('group', { name: 'Dokumente in Nachrichten' }).waitFor();
    await expect(adminPage.getByLabel('Größte Datei (MB)').inputValue()).resolves.toBe('10');
    await expect(adminPage.getByLabel('Abgeschlossene Unterhaltungen löschen nach (Tagen)').inputValue()).resolves.toBe('180');
    await adminPage.getByRole('heading', { name: 'Was bald gelöscht wird' }).waitFor();
    await adminPage.getByText('In den nächsten 30 Tagen:', { exact: false }).waitFor();
    await adminPage.getByLabel('Größte Datei (MB)').fill('5');
    await adminPage.getByLabel('Nie genutzte Konten löschen nach (Tagen)').fill('3');
    await adminPage.getByRole('button', { name: 'Einstellungen speichern' }).click();
    await adminPage.getByText('Bitte geben Sie eine ganze Zahl von 7 bis 3650 ein.').waitFor();
    await expect(activeId(adminPage)).resolves.toBe('setting-unusedAccountDays');
    await adminPage.getByLabel('Nie genutzte Konten löschen nach (Tagen)').fill('120');
    await adminPage.getByRole('button', { name: 'Einstellungen speichern' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'Die Einstellungen sind gespeichert.' }).waitFor();
    const saved = (await t.http().get(`/api/centers/${c.slug}/settings`).set('Authorization', `Bearer ${admin.token}`).expect(200)).body as Record<
      string,
      unknown
    >;
    expect(saved).toMatchObject({ documentMaxBytes: 5 * 1024 * 1024, unusedAccountDays: 120 });
    expect(await seriousViolations(adminPage)).toEqual([]);
    await shot(adminPage, 'portal-threads-admin-settings');
  });

  it('should let the counselor start a thread with their client from the picker', async () => {
    await staffPage.goto(`${base()}/threads/new`);
    await staffPage.getByRole('heading', { name: 'Neue Unterhaltung', level: 1 }).waitFor();
    await staffPage.getByLabel('grey-owl').waitFor();
    await staffPage.getByRole('button', { name: 'Unterhaltung beginnen' }).click();
    await staffPage.getByText('Bitte wählen Sie mindestens eine Person aus.').waitFor();
    await expect(activeId(staffPage)).resolves.toBe('thread-clients-search');
    await staffPage.getByLabel('grey-owl').check();
    await staffPage.getByText('1 Person ausgewählt: eine Einzelberatung.').waitFor();
    await staffPage.getByLabel('Betreff').fill('Termin nächste Woche');
    await staffPage.getByLabel('Ihre Nachricht').fill('Passt Ihnen Dienstag?');
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-threads-counselor-new');
    await staffPage.getByRole('button', { name: 'Unterhaltung beginnen' }).click();
    await staffPage.getByRole('heading', { name: 'Termin nächste Woche', level: 1 }).waitFor();
    await staffPage.locator('.post.own').filter({ hasText: 'Passt Ihnen Dienstag?' }).waitFor();
    // the client's list shows it live
    await client.goto(`${base()}/threads`);
    await client.getByRole('link', { name: 'Termin nächste Woche' }).waitFor();
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
