import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CannedResponseView, TopicChatListItem } from '../../src/realtime/contract';
import { call } from '../harness/ack';
import { closeAllSockets, connect, freePort, login, Login, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { launchChromium } from '../harness/browser';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

/**
 * The counselor's workspace in the portal (live console, canned responses, topic chats) and a
 * registered client in a topic chat, in Chromium against the real server.
 */
const ROOT = join(__dirname, '..', '..');
const HOUR = 3_600_000;

interface LiveStatus {
  open: boolean;
  full: boolean;
  waiting: number;
}

let t: TestApp & { dropDb: () => Promise<void> };
let c: SeededCenter;
let browser: Browser;
const contexts: BrowserContext[] = [];
const foreign: { list: string[] }[] = [];

async function newPage(viewport = { width: 1200, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'de-DE' });
  contexts.push(context);
  const page = await context.newPage();
  foreign.push(watchForeignRequests(page, t.url));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/** Signs in as the login page would: the LoginResult in this tab's sessionStorage, then the page. */
async function signedIn(page: Page, who: Login, role: 'counselor' | 'client', path: string): Promise<void> {
  await page.goto(`${t.url}/c/${c.slug}`);
  const value = JSON.stringify({ token: who.token, account: { id: who.id, role, displayName: who.displayName } });
  await page.evaluate(`sessionStorage.setItem(${JSON.stringify(`lotse.portal.${c.slug}`)}, ${JSON.stringify(value)})`);
  await page.goto(`${t.url}/c/${c.slug}/app/${path}`);
}

const cannedOf = async (who: Login): Promise<CannedResponseView[]> =>
  (await t.http().get('/api/canned-responses').set('Authorization', `Bearer ${who.token}`).expect(200)).body as CannedResponseView[];
const topics = async (): Promise<TopicChatListItem[]> => (await t.http().get(`/api/centers/${c.slug}/topic-chats`).expect(200)).body as TopicChatListItem[];
const liveStatus = async (): Promise<LiveStatus> => (await t.http().get(`/api/centers/${c.slug}/live`).expect(200)).body as LiveStatus;

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A new login of the counselor (the first test logs out, which revokes the seeded token). */
const counselorNow = (): Promise<Login> => login(t, c.slug, c.counselors[0]!.login, c.counselors[0]!.password);

async function schedule(title: string, startsInMs: number, lengthMs = HOUR): Promise<string> {
  const startsAt = new Date(Date.now() + startsInMs).toISOString();
  const endsAt = new Date(Date.now() + startsInMs + lengthMs).toISOString();
  const res = await t
    .http()
    .post(`/api/centers/${c.slug}/topic-chats`)
    .set('Authorization', `Bearer ${(await counselorNow()).token}`)
    .send({ title, description: 'Austausch', startsAt, endsAt, capacity: 10 })
    .expect(201);
  return (res.body as { id: string }).id;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'client', 'portal.html'))) {
    const built = spawnSync('npm', ['run', '-s', 'build:client'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build:client failed');
  }
  const port = await freePort();
  t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  c = await seedCenter(t, { slug: `ws${Date.now().toString(36)}`, counselors: 2, clients: 1 });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const x of contexts) await x.close().catch(() => undefined);
  await browser?.close();
  closeAllSockets();
  await t?.close();
  await t?.dropDb();
});

