import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import type { BrowserContext, Page } from 'playwright-core';
import { SystemClock } from '../../src/common/clock';
import type { CenterPublicInfo, LoginResult } from '../../src/realtime/contract';
import { closeAllSockets, seedCenter, SeededCenter } from '../harness/app';
import { type PortalBrowser, signInPortal, startPortalBrowser } from '../harness/portal-browser';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';
import { ThreadSeed } from '../harness/thread-seed';

/**
 * Video rooms in the portal (issue 13), in headless Chromium against the real server with a
 * Jitsi configured at a domain that does not exist (`meet.example.test`: the browser's requests
 * to it are answered by the test, nothing is contacted). A counselor creates a room, copies the
 * guest link and invites a client; the admin writes a new consent text; a guest in a fresh
 * browser opens the link, reads that text, confirms with a name and gets a join link with a JWT
 * for the room; the client confirms the consent before the first join. axe after every state.
 */
const PASSWORD = 'Correct-Horse-9-Battery';
const DOMAIN = 'meet.example.test';
const APP_ID = 'lotse-test';
const SECRET = 'video-pages-test-secret-0123456789abcdef';
const ROOM = 'Fallkonferenz Jugendamt';
const CONSENT = 'Einwilligung der Beratungsstelle für dieses Videogespräch.\n\nDas Gespräch findet in einem geschlossenen Raum statt. Niemand nimmt es auf.';

let t: PortalBrowser['t'];
let portal: PortalBrowser;
let c: SeededCenter;
let info: CenterPublicInfo;
let owl: LoginResult;
let counselor: LoginResult;
let admin: LoginResult;
const foreign: { list: string[] }[] = [];
let inviteUrl = '';
let staffPage: Page;

interface JitsiClaims {
  aud: string;
  iss: string;
  sub: string;
  room: string;
  exp: number;
  context: { user: { name: string; moderator: boolean } };
}

