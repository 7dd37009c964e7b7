import type { Browser, BrowserContext, Page } from 'playwright-core';
import { cleanPdf } from '../factories/pdfs';
import { call, ok } from '../harness/ack';
import { launchChromium } from '../harness/browser';
import { watchForeignRequests } from '../harness/portal';
import { type Actor, as, assignedThread, freshClient, freshStaff, freshVisitor, socketOf } from './actors';
import { ALL_MARKUP, HOSTILE, marker, ownCenter } from './hostile';
import { plant, server } from './server';

/**
 * The browser half of the content attacks: every page that shows a typed text, opened in headless
 * Chromium with the hostile texts in place (markup in every field, a bidi override in the message),
 * must show them as text — no element of the payload in the DOM, no `__x()` call (the payloads call
 * it), no dialog — and the text itself visible.
 */

let browser: Browser;
let slug = '';
let admin: Actor;
let counselor: Actor;
let client: Actor;
let threadId = '';
let roomId = '';
const contexts: BrowserContext[] = [];
const foreign: { list: string[] }[] = [];
/** One marker per field: the page must show `<marker> <ALL_MARKUP>` as text. */
const texts: Record<string, string> = {};

const hostile = (field: string, secret: boolean, extra = ''): string => {
  const text = `${marker()} ${ALL_MARKUP}${extra}`;
  texts[field] = text;
  return secret ? plant(text) : text;
};

interface PageReport {
  calls: number[];
  dialogs: string[];
  elements: string[];
}

