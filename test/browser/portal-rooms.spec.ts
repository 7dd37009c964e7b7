import type { Page } from 'playwright-core';
import type { Server } from 'socket.io';
import { RealtimePublisher } from '../../src/realtime/publisher';
import type { LoginResult, RoomListItem } from '../../src/realtime/contract';
import { call } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, SeededCenter } from '../harness/app';
import { type PortalBrowser, signInPortal, startPortalBrowser } from '../harness/portal-browser';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

/**
 * Chat rooms in the portal, in headless Chromium against the real server: a counselor starts a
 * group chat with two registered clients from the rooms page, the three chat live (each message
 * once), unread counts, typing, a keyboard-only send, a room that opens later, close and delete,
 * and another client's room. axe-core after every state; screenshots of each.
 */
const PASSWORD = 'Correct-Horse-9-Battery';

let t: PortalBrowser['t'];
let portal: PortalBrowser;
let c: SeededCenter;
const people: Record<'owl' | 'fox' | 'kite', LoginResult> = {} as never;
let counselor: LoginResult;
const foreign: { list: string[] }[] = [];
let groupId = '';
let laterId = '';

async function register(username: string): Promise<LoginResult> {
  const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD }).expect(201);
  return res.body as LoginResult;
}

/** A browser of one person, signed in to the center (the token where the portal keeps it: this tab's sessionStorage). */
async function portalAs(who: LoginResult, opts: { width?: number; timezoneId?: string } = {}): Promise<Page> {
  const context = await portal.context({
    viewport: { width: opts.width ?? 1100, height: 900 },
    locale: 'de-DE',
    timezoneId: opts.timezoneId ?? 'Europe/Berlin',
  });
  await signInPortal(context, c.slug, who);
  const page = await context.newPage();
  foreign.push(watchForeignRequests(page, t.url));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

const roomsUrl = () => `${t.url}/c/${c.slug}/app/rooms`;
const texts = (page: Page) => page.locator('.log .msg .text').allTextContents();

/** Waits until the page's message log shows exactly these texts (in this order). */
async function logShows(page: Page, expected: string[]): Promise<void> {
  await page
    .locator('.log .msg:not([data-pending])')
    .nth(expected.length - 1)
    .waitFor();
  await expect(texts(page)).resolves.toEqual(expected);
}

const activeId = (page: Page) => page.evaluate<string>('document.activeElement?.id ?? ""');
const activeText = (page: Page) => page.evaluate<string>('document.activeElement?.textContent ?? ""');

/** Presses Tab until the focused element matches (keyboard-only journeys). */
async function pressTabUntil(page: Page, match: (el: { id: string; text: string }) => boolean, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (match({ id: await activeId(page), text: await activeText(page) })) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('the element was not reached with Tab');
}

/** Closes the server end of every socket of an account; the number closed (0: none left). */
function dropSockets(accountId: string): number {
  const io = t.app.get(RealtimePublisher)['server'] as Server;
  let n = 0;
  for (const s of io.of('/').sockets.values()) {
    if ((s.data as { auth?: { subjectId: string } }).auth?.subjectId === accountId) {
      s.conn.close();
      n++;
    }
  }
  return n;
}

/** Polls until `check` holds (the read marker travels over the socket; nothing to await on the page). */
async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function myRooms(token: string): Promise<RoomListItem[]> {
  return (await t.http().get('/api/rooms').set('Authorization', `Bearer ${token}`).expect(200)).body as RoomListItem[];
}

describe('portal chat rooms in Chromium', () => {
  beforeAll(async () => {
    portal = await startPortalBrowser();
    t = portal.t;
    c = await seedCenter(t, { counselors: 1, clients: 0 });
    counselor = { token: c.counselors[0]!.token, account: { id: c.counselors[0]!.id, role: 'counselor', displayName: c.counselors[0]!.displayName } };
    people.owl = await register('grey-owl');
    people.fox = await register('blue-fox');
    people.kite = await register('red-kite');
  });
  afterAll(async () => {
    closeAllSockets();
    await portal?.close();
  });

  let staff: Page;
  let owl: Page;
  let fox: Page;

  it('should show a group chat live to both clients when a counselor starts it, and let the three chat with each message arriving once', async () => {
    // the counselor works from another time zone than the center's: the form still means the center's time
    staff = await portalAs(counselor, { timezoneId: 'America/New_York' });
    owl = await portalAs(people.owl);
    fox = await portalAs(people.fox);
    await staff.goto(roomsUrl());
    await staff.getByRole('heading', { name: 'Neuen Chat anlegen' }).waitFor();
    await staff.getByText('Sie haben noch keine Chats. Legen Sie unten einen an.').waitFor();
    await staff.getByLabel('blue-fox').waitFor();
    expect(await seriousViolations(staff)).toEqual([]);
    await shot(staff, 'portal-rooms-counselor-empty');
    for (const p of [owl, fox]) {
      await p.goto(roomsUrl());
      await p.getByText('Sie haben noch keine Chats.', { exact: false }).waitFor();
    }
    expect(await seriousViolations(owl)).toEqual([]);
    await shot(owl, 'portal-rooms-client-empty');

    // the form refuses without a name and without members, next to the fields
    await staff.getByRole('button', { name: 'Chat anlegen' }).click();
    await staff.getByText('Bitte geben Sie dem Chat einen Namen.').waitFor();
    await expect(staff.getByLabel('Name des Chats').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(activeId(staff)).resolves.toBe('new-room-name');
    await staff.getByText('Bitte wählen Sie mindestens eine Person aus.').waitFor();
    expect(await seriousViolations(staff)).toEqual([]);
    await shot(staff, 'portal-rooms-form-errors');

    await staff.getByLabel('Name des Chats').fill('Gruppe Mittwoch');
    await staff.getByLabel('Nach Pseudonym suchen').fill('owl');
    await expect(staff.locator('#new-room-clients input[type="checkbox"]').count()).resolves.toBe(1);
    await staff.getByLabel('grey-owl').check();
    await staff.getByLabel('Nach Pseudonym suchen').fill('fox');
    await staff.getByLabel('blue-fox').check();
    await staff.getByText('2 Personen ausgewählt: ein Gruppenchat.').waitFor();
    expect(await seriousViolations(staff)).toEqual([]);
    await shot(staff, 'portal-rooms-form-filled');
    await staff.getByRole('button', { name: 'Chat anlegen' }).click();
    await staff.getByText('Der Chat „Gruppe Mittwoch“ ist angelegt.').waitFor();

    // both clients see it appear without reloading, announced in the live region
    for (const p of [owl, fox]) {
      await p.getByRole('link', { name: 'Gruppe Mittwoch' }).waitFor();
      await p.getByRole('status').filter({ hasText: 'Neuer Chat: „Gruppe Mittwoch“' }).waitFor();
    }
    await expect(owl.locator('.room-kind').first().textContent()).resolves.toBe('Gruppenchat');
    groupId = (await myRooms(people.owl.token)).find((r) => r.name === 'Gruppe Mittwoch')!.id;
    expect(await seriousViolations(fox)).toEqual([]);
    await shot(fox, 'portal-rooms-client-list');

    // the counselor and grey-owl open it; blue-fox stays on the list
    await staff.getByRole('link', { name: 'Gruppe Mittwoch' }).click();
    await staff.getByRole('heading', { name: 'Gruppe Mittwoch', level: 1 }).waitFor();
    await owl.getByRole('link', { name: 'Gruppe Mittwoch' }).click();
    await owl.getByRole('heading', { name: 'Im Chat' }).waitFor();
    await expect(
      owl
        .locator('.members li')
        .allTextContents()
        .then((l) => l.sort()),
    ).resolves.toEqual(['Counselor 1 – Beratung', 'blue-fox', 'grey-owl (Sie)']);

    await staff.getByLabel('Ihre Nachricht').fill('Willkommen in der Gruppe');
    await staff.getByLabel('Ihre Nachricht').press('Enter');
    await logShows(owl, ['Willkommen in der Gruppe']);
    // unread on the list of the client who is elsewhere, as a number and as text
    const badge = fox.locator(`[data-room="${groupId}"] .badge`);
    await badge.waitFor();
    await expect(badge.getAttribute('data-unread')).resolves.toBe('1');
    await expect(badge.locator('.sr-only').textContent()).resolves.toBe('1 neue Nachricht');
    await fox.getByRole('status').filter({ hasText: 'Neue Nachricht in „Gruppe Mittwoch“' }).waitFor();
    expect(await seriousViolations(fox)).toEqual([]);
    await shot(fox, 'portal-rooms-unread');

    // typing shows at the others
    await owl.getByLabel('Ihre Nachricht').pressSequentially('Hallo', { delay: 20 });
    await staff.getByText('grey-owl schreibt …').waitFor();
    expect(await seriousViolations(staff)).toEqual([]);
    await shot(staff, 'portal-room-typing');
    await owl.getByLabel('Ihre Nachricht').press('Enter');
    await logShows(staff, ['Willkommen in der Gruppe', 'Hallo']);
    await badge.locator('.sr-only').filter({ hasText: '2 neue Nachrichten' }).waitFor();

    // opening the room clears the unread count
    await fox.getByRole('link', { name: 'Gruppe Mittwoch' }).click();
    await logShows(fox, ['Willkommen in der Gruppe', 'Hallo']);
    await until(async () => (await myRooms(people.fox.token)).find((r) => r.id === groupId)?.unread === 0);
    await fox.getByRole('link', { name: 'Alle Chats' }).click();
    await fox.getByRole('link', { name: 'Gruppe Mittwoch' }).waitFor();
    await expect(fox.locator(`[data-room="${groupId}"] .badge`).count()).resolves.toBe(0);

    // keyboard only, from the list: the page's heading has the focus, Tab to the room, Enter, Tab to the composer, type, Enter
    await until(async () => (await activeText(fox)) === 'Chats');
    await pressTabUntil(fox, (el) => el.text === 'Gruppe Mittwoch');
    await fox.keyboard.press('Enter');
    await logShows(fox, ['Willkommen in der Gruppe', 'Hallo']);
    await until(async () => (await activeText(fox)) === 'Gruppe Mittwoch' && (await activeId(fox)) !== 'room-composer');
    await pressTabUntil(fox, (el) => el.id === 'room-composer');
    await fox.keyboard.type('Hallo von blue-fox');
    await fox.keyboard.press('Enter');
    const all = ['Willkommen in der Gruppe', 'Hallo', 'Hallo von blue-fox'];
    for (const p of [staff, owl, fox]) await logShows(p, all);
    // each message exactly once on every screen, also after the sender's own copy came back
    for (const p of [staff, owl, fox]) {
      await expect(p.locator('.log [data-pending]').count()).resolves.toBe(0);
      await expect(texts(p)).resolves.toEqual(all);
    }
    for (const p of [staff, owl, fox]) expect(await seriousViolations(p)).toEqual([]);
    await shot(staff, 'portal-room-counselor');
    await shot(fox, 'portal-room-client');
    await owl.setViewportSize({ width: 320, height: 800 });
    expect(await seriousViolations(owl)).toEqual([]);
    await shot(owl, 'portal-room-320px');
    await owl.setViewportSize({ width: 1100, height: 900 });
  });

  it('should send what a client wrote while the connection was lost once it is back, exactly once', async () => {
    const before = ['Willkommen in der Gruppe', 'Hallo', 'Hallo von blue-fox'];
    await owl.context().setOffline(true);
    // Chromium may have dropped the websocket already; the server end is closed here in any case
    await until(async () => Promise.resolve(dropSockets(people.owl.account.id) === 0));
    await owl.getByText('Keine Verbindung zum Server. Ihre Nachrichten werden gesendet, sobald sie wieder da ist.').waitFor();
    await owl.getByLabel('Ihre Nachricht').fill('Bin ich noch da?');
    await owl.getByLabel('Ihre Nachricht').press('Enter');
    await owl.locator('.log [data-pending="sending"]').filter({ hasText: 'Bin ich noch da?' }).waitFor();
    expect(await seriousViolations(owl)).toEqual([]);
    await shot(owl, 'portal-room-offline-sending');
    await owl.context().setOffline(false);
    const after = [...before, 'Bin ich noch da?'];
    for (const p of [staff, owl, fox]) await logShows(p, after);
    await owl.locator('.log [data-pending]').waitFor({ state: 'detached' });
    for (const p of [staff, owl, fox]) await expect(texts(p)).resolves.toEqual(after);
  });

  it('should say when a room with a future window opens and refuse sending before then', async () => {
    const year = new Date().getFullYear() + 1;
    await staff.getByRole('link', { name: 'Alle Chats' }).click();
    await staff.getByLabel('Name des Chats').fill('Später');
    await staff.getByLabel('Nach Pseudonym suchen').fill('owl');
    await staff.getByLabel('grey-owl').check();
    await staff.getByLabel('Beginn', { exact: true }).fill(`${year}-06-01T10:00`);
    await staff.getByLabel('Ende', { exact: true }).fill(`${year}-06-01T09:00`);
    await staff.getByRole('button', { name: 'Chat anlegen' }).click();
    await staff.getByText('Das Ende muss nach dem Beginn liegen.').waitFor();
    await expect(staff.getByLabel('Ende', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    await staff.getByLabel('Ende', { exact: true }).fill('');
    await staff.getByRole('button', { name: 'Chat anlegen' }).click();
    await staff.getByText('Der Chat „Später“ ist angelegt.').waitFor();

    await owl.getByRole('link', { name: 'Alle Chats' }).click();
    const row = owl.locator('.room').filter({ hasText: 'Später' });
    await row.getByText(`öffnet 01.06.${year}, 10:00`).waitFor();
    laterId = (await myRooms(people.owl.token)).find((r) => r.name === 'Später')!.id;
    // the center's 10:00 (Berlin summer time) whatever the counselor's own zone
    expect((await myRooms(people.owl.token)).find((r) => r.id === laterId)?.startsAt).toBe(`${year}-06-01T08:00:00.000Z`);
    expect(await seriousViolations(owl)).toEqual([]);
    await shot(owl, 'portal-rooms-opens-later');
    await row.getByRole('link', { name: 'Später' }).click();
    await owl.getByText(`Dieser Chat öffnet am 01.06.${year}, 10:00.`, { exact: false }).waitFor();
    await expect(owl.getByLabel('Ihre Nachricht').isDisabled()).resolves.toBe(true);
    await expect(owl.getByRole('button', { name: 'Senden' }).isDisabled()).resolves.toBe(true);
    expect(await seriousViolations(owl)).toEqual([]);
    await shot(owl, 'portal-room-opens-later');
    // and the server refuses what the page does not offer
    const socket = await connect(t.url, people.owl.token);
    await expect(call(socket, 'message.send', { roomId: laterId, clientMsgId: 'early-1', body: 'zu früh' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('should answer with a plain sentence when a client opens a room that is not theirs', async () => {
    const kite = await portalAs(people.kite);
    await kite.goto(`${roomsUrl()}/${laterId}`);
    await kite.getByText('Diesen Chat gibt es nicht, oder Sie haben keinen Zugang zu ihm.').waitFor();
    await expect(kite.locator('.log').count()).resolves.toBe(0);
    expect(await seriousViolations(kite)).toEqual([]);
    await shot(kite, 'portal-room-not-found');
    // the same in English
    await kite.getByLabel('Sprache').selectOption('en');
    await kite.getByText('This chat does not exist, or you have no access to it.').waitFor();
    await kite.getByRole('link', { name: 'All chats' }).click();
    await kite.getByText('You have no chats yet.', { exact: false }).waitFor();
    expect(await seriousViolations(kite)).toEqual([]);
    await shot(kite, 'portal-rooms-english');
  });

  it('should close a room for writing, then delete it for good after asking, and tell the members each time', async () => {
    const history = ['Willkommen in der Gruppe', 'Hallo', 'Hallo von blue-fox', 'Bin ich noch da?'];
    await staff.goto(`${roomsUrl()}/${groupId}`);
    await logShows(staff, history);
    await owl.goto(`${roomsUrl()}/${groupId}`);
    await logShows(owl, history);
    await fox.goto(roomsUrl());
    await fox.getByRole('link', { name: 'Gruppe Mittwoch' }).waitFor();

    await staff.getByRole('button', { name: 'Chat schließen' }).click();
    const closedText = 'Dieser Chat wurde geschlossen. Sie können ihn weiter lesen, aber nichts mehr schreiben.';
    for (const p of [staff, owl]) await p.getByText(closedText).waitFor();
    await expect(owl.getByLabel('Ihre Nachricht').isDisabled()).resolves.toBe(true);
    await expect(texts(owl)).resolves.toEqual(history);
    await fox.locator(`[data-room="${groupId}"] .room-window`).filter({ hasText: 'geschlossen' }).waitFor();
    expect(await seriousViolations(owl)).toEqual([]);
    await shot(owl, 'portal-room-closed');

    // delete asks first and says that the history is gone for good; Cancel keeps it
    await staff.getByRole('button', { name: 'Chat löschen' }).click();
    const dialog = staff.getByRole('dialog', { name: 'Chat endgültig löschen?' });
    await dialog.waitFor();
    await dialog.getByText('Der Verlauf ist danach für immer weg', { exact: false }).waitFor();
    expect(await seriousViolations(staff)).toEqual([]);
    await shot(staff, 'portal-room-delete-dialog');
    await dialog.getByRole('button', { name: 'Abbrechen' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect(myRooms(people.owl.token)).resolves.toContainEqual(expect.objectContaining({ id: groupId }));

    await staff.getByRole('button', { name: 'Chat löschen' }).click();
    await dialog.getByRole('button', { name: 'Endgültig löschen' }).click();
    const deletedText = 'Dieser Chat wurde gelöscht. Sein Verlauf ist endgültig gelöscht.';
    for (const p of [staff, owl]) await p.getByText(deletedText).waitFor();
    await fox.getByRole('status').filter({ hasText: '„Gruppe Mittwoch“ wurde gelöscht' }).waitFor();
    await fox.locator(`[data-room="${groupId}"]`).waitFor({ state: 'detached' });
    await expect(myRooms(people.owl.token)).resolves.not.toContainEqual(expect.objectContaining({ id: groupId }));
    for (const p of [staff, owl, fox]) expect(await seriousViolations(p)).toEqual([]);
    await shot(owl, 'portal-room-deleted');
    await shot(fox, 'portal-rooms-after-delete');
    // signing out leaves nothing of the person in the tab
    await fox.getByRole('button', { name: 'Abmelden' }).click();
    await fox.waitForURL(/\/login/);
    await expect(fox.evaluate<string[]>('Object.keys(sessionStorage)')).resolves.toEqual([]);
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