async function newContext(): Promise<BrowserContext> {
  const context = await portal.context({ viewport: { width: 1100, height: 900 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  // What the page copies, seen without reading the clipboard back: Lotse's Permissions-Policy
  // allows clipboard-write only (no page needs to read it), so readText is refused in the test too.
  await context.addInitScript(() => {
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (!clipboard) return;
    const write = clipboard.writeText.bind(clipboard);
    clipboard.writeText = async (text: string) => {
      await write(text);
      (window as unknown as { __copied?: string }).__copied = text;
    };
  });
  // the configured Jitsi does not exist: the tab the portal opens is answered here, never by the network
  await context.route(`https://${DOMAIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Jitsi (test)</title>' }));
  return context;
}

async function portalAs(who: LoginResult | null, context?: BrowserContext): Promise<Page> {
  const ctx = context ?? (await newContext());
  if (who) await signInPortal(ctx, c.slug, who);
  const page = await ctx.newPage();
  foreign.push(watchForeignRequests(page, t.url));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/** Only with UPDATE_DOC_SCREENSHOTS: a viewport shot for the docs, docs/screenshots/portal-video-<name>.png. */
async function docShot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_DOC_SCREENSHOTS) return;
  const dir = join(__dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `portal-video-${name}.png`) });
}

const base = () => `${t.url}/c/${c.slug}/app`;
const activeId = (page: Page) => page.evaluate<string>('document.activeElement?.id ?? ""');
/** No sideways scrolling at 320 px: the page fits its viewport. */
async function fitsNarrow(page: Page): Promise<boolean> {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 800 });
  const fits = await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  if (size) await page.setViewportSize(size);
  return fits;
}

/** Clicks `button` and returns the address of the tab the page opens, and the JWT's claims (verified with the secret). */
async function joinTab(page: Page, click: () => Promise<void>): Promise<{ url: URL; claims: JitsiClaims }> {
  const [tab] = await Promise.all([page.context().waitForEvent('page'), click()]);
  await tab.waitForLoadState('domcontentloaded');
  const url = new URL(tab.url());
  await tab.close();
  const token = url.searchParams.get('jwt') ?? '';
  const claims = jwt.verify(token, SECRET, { algorithms: ['HS256'], audience: 'jitsi', issuer: APP_ID }) as unknown as JitsiClaims;
  return { url, claims };
}

describe('portal video rooms in Chromium', () => {
  beforeAll(async () => {
    portal = await startPortalBrowser({ env: { JITSI_DOMAIN: DOMAIN, JITSI_APP_ID: APP_ID, JITSI_APP_SECRET: SECRET } });
    t = portal.t;
    c = await seedCenter(t, { counselors: 1, clients: 0 });
    info = (await t.http().get(`/api/centers/${c.slug}`).expect(200)).body as CenterPublicInfo;
    const staff = (l: SeededCenter['admin'], role: 'admin' | 'counselor'): LoginResult => ({
      token: l.token,
      account: { id: l.id, role, displayName: l.displayName },
    });
    counselor = staff(c.counselors[0]!, 'counselor');
    admin = staff(c.admin, 'admin');
    owl = (await t.http().post('/api/auth/register').send({ center: c.slug, username: 'grey-owl', password: PASSWORD }).expect(201)).body as LoginResult;
    // grey-owl is the counselor's client (a thread of theirs): the picker offers them
    await new ThreadSeed(t, new SystemClock()).open(c.centerId, counselor.account.id, [owl.account.id]);
  });
  afterAll(async () => {
    closeAllSockets();
    await portal?.close();
  });

  it('should let a counselor create a room, copy its guest link, invite a client and enter as moderator', async () => {
    expect(info.video).toBe(true);
    const context = await newContext();
    await context.grantPermissions(['clipboard-write'], { origin: t.url });
    staffPage = await portalAs(counselor, context);
    await staffPage.goto(`${base()}/video`);
    await staffPage.getByRole('heading', { name: 'Videoräume', level: 1 }).waitFor();
    await staffPage.getByText('Sie haben noch keinen Videoraum.').waitFor();
    await expect(
      staffPage.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Video' }).getAttribute('aria-current'),
    ).resolves.toBe('page');
    expect(await seriousViolations(staffPage)).toEqual([]);

    // no name: said at the field, the focus on it, nothing created
    await staffPage.getByRole('button', { name: 'Raum anlegen' }).click();
    await staffPage.getByText('Bitte geben Sie einen Namen ein.').waitFor();
    await expect(activeId(staffPage)).resolves.toBe('video-name');
    await expect(staffPage.getByLabel('Name des Raums').getAttribute('aria-invalid')).resolves.toBe('true');
    const none = (await t.http().get('/api/video-rooms').set('Authorization', `Bearer ${counselor.token}`).expect(200)).body as unknown[];
    expect(none).toEqual([]);

    await staffPage.getByLabel('Name des Raums').fill(ROOM);
    await staffPage.getByRole('button', { name: 'Raum anlegen' }).click();
    await staffPage.getByRole('heading', { name: ROOM, level: 1 }).waitFor();
    await staffPage
      .getByRole('status')
      .filter({ hasText: `Der Raum „${ROOM}“ ist angelegt.` })
      .waitFor();

    // the guest link: in its field (the visible fallback) and copied with the button
    const field = staffPage.getByLabel('Gastlink zum Kopieren');
    inviteUrl = await field.inputValue();
    expect(inviteUrl).toMatch(new RegExp(`^${t.url.replace(/[.:/]/g, '\\$&')}/c/${c.slug}/video-invite#[A-Za-z0-9_-]{40,}$`));
    await staffPage.getByRole('button', { name: 'Link kopieren' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Der Link ist kopiert.' }).waitFor();
    await expect(staffPage.evaluate(() => (window as unknown as { __copied?: string }).__copied)).resolves.toBe(inviteUrl);

    // invite the client from the picker
    await staffPage.getByLabel('Ratsuchende einladen').selectOption({ label: 'grey-owl' });
    await staffPage.getByRole('button', { name: 'Einladen', exact: true }).click();
    await staffPage.getByRole('status').filter({ hasText: 'grey-owl ist eingeladen' }).waitFor();
    await staffPage.getByRole('button', { name: 'grey-owl ausladen' }).waitFor();
    await staffPage.getByText('Sie haben gerade keine weiteren Ratsuchenden, die Sie einladen können.').waitFor();
    expect(await seriousViolations(staffPage)).toEqual([]);
    await expect(fitsNarrow(staffPage)).resolves.toBe(true);
    await shot(staffPage, 'portal-video-counselor-room');
    await staffPage.evaluate(() => window.scrollTo(0, 0));
    await docShot(staffPage, 'counselor-room');

    // a private note on the room: edited and listed through the room's own note routes
    await staffPage.getByLabel('Neue Notiz').fill('Frau Weber bringt die Akte mit.');
    await staffPage.getByRole('button', { name: 'Notiz speichern' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Die Notiz ist gespeichert.' }).waitFor();
    await staffPage.locator('.note-body').filter({ hasText: 'Frau Weber bringt die Akte mit.' }).waitFor();
    await staffPage.getByRole('button', { name: 'Bearbeiten' }).click();
    await staffPage.getByLabel('Notiz bearbeiten').fill('Frau Weber bringt die Akte mit (Kopie).');
    await staffPage.getByRole('button', { name: 'Änderung speichern' }).click();
    await staffPage.locator('.note-body').filter({ hasText: '(Kopie)' }).waitFor();
    const roomId = new URL(staffPage.url()).pathname.split('/').pop() ?? '';
    const notes = (await t.http().get(`/api/video-rooms/${roomId}/notes`).set('Authorization', `Bearer ${counselor.token}`).expect(200)).body as {
      body: string;
    }[];
    expect(notes.map((n) => n.body)).toEqual(['Frau Weber bringt die Akte mit (Kopie).']);
    await t.http().get(`/api/video-rooms/${roomId}/notes`).set('Authorization', `Bearer ${owl.token}`).expect(404);

    // entering: a new tab on the configured Jitsi with a moderator token for this room
    const { url, claims } = await joinTab(staffPage, () => staffPage.getByRole('button', { name: 'Raum betreten' }).click());
    expect(url.origin).toBe(`https://${DOMAIN}`);
    expect(claims).toMatchObject({ aud: 'jitsi', iss: APP_ID, sub: DOMAIN, room: url.pathname.slice(1), context: { user: { moderator: true } } });
    expect(claims.exp * 1000).toBeLessThanOrEqual(Date.now() + 4 * 3600_000);
    await staffPage.locator('[data-join-link]').waitFor();

    await staffPage.getByRole('link', { name: 'Zu Ihren Videoräumen' }).click();
    await staffPage.getByRole('link', { name: ROOM }).waitFor();
    await staffPage.getByText('1 Person eingeladen').waitFor();
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-video-counselor-list');
    await docShot(staffPage, 'counselor-list');
  });

  it("should show a guest the center's new consent text in full, and join them with a name as a participant", async () => {
    // the admin writes the center's own text: a new version
    const adminPage = await portalAs(admin);
    await adminPage.goto(`${base()}/settings`);
    await adminPage.getByRole('heading', { name: 'Einwilligung zur Videoberatung' }).waitFor();
    await adminPage.getByText('Aktuelle Fassung: 1').waitFor();
    const text = adminPage.getByLabel('Text der Einwilligung');
    await expect(text.inputValue()).resolves.not.toBe('');
    await text.fill(CONSENT);
    await adminPage.getByRole('button', { name: 'Als neue Fassung speichern' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'Gespeichert als Fassung 2.' }).waitFor();
    expect(await seriousViolations(adminPage)).toEqual([]);
    await adminPage
      .locator('.video-consent-editor')
      .screenshot({ path: join(__dirname, '..', '..', 'test-artifacts', 'screenshots', 'portal-video-admin-consent.png') });
    await adminPage.locator('.video-consent-editor').scrollIntoViewIfNeeded();
    await docShot(adminPage, 'admin-consent');

    // a fresh browser: no session, only the link
    const guest = await portalAs(null);
    await guest.goto(inviteUrl);
    await guest.getByRole('heading', { name: 'Einladung zur Videoberatung', level: 1 }).waitFor();
    await guest.getByText(`${counselor.account.displayName} (${info.name}) lädt Sie zu einem Videogespräch ein.`).waitFor();
    await guest.getByText('Das Gespräch findet in einem geschlossenen Raum statt. Niemand nimmt es auf.').waitFor();
    await guest.getByText('Einwilligung der Beratungsstelle für dieses Videogespräch.').waitFor();
    await guest.getByText('Fassung 2').waitFor();
    expect(await seriousViolations(guest)).toEqual([]);
    await expect(fitsNarrow(guest)).resolves.toBe(true);
    await shot(guest, 'portal-video-guest-consent');
    await docShot(guest, 'guest-consent');

    await guest.getByRole('button', { name: 'Zustimmen und beitreten' }).click();
    await guest.getByText('Bitte geben Sie einen Namen ein.').waitFor();
    await guest.getByText('Bitte bestätigen Sie die Einwilligung, bevor Sie beitreten.').waitFor();
    await expect(activeId(guest)).resolves.toBe('video-guest-name');
    expect(await seriousViolations(guest)).toEqual([]);

    await guest.getByLabel('Ihr Name im Gespräch').fill('Frau Weber (Jugendamt)');
    await guest.getByLabel('Ich habe die Einwilligung gelesen und stimme zu.').check();
    const { url, claims } = await joinTab(guest, () => guest.getByRole('button', { name: 'Zustimmen und beitreten' }).click());
    expect(url.origin).toBe(`https://${DOMAIN}`);
    expect(claims).toMatchObject({ sub: DOMAIN, room: url.pathname.slice(1), context: { user: { name: 'Frau Weber (Jugendamt)', moderator: false } } });
    const link = guest.locator('[data-join-link]');
    await link.waitFor();
    const href = new URL((await link.getAttribute('href')) ?? '');
    expect(href.origin).toBe(`https://${DOMAIN}`);
    expect(href.pathname).toBe(url.pathname);
    expect(href.searchParams.get('jwt')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await seriousViolations(guest)).toEqual([]);
    await shot(guest, 'portal-video-guest-joined');
    // the portal itself asked nobody but Lotse (the Jitsi tab is the guest's own click)
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });

  it('should ask the client for the consent before the first join, refuse a renewed guest link plainly, and hide video where the center has none', async () => {
    const client = await portalAs(owl);
    await client.goto(`${base()}/video`);
    const row = client.locator('.video-list li').filter({ hasText: ROOM });
    await row.getByText(`mit ${counselor.account.displayName}`).waitFor();
    await row.getByRole('button', { name: `„${ROOM}“ beitreten` }).click();
    await client.getByRole('heading', { name: 'Einwilligung zur Videoberatung', level: 2 }).waitFor();
    await client.getByText('Das Gespräch findet in einem geschlossenen Raum statt. Niemand nimmt es auf.').waitFor();
    await expect(activeId(client)).resolves.toBe('video-consent-heading');
    await client.getByRole('button', { name: 'Zustimmen und beitreten' }).click();
    await client.getByRole('alert').filter({ hasText: 'Bitte bestätigen Sie die Einwilligung, bevor Sie beitreten.' }).waitFor();
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-video-client-consent');
    await docShot(client, 'client-consent');
    await client.getByLabel('Ich habe die Einwilligung gelesen und stimme zu.').check();
    const { claims } = await joinTab(client, () => client.getByRole('button', { name: 'Zustimmen und beitreten' }).click());
    expect(claims.context.user).toMatchObject({ name: 'grey-owl', moderator: false });
    await expect(client.getByRole('heading', { name: 'Einwilligung zur Videoberatung' }).count()).resolves.toBe(0);
    // confirmed: the next join goes straight to the room
    await joinTab(client, () => row.getByRole('button', { name: `„${ROOM}“ beitreten` }).click());
    expect(await seriousViolations(client)).toEqual([]);

    // the counselor renews the link: the old one tells the guest plainly
    await staffPage.getByRole('link', { name: ROOM }).click();
    await staffPage.getByRole('button', { name: 'Neuen Link erzeugen' }).click();
    await staffPage.getByRole('dialog', { name: 'Neuen Gastlink erzeugen?' }).getByRole('button', { name: 'Neuen Link erzeugen' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Der neue Gastlink gilt.' }).waitFor();
    await expect(staffPage.getByLabel('Gastlink zum Kopieren').inputValue()).resolves.not.toBe(inviteUrl);
    const renewedUrl = await staffPage.getByLabel('Gastlink zum Kopieren').inputValue();
    const guest = await portalAs(null);
    await guest.goto(renewedUrl);
    await guest.getByRole('heading', { name: 'Einwilligung zur Videoberatung' }).waitFor();
    // the old link pasted into the same tab (only the fragment changes): refused plainly
    await guest.goto(inviteUrl);
    await guest.getByText('Dieser Einladungslink gilt nicht (mehr)', { exact: false }).waitFor();
    await expect(guest.getByRole('heading', { name: 'Einwilligung zur Videoberatung' }).count()).resolves.toBe(0);

    // no clipboard (a plain-http address, no permission): the link waits selected in its field, and the page says so
    const noClipboard = await newContext();
    await noClipboard.addInitScript("Object.defineProperty(navigator, 'clipboard', { value: undefined });");
    const plain = await portalAs(counselor, noClipboard);
    await plain.goto(staffPage.url());
    await plain.getByRole('button', { name: 'Link kopieren' }).click();
    await plain.getByRole('status').filter({ hasText: 'Automatisch kopieren ging nicht.' }).waitFor();
    await expect(activeId(plain)).resolves.toBe('video-link');
    const selected = await plain.evaluate(() => {
      const input = document.activeElement as HTMLInputElement;
      return input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0);
    });
    expect(selected).toBe(renewedUrl);
    expect(await seriousViolations(plain)).toEqual([]);

    // remove the link (asked first), then make a new one (nothing dies: not asked)
    await staffPage.getByRole('button', { name: 'Gastlink löschen' }).click();
    await staffPage.getByRole('dialog', { name: 'Gastlink löschen?' }).getByRole('button', { name: 'Gastlink löschen' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Der Gastlink ist gelöscht.' }).waitFor();
    await staffPage.getByText('Dieser Raum hat keinen Gastlink.').waitFor();
    await expect(activeId(staffPage)).resolves.toBe('video-make-link');
    // the guest's tab still shows the dead link; the removed new one pasted into it (only the fragment changes) is read afresh
    await guest.goto(renewedUrl);
    await guest.getByText('Dieser Einladungslink gilt nicht (mehr)', { exact: false }).waitFor();
    await guest.reload();
    await guest.getByRole('heading', { name: 'Einladung zur Videoberatung', level: 1 }).waitFor();
    await guest.getByText('Dieser Einladungslink gilt nicht (mehr)', { exact: false }).waitFor();
    await staffPage.getByRole('button', { name: 'Gastlink erzeugen' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Der Gastlink ist erzeugt.' }).waitFor();
    await expect(staffPage.getByRole('dialog').count()).resolves.toBe(0);
    await expect(staffPage.getByLabel('Gastlink zum Kopieren').inputValue()).resolves.toMatch(/#[A-Za-z0-9_-]{40,}$/);
    await expect(activeId(staffPage)).resolves.toBe('video-copy');
    expect(await seriousViolations(guest)).toEqual([]);

    // a center without video (the flag as an unconfigured server sends it): no nav entry, the page says so
    const off = await newContext();
    await off.route(new RegExp(`/api/centers/${c.slug}$`), async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...((await response.json()) as object), video: false } });
    });
    const hidden = await portalAs(counselor, off);
    await hidden.goto(`${base()}/video`);
    await hidden.getByText('Videoberatung gibt es bei dieser Beratungsstelle nicht.').waitFor();
    const nav = hidden.getByRole('navigation', { name: 'Hauptnavigation' });
    await nav.getByRole('link', { name: 'Nachrichten' }).waitFor();
    await expect(nav.getByRole('link', { name: 'Video' }).count()).resolves.toBe(0);
    await expect(hidden.getByRole('button', { name: 'Raum anlegen' }).count()).resolves.toBe(0);
    expect(await seriousViolations(hidden)).toEqual([]);
    // a 503 VIDEO_NOT_CONFIGURED from the rooms route (the configuration went away meanwhile): a clear sentence
    const gone = await newContext();
    await gone.route(/\/api\/video-rooms$/, (route) =>
      route.fulfill({ status: 503, json: { error: { code: 'VIDEO_NOT_CONFIGURED', message: 'video is not configured' } } }),
    );
    const unconfigured = await portalAs(counselor, gone);
    await unconfigured.goto(`${base()}/video`);
    await unconfigured.getByRole('alert').filter({ hasText: 'Es ist kein Videoserver konfiguriert.' }).waitFor();
    await expect(unconfigured.getByRole('button', { name: 'Raum anlegen' }).count()).resolves.toBe(0);
    expect(await seriousViolations(unconfigured)).toEqual([]);
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