/** A page with the `__x` trap installed before any script runs, signed in as `who` (or nobody). */
async function open(who: Actor | null, path: string): Promise<{ page: Page; report: () => Promise<PageReport> }> {
  const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin', viewport: { width: 1100, height: 900 } });
  contexts.push(context);
  await context.addInitScript('window.__xssCalls = []; window.__x = function (n) { window.__xssCalls.push(n); };');
  if (who)
    await context.addInitScript(
      `sessionStorage.setItem(${JSON.stringify(`lotse.portal.${slug}`)}, ${JSON.stringify(
        JSON.stringify({ token: who.token, account: { id: who.id, role: who.role, displayName: who.displayName } }),
      )});`,
    );
  const page = await context.newPage();
  foreign.push(watchForeignRequests(page, server().url));
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${server().url}${path}`);
  const report = async (): Promise<PageReport> => ({
    dialogs,
    // a string, evaluated in the page (the test's own tsconfig has no DOM types)
    ...(await page.evaluate<{ calls: number[]; elements: string[] }>(`(() => {
      const found = [
        ...document.querySelectorAll('img[onerror], svg[onload], a[href^="javascript:"], [onerror], [onload]'),
        ...[...document.querySelectorAll('script')].filter((s) => (s.textContent || '').includes('__x(')),
      ].map((el) => el.outerHTML.slice(0, 120));
      return { calls: window.__xssCalls, elements: found };
    })()`)),
  });
  return { page, report };
}

/** Waits until `text` is shown as text on the page, then checks that nothing of the payloads became markup or ran. */
async function expectShownAsText(page: Page, report: () => Promise<PageReport>, field: string, text = texts[field]!): Promise<void> {
  const mark = text.split(' ')[0]!;
  await page.getByText(mark, { exact: false }).first().waitFor({ timeout: 10_000 });
  const shown = await page.evaluate<string>('document.body.innerText');
  const line = shown.split('\n').find((l) => l.includes(mark)) ?? '';
  expect({ field, visible: line.includes(HOSTILE['img onerror']) && line.includes(HOSTILE['script element']) }).toEqual({ field, visible: true });
  // give a late image error or a deferred handler the chance to run
  await page.waitForTimeout(150);
  expect({ field, ...(await report()) }).toEqual({ field, calls: [], dialogs: [], elements: [] });
}

describe('content attacks in Chromium: hostile texts are shown as text on every page', () => {
  beforeAll(async () => {
    const own = await ownCenter('pages');
    slug = own.slug;
    admin = own.admin;
    counselor = await freshStaff(slug, admin);
    client = await freshClient(slug);
    // the client's enquiry (subject and first post), assigned to the counselor
    const enquiry = await as(client.token)
      .post('/api/threads')
      .send({ subject: hostile('subject', true), body: hostile('enquiry', true) });
    expect(enquiry.status).toBe(201);
    threadId = (enquiry.body as { id: string }).id;
    await as(admin.token).post(`/api/threads/${threadId}/assign`).send({ counselorId: counselor.id }).expect(200);
    await assignedThread(slug, admin, await freshClient(slug), counselor);
    const doc = await as(counselor.token)
      .post(`/api/threads/${threadId}/documents`)
      .attach('file', await cleanPdf(), { filename: `${marker()} ${HOSTILE['img onerror']}.pdf`, contentType: 'application/pdf' });
    expect(doc.status).toBe(201);
    await as(counselor.token)
      .post(`/api/threads/${threadId}/posts`)
      .send({ body: hostile('post', true), clientPostId: marker(), documentIds: [(doc.body as { id: string }).id] })
      .expect(201);
    await as(counselor.token)
      .post(`/api/clients/${client.id}/notes`)
      .send({ body: hostile('note', true) })
      .expect(201);
    await as(counselor.token)
      .post('/api/canned-responses')
      .send({ title: 'Gruß', body: hostile('canned', true) })
      .expect(201);
    await as(counselor.token)
      .patch('/api/accounts/me')
      .send({ teamText: hostile('team', false), onTeamPage: true })
      .expect(200);
    await as(admin.token)
      .patch(`/api/centers/${slug}/settings`)
      .send({ name: hostile('center', false), privacyText: hostile('privacy', false) })
      .expect(200);
    const starts = new Date(Date.now() + 2 * 86_400_000);
    await as(admin.token)
      .post(`/api/centers/${slug}/topic-chats`)
      .send({
        title: hostile('topic', false).slice(0, 120),
        description: 'Offener Abend',
        startsAt: starts.toISOString(),
        endsAt: new Date(starts.getTime() + 3600_000).toISOString(),
        capacity: 10,
      })
      .expect(201);
    const s = await socketOf(counselor.token);
    try {
      roomId = ok(await call(s, 'room.create', { name: hostile('room', true), memberIds: [client.id] })).roomId;
      ok(await call(s, 'message.send', { roomId, clientMsgId: marker(), body: hostile('message', true) }));
    } finally {
      s.close();
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
  });

  it('should show the client the thread subject in the list and the subject, posts and file name in the thread as text', async () => {
    const list = await open(client, `/c/${slug}/app/threads`);
    await expectShownAsText(list.page, list.report, 'subject');
    const thread = await open(client, `/c/${slug}/app/threads/${threadId}`);
    await expectShownAsText(thread.page, thread.report, 'enquiry');
    await expectShownAsText(thread.page, thread.report, 'post');
    await expectShownAsText(thread.page, thread.report, 'subject');
  });

  it('should show the counselor the thread and the notes about the client as text', async () => {
    const thread = await open(counselor, `/c/${slug}/app/threads/${threadId}`);
    await expectShownAsText(thread.page, thread.report, 'post');
    const notes = await open(counselor, `/c/${slug}/app/clients/${client.id}/notes`);
    await expectShownAsText(notes.page, notes.report, 'note');
  });

  it('should show room names and chat messages as text in the room list and the room', async () => {
    const rooms = await open(client, `/c/${slug}/app/rooms`);
    await expectShownAsText(rooms.page, rooms.report, 'room');
    const room = await open(client, `/c/${slug}/app/rooms/${roomId}`);
    await expectShownAsText(room.page, room.report, 'message');
    const staffRoom = await open(counselor, `/c/${slug}/app/rooms/${roomId}`);
    await expectShownAsText(staffRoom.page, staffRoom.report, 'message');
  });

  it('should show canned responses as text on their page', async () => {
    const canned = await open(counselor, `/c/${slug}/app/canned`);
    await expectShownAsText(canned.page, canned.report, 'canned');
  });

  it('should show the center name, the topic chats and the team texts as text on the public pages', async () => {
    const center = await open(null, `/c/${slug}`);
    await expectShownAsText(center.page, center.report, 'center');
    await expectShownAsText(center.page, center.report, 'topic', texts.topic!.slice(0, 120));
    const team = await open(null, `/c/${slug}/team`);
    await expectShownAsText(team.page, team.report, 'team');
  });

  // the live chat: the visitor in the widget, the counselor in the console, each typing into the other's screen
  it('should show a visitor’s first message and live chat messages as text in the console, and the counselor’s in the widget', async () => {
    const TRICKY = ` ${HOSTILE['bidi override (U+202E)']} ${HOSTILE['zero-width characters (U+200B, U+2060, U+FEFF)']}`;
    const con = await open(null, `/console.html?center=${slug}`);
    await con.page.getByLabel('E-Mail').fill(counselor.login);
    await con.page.getByLabel('Passwort').fill(counselor.password);
    await con.page.getByRole('button', { name: 'Anmelden' }).click();
    await con.page.getByText('verbunden', { exact: true }).waitFor();
    await con.page.getByLabel('max. Chats').fill('2');
    await con.page.getByRole('button', { name: 'Schicht beginnen' }).click();
    await con.page.getByText('Schicht offen').waitFor();

    const widget = await open(null, `/widget.html?center=${slug}&lang=de`);
    const w = widget.page;
    await w.getByRole('button', { name: 'Einverstanden, weiter' }).click();
    await w.getByLabel('Worum geht es? (freiwillig)').fill(hostile('live first message', true, TRICKY));
    await w.getByRole('button', { name: 'Chat beginnen' }).click();
    await w.getByRole('heading', { name: `Sie chatten mit ${counselor.displayName}.` }).waitFor();
    await w.getByLabel('Ihre Nachricht').fill(hostile('live visitor message', true, TRICKY));
    await w.getByLabel('Ihre Nachricht').press('Enter');
    await expectShownAsText(con.page, con.report, 'live first message');
    await expectShownAsText(con.page, con.report, 'live visitor message');
    await con.page.getByLabel('Antwort').fill(hostile('live counselor message', true, TRICKY));
    await con.page.getByLabel('Antwort').press('Enter');
    await expectShownAsText(w, widget.report, 'live counselor message');
    await expectShownAsText(w, widget.report, 'live visitor message');
    await expectShownAsText(w, widget.report, 'live first message');
    await con.page.getByRole('button', { name: 'Schicht beenden' }).click();
  });

  it('should show a topic chat’s title, a visitor’s nickname and messages as text in the host’s console', async () => {
    const starts = new Date(Date.now() - 60_000);
    const title = hostile('live topic title', false).slice(0, 120);
    await as(counselor.token)
      .post(`/api/centers/${slug}/topic-chats`)
      .send({ title, description: 'Jetzt offen', startsAt: starts.toISOString(), endsAt: new Date(starts.getTime() + 3600_000).toISOString(), capacity: 10 })
      .expect(201);
    const topics = (await as(null).get(`/api/centers/${slug}/topic-chats`).expect(200)).body as { id: string; title: string }[];
    const topicChatId = topics.find((x) => x.title === title)!.id;
    // a nickname is at most 40 characters and refuses invisible ones: the longest markup payload
    const nickname = plant(`${marker()} ${HOSTILE['img onerror']}`);
    texts['topic nickname'] = nickname;
    const v = await freshVisitor(slug);
    const s = await socketOf(v.token);
    try {
      const joined = ok(await call(s, 'topic.join', { topicChatId, nickname }));
      ok(await call(s, 'message.send', { roomId: joined.roomId, clientMsgId: marker(), body: hostile('topic message', true) }));
      const con = await open(null, `/console.html?center=${slug}`);
      await con.page.getByLabel('E-Mail').fill(counselor.login);
      await con.page.getByLabel('Passwort').fill(counselor.password);
      await con.page.getByRole('button', { name: 'Anmelden' }).click();
      await con.page.getByText('verbunden', { exact: true }).waitFor();
      const mark = title.split(' ')[0]!;
      await con.page.locator('section.topics li', { hasText: mark }).getByRole('button', { name: 'betreten' }).click();
      await expectShownAsText(con.page, con.report, 'live topic title', title);
      await expectShownAsText(con.page, con.report, 'topic message');
      // the nickname: as text in the participant list (it holds only the first payload)
      await con.page.locator('section.participants').getByText(nickname.split(' ')[0]!).first().waitFor();
      const shown = await con.page.evaluate<string>('document.body.innerText');
      expect(shown).toContain(nickname);
      expect(await con.report()).toEqual({ calls: [], dialogs: [], elements: [] });
    } finally {
      s.close();
    }
  });

  it('should load no resource from another origin on any of these pages (a payload image or script would)', () => {
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
