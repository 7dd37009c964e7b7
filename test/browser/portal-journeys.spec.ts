import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CenterPublicInfo, TopicChatListItem } from '../../src/realtime/contract';
import { closeAllSockets, freePort, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { launchChromium } from '../harness/browser';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

/**
 * Issue 11's "Done when", walked through the real portal pages in several Chromium contexts at
 * once: registration, logout and login, a group room with a counselor and a second client,
 * a topic chat scheduled on the topics page and joined by two anonymous visitors from the
 * center's page, a keyboard-only chat, and an account deletion. Nobody whose journey it is gets a
 * token injected or a shortcut through the API. (The admin's invitation and deactivation
 * journeys are in portal-admin.spec.ts.)
 */
const ROOT = join(__dirname, '..', '..');
const PASSWORD = 'Correct-Horse-9-Battery';
const HOUR = 3_600_000;

let t: TestApp & { dropDb: () => Promise<void> };
let c: SeededCenter;
let browser: Browser;
const contexts: BrowserContext[] = [];
const foreign: { list: string[] }[] = [];
// the pages of journey (a), used again by (c) and (d)
let alex: Page;
let sam: Page;
let staff: Page;

async function newPage(viewport = { width: 1100, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'de-DE' });
  contexts.push(context);
  const page = await context.newPage();
  foreign.push(watchForeignRequests(page, t.url));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

const base = () => `${t.url}/c/${c.slug}`;
const activeId = (page: Page) => page.evaluate<string>('document.activeElement?.id ?? ""');
const activeText = (page: Page) => page.evaluate<string>('document.activeElement?.textContent ?? ""');
const texts = (page: Page) => page.getByRole('log').locator('.msg .text').allTextContents();

/** Only when UPDATE_DOC_SCREENSHOTS is set (as in live-chat.spec.ts): a viewport shot (small) for the README, docs/screenshots/portal-<name>.png. */
async function docShot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_DOC_SCREENSHOTS) return;
  const dir = join(ROOT, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `portal-${name}.png`) });
}

async function accessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

/** Waits until the page's message log shows exactly these texts, each once, none still pending. */
async function logShows(page: Page, expected: string[]): Promise<void> {
  await page
    .getByRole('log')
    .locator('.msg:not([data-pending])')
    .nth(expected.length - 1)
    .waitFor();
  await expect(page.getByRole('log').locator('[data-pending]').count()).resolves.toBe(0);
  await expect(texts(page)).resolves.toEqual(expected);
}

/** Presses Tab until the focused element matches (at most `max` presses). */
async function tabUntil(page: Page, match: (el: { id: string; text: string }) => boolean, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (match({ id: await activeId(page), text: await activeText(page) })) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('the element was not reached with Tab');
}

/** The login page, as a person uses it. */
async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto(`${base()}/login`);
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Anmelden', exact: true }).click();
}

/** A `datetime-local` value in the center's time zone, `ms` from now. */
function localInput(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + ms));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'client', 'portal.html'))) {
    const built = spawnSync('npm', ['run', '-s', 'build:client'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build:client failed');
  }
  const port = await freePort();
  t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  c = await seedCenter(t, { slug: `jr${Date.now().toString(36)}`, counselors: 1, clients: 0 });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const x of contexts) await x.close().catch(() => undefined);
  await browser?.close();
  closeAllSockets();
  await t?.close();
  await t?.dropDb();
});

