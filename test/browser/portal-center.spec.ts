import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { MessageView } from '../../src/realtime/contract';
import { TopicChatsService } from '../../src/modules/topic-chats/topic-chats.service';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, freePort, seedCenter, SeededCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { launchChromium } from '../harness/browser';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

/**
 * The center's page (`/`, `/c/:center`) and anonymous topic chats in headless Chromium against
 * the real server: live status kept current, two visitors and a counselor in one topic chat,
 * nickname and capacity refusals as sentences, the friendly 404 page, CSP and no foreign requests.
 */
const ROOT = join(__dirname, '..', '..');
const HOUR = 3_600_000;

let t: TestApp & { dropDb: () => Promise<void> };
let browser: Browser;
let first: SeededCenter;
const contexts: BrowserContext[] = [];
const foreign: { list: string[] }[] = [];

async function newPage(viewport = { width: 1100, height: 900 }, locale = 'de-DE'): Promise<Page> {
  const context = await browser.newContext({ viewport, locale });
  contexts.push(context);
  const page = await context.newPage();
  foreign.push(watchForeignRequests(page, t.url));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/** The page as axe-core sees it: no serious or critical WCAG A/AA violation. */
async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

const liveState = (page: Page) => page.locator('[data-live]').getAttribute('data-live');

async function schedule(c: SeededCenter, body: { title: string; description: string; startsAt: string; endsAt: string; capacity: number }): Promise<string> {
  const res = await t.http().post(`/api/centers/${c.slug}/topic-chats`).set('Authorization', `Bearer ${c.counselors[0]!.token}`).send(body).expect(201);
  return (res.body as { id: string }).id;
}

/** The messages with this text in the page's log (each must be there exactly once). */
const countOf = (page: Page, text: string) => page.getByRole('log').locator('.msg .text', { hasText: text }).count();

async function waitForMessage(page: Page, text: string): Promise<void> {
  await page.getByRole('log').locator('.msg .text', { hasText: text }).first().waitFor();
}

/** Presses Tab until the focused element matches (keyboard only; at most `max` steps). */
async function tabTo(page: Page, test: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate<boolean>(`(() => { const el = document.activeElement; return !!el && (${test}); })()`)) return;
  }
  throw new Error(`no element matching ${test} within ${max} tabs`);
}

/** Waits until the focused element's id or text is `expected` (focus moves in an effect after the render). */
async function focusOn(page: Page, expected: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  let seen = '';
  while (Date.now() < deadline) {
    seen = await page.evaluate<string>("(document.activeElement?.id || document.activeElement?.textContent || '').trim()");
    if (seen === expected) return;
    await page.waitForTimeout(50);
  }
  expect(seen).toBe(expected);
}