describe('counselor workspace in the portal (Chromium)', () => {
  it('should keep canned responses on the server and insert one in a live chat when a visitor is assigned', async () => {
    const counselor = c.counselors[0]!;
    const page = await newPage();

    // canned page: empty, a refused empty title next to its field, then one added and edited
    await signedIn(page, counselor, 'counselor', 'canned');
    await page.getByRole('heading', { level: 1, name: 'Textbausteine' }).waitFor();
    await page.getByText('Sie haben noch keine Textbausteine.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-01-canned-empty');
    await page.getByLabel('Text', { exact: true }).fill('Schön, dass Sie da sind.');
    await page.getByRole('button', { name: 'Hinzufügen' }).click();
    const title = page.getByLabel('Titel');
    await page.locator('#canned-title-error').waitFor();
    await expect(title.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(title.getAttribute('aria-describedby')).resolves.toContain('canned-title-error');
    await expect(page.locator('#canned-title-error').textContent()).resolves.toBe('Bitte geben Sie einen Titel an (höchstens 80 Zeichen).');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-02-canned-error');
    await title.fill('Begrüßung');
    await page.getByRole('button', { name: 'Hinzufügen' }).click();
    await page.getByRole('status').getByText('„Begrüßung“ wurde hinzugefügt.').waitFor();
    await page.getByRole('button', { name: '„Begrüßung“ bearbeiten' }).click();
    await page.getByLabel('Text', { exact: true }).fill('Hallo, schön, dass Sie sich melden. Ich bin jetzt für Sie da.');
    await page.getByRole('button', { name: 'Änderungen speichern' }).click();
    await page.getByRole('status').getByText('„Begrüßung“ wurde gespeichert.').waitFor();
    expect((await cannedOf(counselor)).map((x) => [x.title, x.body])).toEqual([['Begrüßung', 'Hallo, schön, dass Sie sich melden. Ich bin jetzt für Sie da.']]);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-03-canned-list');

    // live page: the console signed in with the portal's login, no second form
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Live-Chat' }).click();
    await page.getByRole('heading', { level: 1, name: 'Live-Chat' }).waitFor();
    await page.getByText('verbunden', { exact: true }).waitFor();
    await expect(page.getByLabel('Passwort').count()).resolves.toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-04-live-no-shift');
    await page.getByRole('button', { name: 'Schicht beginnen' }).click();
    await page.getByText('Schicht offen').waitFor();
    await until(async () => (await liveStatus()).open, 'the live chat to open');

    // a visitor on the homepage widget (another browser) is assigned
    const home = await newPage({ width: 1100, height: 800 });
    await home.goto(`${t.url}/widget-demo.html?center=${c.slug}`);
    await home.locator('#lotse-widget[data-status="open"]').waitFor({ state: 'attached' });
    await home.locator('.launcher').click();
    const w = home.frameLocator('iframe[title="Anonymer Beratungschat"]');
    await w.getByRole('button', { name: 'Einverstanden, weiter' }).click();
    await w.getByLabel('Worum geht es? (freiwillig)').fill('Ich kann nicht schlafen.');
    await w.getByRole('button', { name: 'Chat beginnen' }).click();
    await w.getByRole('heading', { name: `Sie chatten mit ${counselor.displayName}.` }).waitFor();
    await page.getByRole('tab').first().waitFor();
    await page.getByText('Ich kann nicht schlafen.').waitFor();

    // the counselor inserts the canned response (keyboard: the menu, the item, back in the field) and sends it
    await page.getByRole('button', { name: 'Textbaustein einfügen' }).click();
    await page.getByRole('button', { name: /^Begrüßung/ }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-05-live-canned-menu');
    await page.keyboard.press('Enter');
    await expect(page.getByLabel('Antwort').inputValue()).resolves.toBe('Hallo, schön, dass Sie sich melden. Ich bin jetzt für Sie da.');
    await expect(page.evaluate<string | undefined>('document.activeElement?.id')).resolves.toBe('reply');
    await page.keyboard.press('Enter');
    await w.getByText('Hallo, schön, dass Sie sich melden. Ich bin jetzt für Sie da.').waitFor();
    await w.getByLabel('Ihre Nachricht').fill('Danke.');
    await w.getByLabel('Ihre Nachricht').press('Enter');
    await page.getByText('Danke.', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-06-live-chat');

    // the workspace keeps the shift and the chat while the counselor looks at another page
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Textbausteine' }).click();
    await page.getByRole('heading', { level: 1, name: 'Textbausteine' }).waitFor();
    await w.getByLabel('Ihre Nachricht').fill('Sind Sie noch da?');
    await w.getByLabel('Ihre Nachricht').press('Enter');
    await page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Live-Chat' }).click();
    await page.getByText('Sind Sie noch da?').waitFor();
    await expect(page.locator('.console .msg').count()).resolves.toBe(4);

    // 320 px
    await page.setViewportSize({ width: 320, height: 700 });
    await page.getByLabel('Antwort').waitFor();
    await expect(page.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(320);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-07-live-320px');
    await page.setViewportSize({ width: 1200, height: 900 });

    // the portal's logout ends the console part: the shift closes, the live chat is no longer open
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await until(async () => !(await liveStatus()).open, 'the shift to close after the logout');
    await expect(page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(`lotse.portal.console.${c.slug}`)})`)).resolves.toBeNull();
    await expect(page.locator('.console').count()).resolves.toBe(0);
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });

  it('should end the console part when the server ends the portal session elsewhere', async () => {
    const counselor = await counselorNow();
    const page = await newPage();
    await signedIn(page, counselor, 'counselor', 'live');
    await page.getByText('verbunden', { exact: true }).waitFor();
    // a logout in another tab: the server revokes the token and drops its sockets
    await t.http().post('/api/auth/logout').set('Authorization', `Bearer ${counselor.token}`).expect(204);
    await page.getByRole('alert').getByText('Ihre Sitzung wurde beendet. Bitte melden Sie sich neu an.').waitFor();
    await page.locator('.console').waitFor({ state: 'detached' });
    await expect(page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(`lotse.portal.console.${c.slug}`)})`)).resolves.toBeNull();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-14-session-ended');
  });

  it('should schedule, edit and cancel topic chats in the topics page, with errors next to the field', async () => {
    const counselor = await counselorNow();
    const other = await schedule('Absage-Test', 2 * 24 * HOUR);
    const page = await newPage();
    await signedIn(page, counselor, 'counselor', 'topics');
    await page.getByRole('heading', { level: 1, name: 'Themenchats' }).waitFor();
    await page.locator('[data-topic="Absage-Test"]').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-08-topics-list');

    // an end before the start: refused next to the end field
    await page.getByLabel('Titel').fill('Prüfungsangst');
    await page.getByLabel('Beschreibung').fill('Offener Austausch vor den Prüfungen.');
    await page.getByLabel('Beginn').fill('2031-05-12T18:00');
    await page.getByLabel('Ende').fill('2031-05-12T17:00');
    await page.getByLabel('Plätze').fill('12');
    await page.getByRole('button', { name: 'Themenchat planen' }).click();
    await page.locator('#topic-endsAt-error').waitFor();
    await expect(page.getByLabel('Ende').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate<string | undefined>('document.activeElement?.id')).resolves.toBe('topic-endsAt');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-09-topics-error');

    // longer than seven days: the server refuses it, and its VALIDATION_FAILED fields land next to the field
    await page.getByLabel('Ende').fill('2031-05-20T19:30');
    await page.locator('#topic-endsAt-error').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Themenchat planen' }).click();
    await page.locator('#topic-endsAt-error').getByText('Das Ende muss nach dem Beginn liegen und höchstens sieben Tage danach.').waitFor();
    expect((await topics()).some((x) => x.title === 'Prüfungsangst')).toBe(false);
    await page.getByLabel('Ende').fill('2031-05-12T19:30');
    await page.getByRole('button', { name: 'Themenchat planen' }).click();
    await page.getByRole('status').getByText('Der Themenchat „Prüfungsangst“ ist geplant.').waitFor();
    const made = (await topics()).find((x) => x.title === 'Prüfungsangst')!;
    // 18:00 in Berlin (summer time) is 16:00 UTC
    expect(made).toMatchObject({ startsAt: '2031-05-12T16:00:00.000Z', endsAt: '2031-05-12T17:30:00.000Z', capacity: 12, status: 'scheduled' });

    // edit it: title and capacity
    await page.getByRole('button', { name: '„Prüfungsangst“ bearbeiten' }).click();
    await page.getByRole('heading', { name: '„Prüfungsangst“ bearbeiten' }).waitFor();
    await expect(page.getByLabel('Beginn').inputValue()).resolves.toBe('2031-05-12T18:00');
    await page.getByLabel('Titel').fill('Prüfungsangst – Austausch');
    await page.getByLabel('Plätze').fill('15');
    await page.getByRole('button', { name: 'Änderungen speichern' }).click();
    await page.getByRole('status').getByText('Die Änderungen an „Prüfungsangst – Austausch“ sind gespeichert.').waitFor();
    expect((await topics()).find((x) => x.id === made.id)).toMatchObject({ title: 'Prüfungsangst – Austausch', capacity: 15 });
    expect(await seriousViolations(page)).toEqual([]);

    // cancel the other one, after the confirmation
    await page.getByRole('button', { name: '„Absage-Test“ absagen' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-10-topics-cancel-confirm');
    await dialog.getByRole('button', { name: 'Ja, absagen' }).click();
    await page.getByRole('status').getByText('Der Themenchat „Absage-Test“ ist abgesagt.').waitFor();
    expect((await topics()).some((x) => x.id === other)).toBe(false);
    await page.locator('[data-topic="Absage-Test"]').waitFor({ state: 'detached' });
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-11-topics-edited');
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });

  it('should show the workspace and the console in English when the language is switched', async () => {
    // the second counselor: no canned responses yet
    const counselor = c.counselors[1]!;
    const page = await newPage();
    await signedIn(page, counselor, 'counselor', 'topics');
    await page.getByRole('heading', { level: 1, name: 'Themenchats' }).waitFor();
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'Topic chats' }).waitFor();
    await page.getByRole('heading', { name: 'Schedule a topic chat' }).waitFor();
    await page.getByLabel('Places').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('navigation').getByRole('link', { name: 'Canned responses' }).click();
    await page.getByText('You have no canned responses yet.').waitFor();
    await page.getByRole('button', { name: 'Take over the suggestions' }).click();
    await page.getByRole('status').getByText('5 canned responses were added.').waitFor();
    expect((await cannedOf(counselor)).map((x) => x.title)).toEqual(['Greeting', 'Thanks', 'Safety', 'Emergency', 'Closing']);
    await page.getByRole('navigation').getByRole('link', { name: 'Live chat' }).click();
    await page.getByRole('button', { name: 'Start shift' }).waitFor();
    await page.getByText('connected', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-15-live-english');
  });

  it('should let a registered client join a running topic chat with a nickname from the portal', async () => {
    const client = c.clients[0]!;
    const counselor = await counselorNow();
    const id = await schedule('Einsamkeit', -60_000);
    const page = await newPage({ width: 320, height: 700 });
    await signedIn(page, client, 'client', 'topics');
    await page.getByRole('heading', { level: 1, name: 'Themenchats' }).waitFor();
    await page.getByRole('button', { name: 'An „Einsamkeit“ teilnehmen' }).click();
    const nick = page.getByLabel('Spitzname');
    await nick.waitFor();
    // an empty nickname: the error next to the field
    await page.getByRole('button', { name: 'Chat betreten' }).click();
    await expect(nick.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-12-topic-join-320px');
    await nick.fill('Leuchtturm');
    await page.getByRole('button', { name: 'Chat betreten' }).click();
    await page.getByRole('heading', { level: 1, name: 'Einsamkeit' }).waitFor();

    // the host is in the chat too (a socket), and both see each other's messages
    const host = await connect(t.url, counselor.token);
    const joined = await call(host, 'topic.join', { topicChatId: id, nickname: counselor.displayName });
    if (!joined.ok) throw new Error(joined.error.message);
    await page.getByLabel('Ihre Nachricht an alle im Themenchat').fill('Hallo zusammen.');
    await page.getByLabel('Ihre Nachricht an alle im Themenchat').press('Enter');
    await page.locator('.msg.own[data-seq]').getByText('Hallo zusammen.').waitFor();
    const sent = await call(host, 'message.send', { roomId: joined.data.roomId, clientMsgId: 'host-1', body: 'Willkommen, Leuchtturm.' });
    expect(sent.ok).toBe(true);
    await page.getByRole('log').getByText('Willkommen, Leuchtturm.').waitFor();
    // no canned-response menu for a client
    await expect(page.getByRole('button', { name: 'Textbaustein einfügen' }).count()).resolves.toBe(0);
    await expect(page.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(320);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'ws-13-topic-chat-client-320px');
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
