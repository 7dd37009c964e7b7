import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Browser, BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import type { Ack, LiveSyncResult, QueueJoinResult } from '../../src/realtime/contract';
import { closeAllSockets, connect, freePort, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { launchChromium } from '../harness/browser';
import { expectSeatsMatchChats } from '../harness/live-invariant';
import { LiveQueueService } from '../../src/modules/live-queue/live-queue.service';
import { LIVE_QUEUE_STORE } from '../../src/modules/live-queue/queue-store';

/**
 * Issue 8 in Chromium: the live chat when things go wrong, with two or more browsers at once —
 * a counselor's tab that closes, a quick exit, a counselor's re-login, the first message on an
 * immediate assignment, a socket that cannot connect, and a block against "new chat".
 * Screenshots of every new state go to test-artifacts/screenshots (prefix `f`).
 */
const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const QUICK_EXIT_DEFAULT = 'https://www.wikipedia.org/';

let t: TestApp & { dropDb: () => Promise<void> };
let center: SeededCenter;
let browser: Browser;
const contexts: BrowserContext[] = [];
const sockets: TestSocket[] = [];

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

async function newPage(viewport = { width: 1100, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'de-DE' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  // The default neutral page of quick exit is another site: answered here, never from the network.
  await page.route(QUICK_EXIT_DEFAULT, (route) => route.fulfill({ contentType: 'text/html', body: '<h1>Wikipedia</h1>' }));
  return page;
}

async function settings(body: object): Promise<void> {
  await t.http().patch(`/api/centers/${center.slug}/settings`).set('Authorization', `Bearer ${center.admin.token}`).send(body).expect(200);
}

async function consoleLogin(page: Page, n: number): Promise<void> {
  const c = center.counselors[n]!;
  await page.goto(`${t.url}/console.html?center=${center.slug}`);
  await page.getByLabel('E-Mail').fill(c.login);
  await page.getByLabel('Passwort').fill(c.password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByText('verbunden', { exact: true }).waitFor();
}

async function openShift(con: Page, maxChats: number): Promise<void> {
  await con.getByLabel('max. Chats').fill(String(maxChats));
  await con.getByRole('button', { name: 'Schicht beginnen' }).click();
  await con.getByText('Schicht offen').waitFor();
}

/** The widget page on its own (as the loader's frame shows it); returns the page itself as the frame. */
async function openWidget(page: Page): Promise<Page> {
  await page.goto(`${t.url}/widget.html?center=${center.slug}&lang=de`);
  return page;
}

/** Consent, optional first message, "Chat beginnen". */
async function startChat(w: Page | FrameLocator, first = ''): Promise<void> {
  await w.getByRole('button', { name: 'Einverstanden, weiter' }).click();
  if (first) await w.getByLabel('Worum geht es? (freiwillig)').fill(first);
  await w.getByRole('button', { name: 'Chat beginnen' }).click();
}

/** Sends a message from the widget and waits until the server acked it (so the socket is up). */
async function widgetSend(w: Page | FrameLocator, text: string): Promise<void> {
  await w.getByLabel('Ihre Nachricht').fill(text);
  await w.getByLabel('Ihre Nachricht').press('Enter');
  await w.locator('.msg[data-seq]', { hasText: text }).waitFor();
}

async function emit<T>(socket: TestSocket, event: string, payload: object): Promise<Ack<T>> {
  return (socket.timeout(5000).emitWithAck as (e: string, p: object) => Promise<Ack<T>>)(event, payload);
}

/** A visitor on a plain socket, joined to the queue; returns the socket and the join answer. */
async function socketVisitor(message?: string): Promise<{ socket: TestSocket; join: Ack<QueueJoinResult> }> {
  const socket = await connect(t.url, (await visitor(t, center.slug)).token, (s) => s.on('queue.assigned', (p) => assignedRooms.set(s, p.roomId)));
  sockets.push(socket);
  const join = await emit<QueueJoinResult>(socket, 'queue.join', message === undefined ? {} : { message });
  return { socket, join };
}

async function counselorSocket(n: number, maxChats: number): Promise<TestSocket> {
  const socket = await connect(t.url, center.counselors[n]!.token);
  sockets.push(socket);
  await expect(emit(socket, 'shift.open', { maxChats })).resolves.toMatchObject({ ok: true });
  return socket;
}

/** The room a visitor socket was assigned to (from the server's answer to a second join). */
const assignedRooms = new WeakMap<TestSocket, string>();
async function assignedRoom(socket: TestSocket): Promise<string | undefined> {
  return assignedRooms.get(socket);
}

async function counselorSocketFor(n: number): Promise<TestSocket> {
  const socket = await connect(t.url, center.counselors[n]!.token);
  sockets.push(socket);
  return socket;
}

const hrefs = async (links: Locator) => Promise.all((await links.all()).map((a) => a.getAttribute('href')));

/** True when the element lies fully inside the viewport (visible without scrolling). */
async function inViewport(page: Page, el: Locator): Promise<boolean> {
  const box = await el.boundingBox();
  const vp = page.viewportSize()!;
  return !!box && box.y >= 0 && box.x >= 0 && box.y + box.height <= vp.height + 0.5 && box.x + box.width <= vp.width + 0.5;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(join(ROOT, 'dist', 'client', 'embed', 'widget.html'))) {
    const built = spawnSync('npm', ['run', '-s', 'build:client'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build:client failed');
  }
  const port = await freePort();
  t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  center = await seedCenter(t, { slug: 'demo', counselors: 2, clients: 0 });
  browser = await launchChromium();
});

afterEach(async () => {
  // After every scenario the seats in the queue store and the open live chats in the database agree.
  await expectSeatsMatchChats(t, center.centerId);
  // Every scenario starts from an empty live chat: close what the last one left.
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  for (const s of sockets.splice(0)) s.disconnect();
  for (const c of center.counselors) {
    const s = await connect(t.url, c.token);
    // the shift first: ending a chat on shift would free a seat, and a visitor still waiting would
    // take it (a chat the list read before does not hold)
    await emit(s, 'shift.close', {});
    const sync = await emit<LiveSyncResult>(s, 'live.sync', {});
    if (sync.ok) for (const chat of sync.data.chats) await emit(s, 'live.end', { roomId: chat.roomId });
    s.disconnect();
  }
  await expectSeatsMatchChats(t, center.centerId);
  // every browser here comes from 127.0.0.1: a block of one scenario must not spill into the next
  await t.app.get(DataSource).query('DELETE FROM visitor_blocks');
});

afterAll(async () => {
  await browser?.close();
  closeAllSockets();
  await t?.close();
  await t?.dropDb();
});

describe('live chat failure paths in Chromium (issue 8)', () => {
  it('should put the first message first on both screens when a counselor is free at once', async () => {
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 2);
    const w = await openWidget(await newPage({ width: 400, height: 700 }));
    // crisis lines one tap away before the chat begins, too (consent and first message)
    await w.locator('.crisis-line a[href="tel:08001110111"]').waitFor();
    await w.getByRole('button', { name: 'Einverstanden, weiter' }).click();
    await w.locator('.crisis-line a[href="tel:08001110111"]').waitFor();
    await w.getByLabel('Worum geht es? (freiwillig)').fill('Ich weiß nicht mehr weiter');
    await w.getByRole('button', { name: 'Chat beginnen' }).click();
    await w.getByRole('heading', { name: `Sie chatten mit ${center.counselors[0]!.displayName}.` }).waitFor();
    await w.locator('.msg[data-seq="1"]', { hasText: 'Ich weiß nicht mehr weiter' }).waitFor();
    await con.locator('.msg[data-seq="1"]', { hasText: 'Ich weiß nicht mehr weiter' }).waitFor();
    // the tab names the chat with its label, start time and waiting time
    await expect(con.getByRole('tab').first().textContent()).resolves.toMatch(/seit \d\d:\d\d · wartete/);
    await shot(w, 'f01-widget-first-message-immediate');
    await shot(con, 'f02-console-first-message-immediate');
  });

  it('should explain a live connection that cannot be made within 10 s and show the crisis lines', async () => {
    await counselorSocket(1, 2);
    const page = await newPage({ width: 400, height: 700 });
    // Every socket.io connection of this page is refused.
    await page.routeWebSocket(/\/socket\.io\//, (ws) => ws.close({ code: 1011, reason: 'blocked by the test' }));
    const w = await openWidget(page);
    const started = Date.now();
    await startChat(w, 'Hallo?');
    await w.getByRole('alert').getByText('Die Verbindung zum Chat kann gerade nicht hergestellt werden').waitFor({ timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    const links = w.getByRole('alert').locator('a[href^="tel:"]');
    await expect(hrefs(links)).resolves.toEqual(['tel:112', 'tel:08001110111', 'tel:08001110222']);
    await w.getByRole('button', { name: 'Jetzt erneut verbinden' }).waitFor();
    await shot(w, 'f03-widget-connection-failed');
  });

  it('should tell the counselor when the visitor leaves by quick exit (Esc twice), free the seat and assign the next visitor', async () => {
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 1);
    const page = await newPage({ width: 1100, height: 800 });
    await page.goto(`${t.url}/widget-demo.html?center=${center.slug}`);
    await page.locator('#lotse-widget[data-status="open"]').waitFor({ state: 'attached' });
    await page.locator('.launcher').click();
    const w = page.frameLocator('iframe[title="Anonymer Beratungschat"]');
    await startChat(w);
    await widgetSend(w, 'Ich muss gleich weg, wenn er kommt');
    await con.getByText('Ich muss gleich weg, wenn er kommt').waitFor();
    // quick exit is the first thing in the panel's tab order
    const chatFrame = page.frames().find((f) => f.url().includes('/widget.html'))!;
    // (document order, as nothing in the widget has a positive tabindex)
    const firstFocusable = `(() => {
      const all = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')];
      if (all.some((e) => e.tabIndex > 0)) return 'positive tabindex';
      return all.find((e) => e.tabIndex >= 0 && !e.disabled).textContent;
    })()`;
    await expect(chatFrame.evaluate<string>(firstFocusable)).resolves.toBe('Schnell verlassen');

    const next = await socketVisitor('Ich warte');
    expect(next.join).toEqual({ ok: true, data: { position: 1 } });
    const assigned = nextEvent(next.socket, 'queue.assigned', 10_000);
    await w.locator('body').press('Escape');
    await w.locator('body').press('Escape');
    await page.waitForURL(QUICK_EXIT_DEFAULT);
    await page.getByRole('heading', { name: 'Wikipedia' }).waitFor();
    // announced in the live region, and written in the chat's tab
    const left = con.locator('[data-live-region]').getByText('Die Person hat den Chat verlassen.');
    await left.waitFor({ state: 'attached', timeout: 10_000 });
    await expect(assigned).resolves.toMatchObject({ roomId: expect.any(String) as string });
    await con.getByRole('tab').nth(1).waitFor();
    await con.getByRole('tab').first().click();
    await con.locator('[data-closed="left"]').getByText('Die Person hat den Chat verlassen.').waitFor();
    await shot(con, 'f04-console-visitor-left');
  });

  it('should restore the running chats with their history and unread marks when the counselor logs in again', async () => {
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 3);
    const a = await socketVisitor('Erste Person');
    const b = await socketVisitor('Zweite Person');
    expect([a.join, b.join]).toEqual([
      { ok: true, data: { position: 0 } },
      { ok: true, data: { position: 0 } },
    ]);
    await con.getByRole('tab').nth(1).waitFor();
    const labels = await Promise.all((await con.getByRole('tab').all()).map((x) => x.getAttribute('data-label')));
    expect(new Set(labels).size).toBe(2);
    await con.getByText('Erste Person').waitFor();

    // The console's tab closes; one visitor writes meanwhile.
    await con.context().close();
    const room = (await assignedRoom(b.socket))!;
    expect(room).toEqual(expect.any(String));
    await expect(emit(b.socket, 'message.send', { roomId: room, clientMsgId: 'away-1', body: 'Sind Sie noch da?' })).resolves.toMatchObject({ ok: true });

    // A fresh login (new browser, nothing stored) finds the shift, both chats, the history and the unread mark.
    const again = await newPage({ width: 1200, height: 800 });
    await consoleLogin(again, 0);
    await again.getByText('Schicht offen').waitFor();
    await expect(again.getByLabel('max. Chats').inputValue()).resolves.toBe('3');
    await again.getByRole('tab').nth(1).waitFor();
    const restored = await Promise.all((await again.getByRole('tab').all()).map((x) => x.getAttribute('data-label')));
    expect(restored.sort()).toEqual([...labels].sort());
    await again.getByText('2 laufende Chats wurden wiederhergestellt.').first().waitFor();
    const tabB = again.locator(`[id="tab-${room}"]`);
    await tabB.locator('.badge[aria-label$="ungelesen"]').waitFor();
    await expect(again.title()).resolves.toMatch(/^\(\d+\) Lotse – Live-Konsole$/);
    await tabB.click();
    await again.getByText('Sind Sie noch da?').waitFor();
    // the visitor's connection drops: a quiet note in that chat, and back when they are
    b.socket.disconnect();
    await again.locator('[data-notice="peer-away"]').getByText('Die Person ist gerade nicht verbunden.').waitFor();
    await again.getByText('Zweite Person').waitFor();
    await shot(again, 'f05-console-restored');
  });

  it('should tell the visitor at once when the counselor’s tab closes, keep what they write and show it to the counselor on return', async () => {
    await settings({ shiftGraceSeconds: 30 });
    // The second counselor is on shift but full, so nobody can take over yet.
    const other = await newPage({ width: 1200, height: 800 });
    await consoleLogin(other, 1);
    await openShift(other, 1);
    const seated = await socketVisitor('Ich bin bei der zweiten Beraterin');
    await other.getByText('Ich bin bei der zweiten Beraterin').waitFor();
    expect(seated.join).toEqual({ ok: true, data: { position: 0 } });
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 2);

    const page = await newPage({ width: 400, height: 700 });
    const w = await openWidget(page);
    await startChat(w);
    await w.getByRole('heading', { name: `Sie chatten mit ${center.counselors[0]!.displayName}.` }).waitFor();
    await widgetSend(w, 'Hallo, ich bin es');
    await con.getByText('Hallo, ich bin es').waitFor();
    await w.locator('.crisis-line a[href="tel:08001110111"]').waitFor();

    const closedAt = Date.now();
    await con.context().close();
    const notice = w.getByRole('alert').filter({ hasText: 'Die Verbindung zu Ihrer Beraterin' });
    await notice.waitFor({ timeout: 10_000 });
    expect(Date.now() - closedAt).toBeLessThan(10_000);
    await notice.locator('a[href="tel:08001110111"]').waitFor();
    await widgetSend(w, 'Ich habe Tabletten gesammelt.');
    await shot(page, 'f06-widget-counselor-away');

    // Nobody new goes to the absent counselor: the next visitor waits.
    const next = await socketVisitor('Ist jemand da?');
    expect(next.join).toEqual({ ok: true, data: { position: 1 } });
    await expect(emit(next.socket, 'queue.leave', {})).resolves.toMatchObject({ ok: true });

    // The counselor comes back within the grace and reads what was written meanwhile.
    const back = await newPage({ width: 1200, height: 800 });
    await consoleLogin(back, 0);
    await back.getByText('Ich habe Tabletten gesammelt.').waitFor();
    await notice.waitFor({ state: 'detached' });
    await shot(back, 'f07-console-back-reads-message');
  });

  it('should hand the chat over with its history when the counselor stays gone beyond the grace and a colleague is free', async () => {
    // (a settings change reaches the live chat within a second; the two logins below take longer)
    await settings({ shiftGraceSeconds: 5 });
    const other = await newPage({ width: 1200, height: 800 });
    await consoleLogin(other, 1);
    await openShift(other, 1);
    const seated = await socketVisitor('Ich bin bei der zweiten Beraterin');
    await other.getByText('Ich bin bei der zweiten Beraterin').waitFor();
    expect(seated.join).toEqual({ ok: true, data: { position: 0 } });
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 2);
    const page = await newPage({ width: 400, height: 700 });
    const w = await openWidget(page);
    await startChat(w);
    await w.getByRole('heading', { name: `Sie chatten mit ${center.counselors[0]!.displayName}.` }).waitFor();
    await widgetSend(w, 'Hallo, ich bin es');
    await con.getByText('Hallo, ich bin es').waitFor();
    // the colleague's seat becomes free; then the first counselor's tab closes for good
    await expect(emit(await counselorSocketFor(1), 'live.end', { roomId: (await assignedRoom(seated.socket))! })).resolves.toMatchObject({ ok: true });
    await con.context().close();
    const notice = w.getByRole('alert').filter({ hasText: 'Die Verbindung zu Ihrer Beraterin' });
    await notice.waitFor({ timeout: 10_000 });
    await widgetSend(w, 'Ich habe Tabletten gesammelt.');
    await w
      .getByText(`Ein anderes Teammitglied hat Ihren Chat übernommen: ${center.counselors[1]!.displayName}.`)
      .waitFor({ timeout: 20_000 })
      .catch(async (err: Error) => {
        await shot(page, 'f08-widget-handed-over-FAILED');
        await shot(other, 'f09-console-handed-over-FAILED');
        throw err;
      });
    await w.getByRole('heading', { name: `Sie chatten mit ${center.counselors[1]!.displayName}.` }).waitFor();
    await other.getByText('Ich habe Tabletten gesammelt.').waitFor();
    await other.getByText('Hallo, ich bin es').waitFor();
    await shot(page, 'f08-widget-handed-over');
    await shot(other, 'f09-console-handed-over-chat');
    await widgetSend(w, 'Danke, dass jemand da ist.');
    await other.getByText('Danke, dass jemand da ist.').waitFor();
    // the first counselor, back after the grace, no longer holds the chat: the shift is over, no chat shown
    const late = await newPage({ width: 1200, height: 800 });
    await consoleLogin(late, 0);
    await late.getByText('Keine Schicht').waitFor();
    await late.getByText('Keine laufenden Chats.').waitFor();
    await settings({ shiftGraceSeconds: 60 });
  });

  it('should end the chat honestly, with the crisis lines and the other ways, when the counselor stays gone and the center chose "end"', async () => {
    await settings({ shiftGraceSeconds: 5, liveHandover: 'end' });
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 2);
    const page = await newPage({ width: 400, height: 700 });
    const w = await openWidget(page);
    await startChat(w);
    await widgetSend(w, 'Hallo?');
    await con.getByText('Hallo?').waitFor();
    await con.context().close();
    await w.getByRole('alert').filter({ hasText: 'Die Verbindung zu Ihrer Beraterin' }).waitFor({ timeout: 10_000 });
    await w.getByRole('heading', { name: 'Der Chat ist beendet' }).waitFor({ timeout: 20_000 });
    await w.getByText('gerade konnte niemand anderes Ihren Chat übernehmen').waitFor();
    await w.getByRole('note').locator('a[href="tel:08001110222"]').waitFor();
    await w.getByRole('heading', { name: 'So erreichen Sie uns außerdem' }).waitFor();
    await shot(page, 'f15-widget-counselor-gone');
    await settings({ shiftGraceSeconds: 60, liveHandover: 'handover' });
  });

  it('should keep the input and the end button on screen at 320 px and at 200 % zoom, with 44 px targets', async () => {
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 2);
    // 320 px phone, the widget page itself
    const phone = await newPage({ width: 320, height: 568 });
    const w = await openWidget(phone);
    await startChat(w);
    for (let i = 1; i <= 6; i++) await widgetSend(w, `Nachricht ${i}: ${'ziemlich lang '.repeat(4)}`);
    await expect(inViewport(phone, w.getByLabel('Ihre Nachricht'))).resolves.toBe(true);
    await expect(inViewport(phone, w.getByRole('button', { name: 'Chat beenden' }))).resolves.toBe(true);
    await expect(inViewport(phone, w.getByRole('button', { name: 'Schnell verlassen' }))).resolves.toBe(true);
    for (const b of await w.getByRole('button').all()) {
      const box = (await b.boundingBox())!;
      expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
    }
    await shot(phone, 'f12-widget-320px-chat');
    // ending asks first, inline (no window.confirm, which a cross-origin frame may not show)
    await w.getByRole('button', { name: 'Chat beenden' }).click();
    await w.getByRole('group', { name: 'Chat wirklich beenden?' }).waitFor();
    await expect(inViewport(phone, w.getByRole('button', { name: 'Ja, beenden' }))).resolves.toBe(true);
    await shot(phone, 'f12b-widget-320px-end-confirm');
    await w.getByRole('button', { name: 'Ja, beenden' }).click();
    await w.getByText('Sie haben den Chat beendet.').waitFor();
    await con.locator('[data-closed="ended_by_visitor"]').getByText('Die Person hat den Chat beendet.').waitFor();

    // 200 % zoom of a 1280 × 800 screen = a 640 × 400 CSS-pixel viewport: the panel takes it all.
    const zoom = await newPage({ width: 640, height: 400 });
    await zoom.goto(`${t.url}/widget-demo.html?center=${center.slug}`);
    await zoom.locator('#lotse-widget[data-status="open"]').waitFor({ state: 'attached' });
    await zoom.locator('.launcher').click();
    const f = zoom.frameLocator('iframe[title="Anonymer Beratungschat"]');
    await startChat(f);
    await widgetSend(f, 'Bei 200 % Zoom');
    const frameBox = (await zoom.locator('iframe[title="Anonymer Beratungschat"]').boundingBox())!;
    expect(frameBox.width).toBe(640);
    const input = (await f.getByLabel('Ihre Nachricht').boundingBox())!;
    const end = (await f.getByRole('button', { name: 'Chat beenden' }).boundingBox())!;
    expect(input.y + input.height).toBeLessThanOrEqual(frameBox.y + frameBox.height);
    expect(end.y + end.height).toBeLessThanOrEqual(frameBox.y + frameBox.height);
    await shot(zoom, 'f13-widget-200-percent');
  });

  it('should keep a blocked visitor out when they click "Neuen Chat beginnen"', async () => {
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 2);
    const page = await newPage({ width: 400, height: 700 });
    const w = await openWidget(page);
    await startChat(w);
    await widgetSend(w, 'Spam spam spam');
    await con.getByText('Spam spam spam').waitFor();
    await con.getByRole('button', { name: 'Beenden und sperren' }).click();
    const dialog = con.getByRole('dialog');
    await dialog.getByText('beenden und diese Person sperren?').waitFor();
    await shot(con, 'f10-console-confirm-block');
    await dialog.getByRole('button', { name: 'Beenden und sperren' }).click();
    await w.getByRole('heading', { name: 'Der Chat ist beendet' }).waitFor();
    await con.getByText('Keine laufenden Chats.').waitFor();

    await w.getByRole('button', { name: 'Neuen Chat beginnen' }).click();
    await startChat(w);
    await w.getByRole('heading', { name: 'Ein Chat ist gerade nicht möglich' }).waitFor();
    await w.getByRole('note').locator('a[href="tel:112"]').waitFor();
    await shot(page, 'f11-widget-blocked');
    await expect(con.getByRole('tab').count()).resolves.toBe(0);
  });

  it('should mark suspicious waiting entries with text and let the counselor remove them, with or without a block', async () => {
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, 0);
    await openShift(con, 1);
    const seated = await socketVisitor('Ich bin dran');
    expect(seated.join).toEqual({ ok: true, data: { position: 0 } });
    // three more from the same address wait: all are suspicious
    const first = await socketVisitor('Spam eins');
    const second = await socketVisitor('Spam zwei');
    const third = await socketVisitor('Spam drei');
    expect([first.join, second.join, third.join]).toEqual([
      { ok: true, data: { position: 1 } },
      { ok: true, data: { position: 2 } },
      { ok: true, data: { position: 3 } },
    ]);
    const entries = con.locator('.queue li[data-suspicious="true"]');
    await entries.nth(2).waitFor();
    await entries.first().getByText('Auffällig: mehrere Wartende von derselben Adresse').waitFor();
    await shot(con, 'f14-console-suspicious');

    const removed = nextEvent(first.socket, 'queue.closed');
    await entries.filter({ hasText: 'Spam eins' }).getByRole('button', { name: 'Entfernen', exact: true }).click();
    await con.getByRole('dialog').getByRole('button', { name: 'Entfernen', exact: true }).click();
    await expect(removed).resolves.toEqual({ reason: 'removed' });
    await con.locator('.queue li', { hasText: 'Spam eins' }).waitFor({ state: 'detached' });

    const blocked = nextEvent(second.socket, 'queue.closed');
    await entries.filter({ hasText: 'Spam zwei' }).getByRole('button', { name: 'Entfernen und sperren' }).click();
    await con.getByRole('dialog').getByText('entfernen und ihre Adresse sperren?').waitFor();
    await con.getByRole('dialog').getByRole('button', { name: 'Entfernen und sperren' }).click();
    await expect(blocked).resolves.toEqual({ reason: 'blocked' });
    await con.locator('.queue li', { hasText: 'Spam zwei' }).waitFor({ state: 'detached' });
    // the block holds for the address: a new identity from it cannot join
    const again = await socketVisitor('Wieder da');
    expect(again.join).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('should join again and say so when the server lost the waiting line, and bring the first message into the chat', async () => {
    const counselor = await counselorSocket(1, 1);
    const first = await socketVisitor();
    expect(first.join).toEqual({ ok: true, data: { position: 0 } });
    await until(async () => (await assignedRoom(first.socket)) !== undefined);
    const w = await openWidget(await newPage({ width: 400, height: 700 }));
    await startChat(w, 'Ich halte es nicht mehr aus');
    await w.getByText('Sie sind als Nächste·r dran.').waitFor();

    // what a Redis restart without persistence does to the line (here: the embedded store forgets the
    // center); the next sweep rebuilds shifts and seats from the database and tells the widget
    t.app.get<symbol, { centers: Map<string, unknown> }>(LIVE_QUEUE_STORE).centers.delete(center.centerId);
    await t.app.get(LiveQueueService).sweepQueues();
    const notice = w.locator('[data-notice="line-lost"]');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toBe(
      'Wegen einer technischen Störung bei uns musste die Warteschlange neu beginnen. Sie warten wieder; Ihren Platz sehen Sie unten.',
    );
    await w.getByText('Sie sind als Nächste·r dran.').waitFor();
    await shot(w, 'f16-widget-line-lost');

    // the seat frees: the widget is assigned, and its first message (held in the tab) opens the chat
    const assigned = nextEvent(counselor, 'queue.assigned');
    await expect(emit(counselor, 'live.end', { roomId: (await assignedRoom(first.socket))! })).resolves.toMatchObject({ ok: true });
    await assigned;
    await w.getByRole('heading', { name: `Sie chatten mit ${center.counselors[1]!.displayName}.` }).waitFor();
    await w.locator('.msg[data-seq="1"]', { hasText: 'Ich halte es nicht mehr aus' }).waitFor();
    await expect(notice.count()).resolves.toBe(0);
  });
});

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !(await check());) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