function nextMessage(socket: TestSocket, body: string, ms = 10_000): Promise<MessageView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message "${body}" within ${ms} ms`)), ms);
    const on = (m: MessageView) => {
      if (m.body !== body) return;
      clearTimeout(timer);
      socket.off('message.created', on);
      resolve(m);
    };
    socket.on('message.created', on);
  });
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'client', 'portal.html'))) {
    const built = spawnSync('npm', ['run', '-s', 'build:client'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build:client failed');
  }
  const port = await freePort();
  t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  closeAllSockets();
  await t?.close();
  await t?.dropDb();
});

describe('the center’s page and anonymous topic chats in Chromium', () => {
  it('should show the only center’s page at / and list both centers when there are two', async () => {
    first = await seedCenter(t, { slug: 'stadtmitte', counselors: 2, clients: 0 });
    const page = await newPage();
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Center stadtmitte' }).waitFor();
    await page.getByRole('heading', { name: 'Live-Chat' }).waitFor();
    await expect(page.getByRole('link', { name: 'Konto anlegen' }).getAttribute('href')).resolves.toBe('/c/stadtmitte/register');
    await expect(page.getByRole('link', { name: 'Anmelden', exact: true }).first().getAttribute('href')).resolves.toBe('/c/stadtmitte/login');
    await page.getByText('Für die Registrierung brauchen Sie keine E-Mail-Adresse').waitFor();
    await page.locator('[data-live="closed"]').waitFor();
    await expect(page.title()).resolves.toBe('Center stadtmitte');
    await expectAccessible(page);
    await shot(page, 'p-center-01-home-one-center');

    await seedCenter(t, { slug: 'nord', counselors: 1, clients: 0 });
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Beratungsstellen' }).waitFor();
    await expect(page.locator('ul.centers a').allTextContents()).resolves.toEqual(['Center nord', 'Center stadtmitte']);
    await expectAccessible(page);
    await shot(page, 'p-center-02-home-list');
    await page.getByRole('link', { name: 'Center stadtmitte' }).click();
    await page.getByRole('heading', { level: 1, name: 'Center stadtmitte' }).waitFor();
    expect(page.url()).toBe(`${t.url}/c/stadtmitte`);

    // English complete: the same page in English
    const en = await newPage({ width: 1100, height: 900 }, 'en-GB');
    await en.goto(`${t.url}/c/stadtmitte`);
    await en.getByRole('heading', { name: 'Live chat' }).waitFor();
    await en.getByText('You need no email address to register').waitFor();
    await en.locator('[data-live="closed"]', { hasText: 'The live chat is closed right now.' }).waitFor();
    await expectAccessible(en);
    await shot(en, 'p-center-03-center-en');
  });

  it('should say open, full and closed honestly and change without a reload', async () => {
    await t
      .http()
      .patch(`/api/centers/${first.slug}/settings`)
      .set('Authorization', `Bearer ${first.admin.token}`)
      .send({ liveWaitingLimit: 1, openingHours: [] })
      .expect(200);
    const page = await newPage();
    await page.goto(`${t.url}/c/${first.slug}`);
    await page.locator('[data-live="closed"]', { hasText: 'Der Live-Chat ist gerade geschlossen.' }).waitFor();
    await expect(page.getByRole('link', { name: 'Live-Chat beginnen' }).count()).resolves.toBe(0);

    // a counselor opens a shift: the next poll (every 20 s) says so, without a reload
    const counselor = await connect(t.url, first.counselors[0]!.token);
    ok(await call(counselor, 'shift.open', { maxChats: 1 }));
    await page.locator('[data-live="open"]', { hasText: 'Der Live-Chat ist jetzt geöffnet.' }).waitFor({ timeout: 30_000 });
    const start = page.getByRole('link', { name: 'Live-Chat beginnen' });
    await expect(start.getAttribute('href')).resolves.toBe(`/widget.html?center=${first.slug}&lang=de`);
    await expectAccessible(page);
    await shot(page, 'p-center-04-live-open');
    // 200 % zoom of a 1280 × 800 screen: 640 × 400 CSS pixels, one column, nothing cut off
    await page.setViewportSize({ width: 640, height: 400 });
    await expect(page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(true);
    await shot(page, 'p-center-04b-live-open-200-percent');
    await page.setViewportSize({ width: 1100, height: 900 });

    // the one seat taken and one person waiting at a waiting limit of 1: full (read when the tab becomes visible again)
    const seated = await visitor(t, first.slug);
    ok(await call(await connect(t.url, seated.token), 'queue.join', {}));
    const waiting = await visitor(t, first.slug);
    ok(await call(await connect(t.url, waiting.token), 'queue.join', {}));
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await page.locator('[data-live="full"]', { hasText: 'alle Plätze belegt' }).waitFor();
    await expect(start.count()).resolves.toBe(0);
    await expectAccessible(page);
    await shot(page, 'p-center-05-live-full');

    ok(await call(counselor, 'shift.close', {}));
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await page.locator('[data-live="closed"]').waitFor();
    await expect(liveState(page)).resolves.toBe('closed');

    // the live chat button opens the widget app on a page of its own (standalone, no iframe), in a new tab
    ok(await call(counselor, 'shift.open', { maxChats: 3 }));
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await expect(start.getAttribute('rel')).resolves.toBe('noopener');
    const [widget] = await Promise.all([page.waitForEvent('popup'), start.click()]);
    foreign.push(watchForeignRequests(widget, t.url));
    await widget.getByRole('button', { name: 'Einverstanden, weiter' }).waitFor();
    expect(widget.url()).toBe(`${t.url}/widget.html?center=${first.slug}&lang=de`);
    await shot(widget, 'p-center-05b-widget-standalone');
    ok(await call(counselor, 'shift.close', {}));
  });

  it('should let two anonymous visitors join a topic chat with nicknames and chat with each other and the counselor', async () => {
    const now = Date.now();
    const endsAt = new Date(now + HOUR).toISOString();
    const topicId = await schedule(first, {
      title: 'Prüfungsangst',
      description: 'Austausch unter Gleichen, begleitet von Counselor 1.',
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt,
      capacity: 2,
    });
    const laterId = await schedule(first, {
      title: 'Einsamkeit im Winter',
      description: 'Wie kommen wir durch die dunkle Zeit?',
      startsAt: new Date(now + 26 * HOUR).toISOString(),
      endsAt: new Date(now + 27.5 * HOUR).toISOString(),
      capacity: 10,
    });

    // the first visitor finds the running chat on the center's page and joins it
    const a = await newPage();
    await a.goto(`${t.url}/c/${first.slug}`);
    const running = a.locator(`li[data-topic="${topicId}"][data-status="open"]`);
    await running.waitFor();
    await a.locator(`li[data-topic="${laterId}"][data-status="scheduled"]`, { hasText: 'Einsamkeit im Winter' }).waitFor();
    await expectAccessible(a);
    await shot(a, 'p-center-06-topics');

    // the widget (closed live chat) lists the running chat with a join link into the portal, in a new tab, and the coming one with its time
    const w = await newPage({ width: 400, height: 900 });
    await w.goto(`${t.url}/widget.html?center=${first.slug}`);
    const inWidget = w.locator(`.topics.running li[data-topic="${topicId}"]`);
    await inWidget.waitFor();
    const widgetJoin = inWidget.getByRole('link', { name: 'Am Themenchat „Prüfungsangst“ teilnehmen (öffnet einen neuen Tab)' });
    await expect(widgetJoin.getAttribute('href')).resolves.toBe(`/c/${first.slug}/topic/${topicId}`);
    await expect(widgetJoin.getAttribute('target')).resolves.toBe('_blank');
    await expect(widgetJoin.getAttribute('rel')).resolves.toBe('noopener');
    await w.locator(`.topics:not(.running) li[data-topic="${laterId}"]`, { hasText: 'Einsamkeit im Winter' }).waitFor();
    await expect(w.locator(`.topics:not(.running) li[data-topic="${topicId}"]`).count()).resolves.toBe(0);
    await expectAccessible(w);
    await shot(w, 'p-center-06b-widget-topics');

    await running.getByRole('link', { name: 'Am Themenchat „Prüfungsangst“ teilnehmen' }).click();
    await a.getByRole('heading', { level: 1, name: 'Prüfungsangst' }).waitFor();
    await a.getByLabel('Ihr Spitzname in diesem Chat').waitFor();
    await expectAccessible(a);
    await shot(a, 'p-center-07-topic-join');
    // invisible characters are refused before anything is sent
    await a.getByLabel('Ihr Spitzname in diesem Chat').fill('Mi\u200Bla');
    await a.getByRole('button', { name: 'Dem Themenchat beitreten' }).click();
    await a.locator('#nickname-error[data-refusal="invisible"]', { hasText: 'unsichtbare Zeichen' }).waitFor();
    await expect(a.getByLabel('Ihr Spitzname in diesem Chat').getAttribute('aria-invalid')).resolves.toBe('true');
    await a.getByLabel('Ihr Spitzname in diesem Chat').fill('Mila');
    await a.getByLabel('Ihr Spitzname in diesem Chat').press('Enter');
    await a.getByRole('heading', { name: 'Sie schreiben als „Mila“.' }).waitFor();
    await a.getByRole('log', { name: 'Nachrichten im Themenchat' }).waitFor();

    // the second one, in another browser: a taken look-alike and a staff look-alike are refused with sentences
    // (keyboard only: from the center's page to the join link, Enter, to the field)
    const b = await newPage();
    await b.goto(`${t.url}/c/${first.slug}`);
    await b.locator(`li[data-topic="${topicId}"]`).waitFor();
    await tabTo(b, `el.getAttribute('aria-label') === 'Am Themenchat „Prüfungsangst“ teilnehmen'`);
    await b.keyboard.press('Enter');
    await b.getByRole('heading', { level: 1, name: 'Prüfungsangst' }).waitFor();
    await tabTo(b, "el.id === 'nickname'");
    const nick = b.getByLabel('Ihr Spitzname in diesem Chat');
    await b.keyboard.type('MIL\u0410');
    await b.keyboard.press('Enter');
    await b.locator('#nickname-error[data-refusal="taken"]', { hasText: 'benutzt in diesem Chat schon jemand' }).waitFor();
    await expect(nick.getAttribute('aria-describedby')).resolves.toContain('nickname-error');
    await focusOn(b, 'nickname');
    await expectAccessible(b);
    await shot(b, 'p-center-08-nickname-taken');
    await nick.fill('Counse1or 1');
    await b.getByRole('button', { name: 'Dem Themenchat beitreten' }).click();
    await b.locator('#nickname-error[data-refusal="staff"]', { hasText: 'Beratungsteam' }).waitFor();
    await expectAccessible(b);
    await shot(b, 'p-center-09-nickname-staff');
    await nick.fill('Noor');
    await b.getByRole('button', { name: 'Dem Themenchat beitreten' }).click();
    await b.getByRole('heading', { name: 'Sie schreiben als „Noor“.' }).waitFor();

    // the capacity is 2: a third person is told that it is full
    const c = await newPage({ width: 320, height: 640 });
    await c.goto(`${t.url}/c/${first.slug}/topic/${topicId}`);
    await c.getByLabel('Ihr Spitzname in diesem Chat').fill('Jonas');
    await c.getByRole('button', { name: 'Dem Themenchat beitreten' }).click();
    await c.locator('[role="alert"][data-refusal="full"]', { hasText: 'Dieser Themenchat ist voll' }).waitFor();
    await expectAccessible(c);
    await shot(c, 'p-center-10-topic-full-320px');
    await expect(c.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).resolves.toBe(true);

    // the host joins from a socket; everyone reads everyone, each message once
    const host = await connect(t.url, first.counselors[0]!.token);
    const { roomId } = ok(await call(host, 'topic.join', { topicChatId: topicId, nickname: 'ignored for staff' }));
    const hostSees = nextMessage(host, 'Hallo zusammen, ich bin neu hier.');
    await a.getByLabel('Ihre Nachricht an alle im Themenchat').fill('Hallo zusammen, ich bin neu hier.');
    await a.getByRole('button', { name: 'Senden' }).click();
    await expect(hostSees).resolves.toMatchObject({ roomId, sender: { displayName: 'Mila', role: 'visitor' } });
    await waitForMessage(b, 'Hallo zusammen, ich bin neu hier.');
    ok(await call(host, 'message.send', { roomId, clientMsgId: 'host-1', body: 'Willkommen, Mila und Noor!' }));
    await waitForMessage(a, 'Willkommen, Mila und Noor!');
    await waitForMessage(b, 'Willkommen, Mila und Noor!');
    await tabTo(b, "el.id === 'topic-message'");
    await b.keyboard.type('Hi Mila, mir geht es ähnlich.');
    await b.keyboard.press('Enter');
    await waitForMessage(a, 'Hi Mila, mir geht es ähnlich.');
    for (const [page, text] of [
      [a, 'Hallo zusammen'],
      [a, 'Willkommen, Mila'],
      [a, 'Hi Mila'],
      [b, 'Hallo zusammen'],
      [b, 'Willkommen, Mila'],
      [b, 'Hi Mila'],
    ] as const) {
      await expect(countOf(page, text)).resolves.toBe(1);
    }
    await expect(b.locator('.msg.own .text').allTextContents()).resolves.toEqual(['Hi Mila, mir geht es ähnlich.']);
    await expect(b.locator('.msg.peer .who').allTextContents()).resolves.toEqual(['Mila', 'Counselor 1']);
    await expectAccessible(a);
    await shot(a, 'p-center-11-topic-chat');

    // a reload rejoins (the visitor token is in this tab's sessionStorage) and shows each message once
    await a.reload();
    await a.getByRole('heading', { name: 'Sie schreiben als „Mila“.' }).waitFor();
    await waitForMessage(a, 'Hi Mila, mir geht es ähnlich.');
    for (const text of ['Hallo zusammen', 'Willkommen, Mila', 'Hi Mila']) await expect(countOf(a, text)).resolves.toBe(1);
    const storage = await a.evaluate<string>('JSON.stringify(Object.keys(sessionStorage))');
    expect(JSON.parse(storage)).toEqual(expect.arrayContaining([`lotse.visitor.${first.slug}`, `lotse.topic.${first.slug}.${topicId}`]));
    await expect(a.evaluate<number>('localStorage.length + document.cookie.length')).resolves.toBe(0);

    // at 320 px the chat stays usable
    await a.setViewportSize({ width: 320, height: 640 });
    await shot(a, 'p-center-12-topic-chat-320px');
    await a.setViewportSize({ width: 1100, height: 900 });

    // leaving asks first, then says so
    await b.getByRole('button', { name: 'Themenchat verlassen' }).click();
    await focusOn(b, 'Weiter schreiben');
    await b.getByRole('button', { name: 'Ja, verlassen' }).click();
    await b.getByText('Sie haben den Themenchat verlassen.').waitFor();
    await expectAccessible(b);
    await shot(b, 'p-center-13-topic-left');
    // joining again from this tab: the same seat (the chat is full) under the same nickname, the history there
    await b.getByRole('button', { name: 'Wieder teilnehmen' }).click();
    await expect(b.getByLabel('Ihr Spitzname in diesem Chat').inputValue()).resolves.toBe('Noor');
    await b.getByRole('button', { name: 'Dem Themenchat beitreten' }).click();
    await b.getByRole('heading', { name: 'Sie schreiben als „Noor“.' }).waitFor();
    await waitForMessage(b, 'Hi Mila, mir geht es ähnlich.');

    // the chat's end (the sweep after endsAt) is shown where the composer was
    await t.app.get(TopicChatsService).sweep(new Date(new Date(endsAt).getTime() + 1000));
    await a.locator('[data-notice="closed"][data-reason="ended"]', { hasText: 'Der Themenchat ist zu Ende.' }).waitFor();
    await expect(a.getByLabel('Ihre Nachricht an alle im Themenchat').count()).resolves.toBe(0);
    await expectAccessible(a);
    await shot(a, 'p-center-14-topic-ended');

    // a chat that has not begun: a sentence with its time instead of the form
    const d = await newPage();
    await d.goto(`${t.url}/c/${first.slug}/topic/${laterId}`);
    await d.getByText('Dieser Themenchat beginnt erst').waitFor();
    await expect(d.getByLabel('Ihr Spitzname in diesem Chat').count()).resolves.toBe(0);
    await expectAccessible(d);
    await shot(d, 'p-center-15-topic-not-yet');
    // the host moves the start to now: the waiting page offers the form without a reload (read again when the tab is visible)
    await t
      .http()
      .patch(`/api/centers/${first.slug}/topic-chats/${laterId}`)
      .set('Authorization', `Bearer ${first.counselors[0]!.token}`)
      .send({ startsAt: new Date(Date.now() - 1000).toISOString() })
      .expect(200);
    await d.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await d.getByLabel('Ihr Spitzname in diesem Chat').waitFor();
  });

  it('should show a friendly 404 page with crisis lines for an unknown center and an unknown address', async () => {
    for (const path of ['/c/gibt-es-nicht', '/c/gibt-es-nicht/login', '/irgendwo/anders']) {
      const res = await t.http().get(path).set('Accept', 'text/html').expect(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
    }
    const page = await newPage();
    const res = await page.goto(`${t.url}/c/gibt-es-nicht`);
    expect(res?.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Diese Seite gibt es nicht' }).waitFor();
    await page.getByRole('region', { name: 'Im Notfall' }).getByRole('link', { name: '0800 111 0 111' }).waitFor();
    await expectAccessible(page);
    await shot(page, 'p-center-16-unknown-center');
    const other = await page.goto(`${t.url}/irgendwo/anders`);
    expect(other?.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Diese Seite gibt es nicht' }).waitFor();
    // the API stays JSON
    const api = await t.http().get('/api/gibt-es-nicht').expect(404);
    expect(api.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found.' } });
  });

  it('should send a strict CSP and no inline script on every portal page, and make no foreign requests', async () => {
    for (const path of [
      '/',
      `/c/${first.slug}`,
      `/c/${first.slug}/login`,
      '/c/x',
      '/c/x/login',
      `/c/${first.slug}/topic/00000000-0000-4000-8000-000000000000`,
    ]) {
      const res = await t.http().get(path);
      const csp = String(res.headers['content-security-policy']);
      expect({ path, csp }).toEqual({ path, csp: expect.stringContaining("script-src 'self'") as string });
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      const html = res.text;
      expect(html).toContain('<script type="module"');
      // every script has a src (nothing inline), and no element carries a style attribute
      expect(html.match(/<script\b[^>]*>/g)?.every((tag) => /\bsrc=/.test(tag))).toBe(true);
      expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
      expect(html).not.toMatch(/\sstyle=/);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