describe('the portal journeys of issue 11 (Chromium)', () => {
  it('should let a client register, log out and in, and chat live with a second client and the counselor when the counselor puts them into a group room', async () => {
    // (a) a client registers on the center's registration page
    alex = await newPage();
    await alex.goto(`${base()}/register`);
    await alex.locator('#username').fill('alex-kranich');
    await alex.locator('#password').fill(PASSWORD);
    await accessible(alex);
    await shot(alex, 'journey-01-register');
    await docShot(alex, 'register');
    await alex.getByRole('button', { name: 'Konto anlegen' }).click();
    await alex.waitForURL(`${base()}/app/rooms`);
    await alex.getByText('Sie haben noch keine Chats.', { exact: false }).waitFor();
    await accessible(alex);
    await shot(alex, 'journey-02-registered');

    // logs out, and in again on the login page
    await alex.getByRole('button', { name: 'Abmelden' }).click();
    await alex.waitForURL(/\/login/);
    await alex.locator('#login').waitFor();
    await accessible(alex);
    await shot(alex, 'journey-03-logged-out');
    await logIn(alex, 'alex-kranich', PASSWORD);
    await alex.waitForURL(`${base()}/app/rooms`);
    await alex.getByText('Sie haben noch keine Chats.', { exact: false }).waitFor();

    // a second client (registered elsewhere) logs in on the login page of another browser
    await t.http().post('/api/auth/register').send({ center: c.slug, username: 'sam-reiher', password: PASSWORD }).expect(201);
    sam = await newPage();
    await logIn(sam, 'sam-reiher', PASSWORD);
    await sam.waitForURL(`${base()}/app/rooms`);

    // the counselor logs in, goes to the chats and creates the group room for both
    const counselor = c.counselors[0]!;
    // a canned response of theirs (kept on the server) to insert beside the room's composer
    await t
      .http()
      .post('/api/canned-responses')
      .set('Authorization', `Bearer ${counselor.token}`)
      .send({ title: 'Begrüßung', body: 'Schön, dass Sie beide da sind.' })
      .expect(201);
    staff = await newPage();
    await logIn(staff, counselor.login, counselor.password);
    await staff.waitForURL(`${base()}/app/live`);
    await staff.getByRole('button', { name: 'Schicht beginnen' }).waitFor();
    await staff.getByText('verbunden', { exact: true }).waitFor();
    await accessible(staff);
    await shot(staff, 'journey-04-counselor-live');
    await docShot(staff, 'workspace-live');
    await staff.getByRole('navigation').getByRole('link', { name: 'Chats', exact: true }).click();
    await staff.getByRole('heading', { name: 'Neuen Chat anlegen' }).waitFor();
    await staff.getByLabel('Name des Chats').fill('Gruppe Donnerstag');
    await staff.getByLabel('Nach Pseudonym suchen').fill('alex');
    await staff.getByLabel('alex-kranich').check();
    await staff.getByLabel('Nach Pseudonym suchen').fill('sam');
    await staff.getByLabel('sam-reiher').check();
    await staff.getByText('2 Personen ausgewählt: ein Gruppenchat.').waitFor();
    await accessible(staff);
    await shot(staff, 'journey-04b-counselor-new-room');
    await staff.getByRole('button', { name: 'Chat anlegen' }).click();
    await staff.getByText('Der Chat „Gruppe Donnerstag“ ist angelegt.').waitFor();

    // both clients see the room appear without a reload, announced in the live region
    for (const p of [alex, sam]) {
      await p.getByRole('link', { name: 'Gruppe Donnerstag' }).waitFor();
      await p.getByRole('status').filter({ hasText: 'Neuer Chat: „Gruppe Donnerstag“' }).waitFor();
    }
    await accessible(alex);
    await shot(alex, 'journey-05-client-rooms');

    // all three open it and chat: every message arrives once at the other two
    await staff.getByRole('link', { name: 'Gruppe Donnerstag' }).click();
    await staff.getByRole('heading', { name: 'Gruppe Donnerstag', level: 1 }).waitFor();
    for (const p of [alex, sam]) {
      await p.getByRole('link', { name: 'Gruppe Donnerstag' }).click();
      await p.getByRole('heading', { name: 'Gruppe Donnerstag', level: 1 }).waitFor();
      await p.getByRole('log').waitFor();
    }
    // the counselor's canned response, inserted from the picker beside the composer; clients have no picker
    await staff.getByRole('button', { name: 'Textbaustein einfügen' }).click();
    await staff.getByRole('button', { name: /Begrüßung/ }).click();
    await expect(staff.getByLabel('Ihre Nachricht').inputValue()).resolves.toBe('Schön, dass Sie beide da sind.');
    await expect(activeId(staff)).resolves.toBe('room-composer');
    await expect(alex.getByRole('button', { name: 'Textbaustein einfügen' }).count()).resolves.toBe(0);
    await staff.getByLabel('Ihre Nachricht').press('Enter');
    const said: string[] = ['Schön, dass Sie beide da sind.'];
    for (const p of [staff, alex, sam]) await logShows(p, said);

    await alex.getByLabel('Ihre Nachricht').fill('Hallo, ich bin Alex.');
    await alex.getByLabel('Ihre Nachricht').press('Enter');
    said.push('Hallo, ich bin Alex.');
    for (const p of [staff, alex, sam]) await logShows(p, said);

    await sam.getByLabel('Ihre Nachricht').fill('Hallo Alex, hier ist Sam.');
    await sam.getByRole('button', { name: 'Senden' }).click();
    said.push('Hallo Alex, hier ist Sam.');
    for (const p of [staff, alex, sam]) await logShows(p, said);
    for (const p of [staff, alex, sam]) await accessible(p);
    await shot(staff, 'journey-06-room-counselor');
    await shot(alex, 'journey-07-room-client');
    await docShot(alex, 'room-client');
    await sam.setViewportSize({ width: 320, height: 800 });
    await expect(sam.evaluate<number>('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(320);
    await accessible(sam);
    await shot(sam, 'journey-08-room-client-320px');
    await sam.setViewportSize({ width: 1100, height: 900 });
  });

  it('should let a client chat with the keyboard only when Tab reaches the composer and Enter sends, and the counselor sees it', async () => {
    // (c) from the list of chats: Tab to the room, Enter, Tab to the composer, type, Enter
    await alex.getByRole('link', { name: 'Alle Chats' }).click();
    await alex.getByRole('link', { name: 'Gruppe Donnerstag' }).waitFor();
    await tabUntil(alex, (el) => el.text === 'Gruppe Donnerstag');
    await alex.keyboard.press('Enter');
    await alex.getByRole('heading', { name: 'Gruppe Donnerstag', level: 1 }).waitFor();
    await alex.getByRole('log').locator('.msg').nth(2).waitFor();
    await tabUntil(alex, (el) => el.id === 'room-composer');
    await alex.keyboard.type('Mit der Tastatur geschrieben.');
    await alex.keyboard.press('Enter');
    const said = ['Schön, dass Sie beide da sind.', 'Hallo, ich bin Alex.', 'Hallo Alex, hier ist Sam.', 'Mit der Tastatur geschrieben.'];
    for (const p of [staff, alex, sam]) await logShows(p, said);
    // the focus stays in the composer for the next message
    await expect(activeId(alex)).resolves.toBe('room-composer');
    await accessible(staff);
    await accessible(alex);
    await shot(staff, 'journey-09-keyboard-message-at-counselor');
  });

  it('should let two anonymous visitors join from the center’s page a topic chat that a counselor scheduled on the topics page', async () => {
    // (b) the counselor (signed in from journey a) schedules a topic chat that runs from now
    const info = (await t.http().get(`/api/centers/${c.slug}`).expect(200)).body as CenterPublicInfo;
    await staff.getByRole('navigation').getByRole('link', { name: 'Themenchats' }).click();
    await staff.getByRole('heading', { level: 1, name: 'Themenchats' }).waitFor();
    await staff.getByText('Zurzeit sind keine Themenchats geplant.').waitFor();
    await staff.getByLabel('Titel', { exact: true }).fill('Stress in der Ausbildung');
    await staff.getByLabel('Beschreibung', { exact: true }).fill('Austausch unter Gleichen, begleitet von der Beratung.');
    await staff.getByLabel('Beginn', { exact: true }).fill(localInput(-60_000, info.timeZone));
    await staff.getByLabel('Ende', { exact: true }).fill(localInput(HOUR, info.timeZone));
    await staff.getByLabel('Plätze', { exact: true }).fill('5');
    await accessible(staff);
    await shot(staff, 'journey-10-topic-schedule');
    await staff.getByRole('button', { name: 'Themenchat planen' }).click();
    await staff.getByRole('status').getByText('Der Themenchat „Stress in der Ausbildung“ ist geplant.').waitFor();
    await staff.locator('li[data-topic="Stress in der Ausbildung"][data-status="open"]').waitFor();
    await accessible(staff);
    await shot(staff, 'journey-11-topic-scheduled');
    const topics = (await t.http().get(`/api/centers/${c.slug}/topic-chats`).expect(200)).body as TopicChatListItem[];
    const topic = topics.find((x) => x.title === 'Stress in der Ausbildung')!;
    expect(topic).toMatchObject({ status: 'open', description: 'Austausch unter Gleichen, begleitet von der Beratung.' });

    // two anonymous visitors find it on the center's page and join with nicknames
    const visitors: Page[] = [];
    for (const [i, nickname] of ['Mila', 'Noor'].entries()) {
      const v = await newPage();
      visitors.push(v);
      await v.goto(base());
      const running = v.locator(`li[data-topic="${topic.id}"][data-status="open"]`);
      await running.waitFor();
      if (i === 0) {
        await accessible(v);
        await shot(v, 'journey-12-center-page');
        await docShot(v, 'center');
      }
      await running.getByRole('link', { name: 'Am Themenchat „Stress in der Ausbildung“ teilnehmen' }).click();
      await v.getByRole('heading', { level: 1, name: 'Stress in der Ausbildung' }).waitFor();
      await v.getByLabel('Ihr Spitzname in diesem Chat').fill(nickname);
      await v.getByRole('button', { name: 'Dem Themenchat beitreten' }).click();
      await v.getByRole('heading', { name: `Sie schreiben als „${nickname}“.` }).waitFor();
      await v.getByRole('log', { name: 'Nachrichten im Themenchat' }).waitFor();
    }
    const [mila, noor] = visitors as [Page, Page];
    await mila.getByLabel('Ihre Nachricht an alle im Themenchat').fill('Hallo, ist hier noch jemand?');
    await mila.getByLabel('Ihre Nachricht an alle im Themenchat').press('Enter');
    await logShows(noor, ['Hallo, ist hier noch jemand?']);
    await noor.getByLabel('Ihre Nachricht an alle im Themenchat').fill('Ja, ich. Mir geht es ähnlich.');
    await noor.getByLabel('Ihre Nachricht an alle im Themenchat').press('Enter');
    for (const v of visitors) await logShows(v, ['Hallo, ist hier noch jemand?', 'Ja, ich. Mir geht es ähnlich.']);
    // no account behind them: the visitors' pages hold no portal session
    for (const v of visitors) await expect(v.evaluate<string | null>(`sessionStorage.getItem('lotse.portal.${c.slug}')`)).resolves.toBeNull();
    for (const v of visitors) await accessible(v);
    await shot(mila, 'journey-13-topic-chat-visitor');
  });

  it('should delete a client’s account on the account page and refuse their login afterwards with a sentence', async () => {
    // (d) the client of journey (a) deletes their account
    await alex.getByRole('link', { name: 'Mein Konto' }).click();
    await alex.getByRole('heading', { name: 'Mein Konto', level: 1 }).waitFor();
    await accessible(alex);
    await shot(alex, 'journey-14-account');
    await alex.getByRole('button', { name: 'Konto löschen …' }).click();
    const dialog = alex.getByRole('dialog', { name: 'Konto endgültig löschen?' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('kann nicht rückgängig gemacht werden');
    await accessible(alex);
    await shot(alex, 'journey-15-delete-dialog');
    await alex.locator('#delete-password').fill(PASSWORD);
    await alex.getByRole('button', { name: 'Konto endgültig löschen' }).click();
    await alex.waitForURL(base());
    await alex.getByRole('status').filter({ hasText: 'Ihr Konto und alles, was dazu gehörte, ist gelöscht.' }).waitFor();
    await accessible(alex);
    await shot(alex, 'journey-16-deleted');

    // the login page refuses them with a sentence, never a code
    await logIn(alex, 'alex-kranich', PASSWORD);
    const refusal = alex.locator('#login-form-error');
    await refusal.filter({ hasText: 'stimmen nicht' }).waitFor();
    await expect(refusal.textContent()).resolves.not.toContain('UNAUTHORIZED');
    await expect(alex.evaluate<string | null>(`sessionStorage.getItem('lotse.portal.${c.slug}')`)).resolves.toBeNull();
    await accessible(alex);
    await shot(alex, 'journey-17-login-refused');
    // the other members keep their room, without Alex
    await sam.reload();
    await sam.getByRole('heading', { name: 'Im Chat' }).waitFor();
    await expect(sam.locator('.members li').allTextContents()).resolves.not.toContain('alex-kranich');
  });

  it('should show the admin the team with the counselor of these journeys when the admin logs in on the login page', async () => {
    // only the way in and the page (the invitation and deactivation journeys are portal-admin.spec.ts)
    const admin = await newPage();
    await logIn(admin, c.admin.login, c.admin.password);
    await admin.waitForURL(`${base()}/app/overview`);
    await admin.getByRole('navigation').getByRole('link', { name: 'Team' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
    await admin.locator(`tr[data-staff="${c.counselors[0]!.login}"]`).waitFor();
    await accessible(admin);
    await shot(admin, 'journey-18-admin-staff');
    await docShot(admin, 'admin-staff');
  });

  it('should have made no request to another origin on any page of these journeys', () => {
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
