import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import type { Server } from 'socket.io';
import type { Ack, QueueJoinResult } from '../../src/realtime/contract';
import { RealtimePublisher } from '../../src/realtime/publisher';
import { closeAllSockets, connect, freePort, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { launchChromium } from '../harness/browser';

/**
 * The homepage widget and the counselor console in headless Chromium against the real server
 * (in process, on the run's database). Screenshots of every state go to test-artifacts/screenshots.
 */
const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
// The README's screenshots are refreshed only on request (UPDATE_DOC_SCREENSHOTS=1), so a test run
// leaves the tracked files alone.
const DOC_SHOTS = process.env.UPDATE_DOC_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : null;

const QUICK_EXIT_DEFAULT = 'https://www.wikipedia.org/';

let t: TestApp & { dropDb: () => Promise<void> };
let center: SeededCenter;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Every URL any page of these tests requested (widget, loader, console, sockets). */
const requested: string[] = [];

async function shot(page: Page, name: string, docs = false): Promise<void> {
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (docs && DOC_SHOTS) copyFileSync(file, join(DOC_SHOTS, `${name}.png`));
}

async function newPage(viewport = { width: 1100, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'de-DE' });
  contexts.push(context);
  context.on('request', (r) => requested.push(r.url()));
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  page.on('console', (m) => {
    if (process.env.DEBUG_BROWSER) console.log('console:', m.text());
  });
  page.on('websocket', (ws) => {
    if (process.env.DEBUG_BROWSER) {
      ws.on('framesent', (f) => console.log('>>', String(f.payload).slice(0, 200)));
      ws.on('framereceived', (f) => console.log('<<', String(f.payload).slice(0, 200)));
    }
  });
  return page;
}

/** The demo homepage with the loader, and the chat frame inside it once opened. */
async function openDemo(page: Page): Promise<void> {
  await page.goto(`${t.url}/widget-demo.html?center=${center.slug}`);
  await page.locator('#lotse-widget[data-status]:not([data-status="unknown"])').waitFor({ state: 'attached' });
}
const frame = (page: Page): FrameLocator => page.frameLocator('iframe[title="Anonymer Beratungschat"]');
// The test tsconfig has no DOM types: page-side code as expressions.
const storageLength = (page: Page) => page.evaluate<number>('sessionStorage.length');
const storageItem = (page: Page, key: string) => page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(key)})`);
const status = (page: Page) => page.locator('#lotse-widget').getAttribute('data-status');

async function consoleLogin(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${t.url}/console.html?center=${center.slug}`);
  await page.getByLabel('E-Mail').fill(email);
  await page.getByLabel('Passwort').fill(password);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByText('verbunden', { exact: true }).waitFor();
}

/** Ends the shown chat from the console: the button, then the confirmation dialog. */
async function endFromConsole(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Chat beenden' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Chat beenden' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
}

/** Drops the transport of a visitor's sockets on the server (the client sees a lost connection). */
function dropVisitorSockets(visitorId: string): number {
  const io = t.app.get(RealtimePublisher)['server'] as Server;
  let n = 0;
  for (const s of io.of('/').sockets.values()) {
    if ((s.data as { auth?: { subjectId: string } }).auth?.subjectId === visitorId) {
      s.conn.close();
      n++;
    }
  }
  return n;
}

async function waitForNoVisitorSocket(visitorId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (dropVisitorSockets(visitorId) > 0) {
    if (Date.now() > deadline) throw new Error(`a socket of visitor ${visitorId} is still connected`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function emit<T>(socket: TestSocket, event: string, payload: object): Promise<Ack<T>> {
  return (socket.timeout(5000).emitWithAck as (e: string, p: object) => Promise<Ack<T>>)(event, payload);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  if (DOC_SHOTS) mkdirSync(DOC_SHOTS, { recursive: true });
  if (!existsSync(join(ROOT, 'dist', 'client', 'embed', 'widget.html'))) {
    const built = spawnSync('npm', ['run', '-s', 'build:client'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build:client failed');
  }
  const port = await freePort();
  t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  center = await seedCenter(t, { slug: 'demo', counselors: 2, clients: 0 });
  const start = new Date(Date.now() + 26 * 3600_000);
  start.setUTCMinutes(0, 0, 0);
  await t
    .http()
    .post(`/api/centers/${center.slug}/topic-chats`)
    .set('Authorization', `Bearer ${center.counselors[0]!.token}`)
    .send({
      title: 'Prüfungsangst',
      description: 'Offener Austausch',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 5400_000).toISOString(),
      capacity: 20,
    })
    .expect(201);
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  closeAllSockets();
  await t?.close();
  await t?.dropDb();
});

describe('homepage widget and live console in Chromium', () => {
  it('should serve the widget page with the center’s frame-ancestors and refuse an unknown center', async () => {
    await t
      .http()
      .patch(`/api/centers/${center.slug}/settings`)
      .set('Authorization', `Bearer ${center.admin.token}`)
      .send({ widgetOrigins: ['https://www.beratung.example'] })
      .expect(200);
    const res = await t.http().get(`/widget.html?center=${center.slug}`).expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain(`frame-ancestors 'self' ${t.url} https://www.beratung.example`);
    expect(csp).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBeUndefined();
    await t.http().get('/widget.html?center=nope').expect(404);
    const loader = await t.http().get('/widget.js').expect(200);
    expect(loader.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const live = await t.http().get(`/api/centers/${center.slug}/live`).set('Origin', 'https://www.beratung.example').expect(200);
    expect(live.headers['access-control-allow-origin']).toBe('*');
    expect(String((await t.http().get('/console.html').expect(200)).headers['content-security-policy'])).toContain("frame-ancestors 'self'");
  });

  it('should show "closed" on the launcher and in the widget when no counselor is on shift', async () => {
    const page = await newPage();
    await openDemo(page);
    await expect(status(page)).resolves.toBe('closed');
    await expect(page.locator('.launcher').getAttribute('aria-label')).resolves.toContain('geschlossen');
    await shot(page, '01-launcher-closed');
    await page.locator('.launcher').click();
    await frame(page).getByRole('heading', { name: 'Der Chat ist gerade geschlossen' }).waitFor();
    await frame(page).getByText('Prüfungsangst').waitFor();
    // nobody can answer: the crisis lines are there (the default text; a center can set its own)
    await frame(page).getByRole('note').getByText('TelefonSeelsorge 0800 111 0 111').waitFor();
    await shot(page, '02-widget-closed', true);
  });

  it('should carry a chat from queue to end across a reload and a lost connection, each message once', async () => {
    const counselor = center.counselors[0]!;
    const con = await newPage({ width: 1200, height: 800 });
    await consoleLogin(con, counselor.login, counselor.password);
    await shot(con, '03-console-logged-in');
    await con.getByLabel('max. Chats').fill('1');
    await con.getByRole('button', { name: 'Schicht beginnen' }).click();
    await con.getByText('Schicht offen').waitFor();

    // Someone else takes the only seat, so our visitor waits first.
    const other = await visitor(t, center.slug);
    const otherSocket = await connect(t.url, other.token);
    const otherJoin = await emit<QueueJoinResult>(otherSocket, 'queue.join', { message: 'Ich war zuerst da' });
    expect(otherJoin).toEqual({ ok: true, data: { position: 0 } });
    await con.getByRole('tab').first().waitFor();

    const page = await newPage({ width: 1100, height: 800 });
    await openDemo(page);
    await expect(status(page)).resolves.toBe('open');
    await page.locator('.launcher').click();
    const w = frame(page);
    await w.getByRole('button', { name: 'Einverstanden, weiter' }).click();
    await w.getByLabel('Worum geht es? (freiwillig)').fill('Mir geht es nicht gut');
    await shot(page, '04-widget-first-message');
    await w.getByRole('button', { name: 'Chat beginnen' }).click();
    await w.getByText('Sie sind als Nächste·r dran.').waitFor();
    // an honest estimate from this center's recent assignments, or a plain "cannot estimate"; crisis lines too
    await w.getByText(/^(Geschätzte Wartezeit: etwa .+\.|Wie lange es dauert, können wir gerade nicht abschätzen\.)$/).waitFor();
    await w.getByRole('note').locator('a[href="tel:08001110111"]').waitFor();
    await shot(page, '05-widget-waiting', true);
    await con.getByText('Mir geht es nicht gut').waitFor();
    await shot(con, '06-console-queue');

    // The counselor ends the first chat; the seat goes to our visitor at once.
    await endFromConsole(con);
    await w.getByRole('heading', { name: `Sie chatten mit ${counselor.displayName}.` }).waitFor();

    await w.getByLabel('Ihre Nachricht').fill('Hallo, ich brauche jemanden zum Reden.');
    await w.getByLabel('Ihre Nachricht').press('Enter');
    await con.getByText('Hallo, ich brauche jemanden zum Reden.').waitFor();
    await con.getByLabel('Antwort').fill('Hallo, ich bin da. Erzählen Sie.');
    await w.getByText(`${counselor.displayName} schreibt …`).waitFor();
    await shot(page, '07-widget-typing');
    await con.getByLabel('Antwort').press('Enter');
    await w.getByText('Hallo, ich bin da. Erzählen Sie.').waitFor();
    await shot(page, '08-widget-chat', true);
    await shot(con, '09-console-chat', true);

    // Reload mid-chat: the conversation comes back from the server, nothing twice.
    await page.reload();
    await page.locator('.launcher').click();
    await w.getByText('Hallo, ich bin da. Erzählen Sie.').waitFor();
    // the first message written while waiting is the chat's first message (seq 1), on both screens
    await expect(w.locator('.msg[data-seq="1"]').textContent()).resolves.toContain('Mir geht es nicht gut');
    await expect(con.locator('.msg').first().textContent()).resolves.toContain('Mir geht es nicht gut');
    await expect(w.locator('.msg').count()).resolves.toBe(3);

    // Lost connection: what the visitor writes meanwhile waits and then arrives exactly once.
    const saved = JSON.parse((await storageItem(page, 'lotse.widget.demo')) ?? '{}') as { visitorId: string };
    expect(saved.visitorId).toEqual(expect.any(String));
    await page.context().setOffline(true);
    // Chromium may already have dropped the websocket when it went offline; the server end is closed
    // here in any case, and the test goes on once no socket of the visitor is left on the server.
    dropVisitorSockets(saved.visitorId);
    await waitForNoVisitorSocket(saved.visitorId);
    await w.getByText('Verbindung unterbrochen – wird wiederhergestellt …').waitFor();
    await w.getByLabel('Ihre Nachricht').fill('Sind Sie noch da?');
    await w.getByLabel('Ihre Nachricht').press('Enter');
    await w.locator('[data-pending="sending"]').waitFor();
    await shot(page, '10-widget-offline-sending');
    await page.context().setOffline(false);
    await con.getByText('Sind Sie noch da?').waitFor();
    await w.locator('[data-pending]').waitFor({ state: 'detached' });
    await expect(w.locator('.msg').count()).resolves.toBe(4);
    await expect(con.locator('.msg').count()).resolves.toBe(4);
    const seqs = await Promise.all((await w.locator('.msg').all()).map(async (m) => Number(await m.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(4);
    // every body and name is bidi-isolated: right-to-left text or override characters cannot reorder the page
    const bidi = `[...document.querySelectorAll('.msg .text, .msg .who')].map((e) => e.getAttribute('dir') + '/' + getComputedStyle(e).unicodeBidi)`;
    const widgetFrame = await (await page.locator('iframe[title="Anonymer Beratungschat"]').elementHandle()).contentFrame();
    for (const parts of [await widgetFrame!.evaluate<string[]>(bidi), await con.evaluate<string[]>(bidi)]) {
      expect(parts.length).toBeGreaterThan(0);
      expect(new Set(parts)).toEqual(new Set(['auto/isolate']));
    }

    // The counselor ends the chat; the visitor gets the closing text and other ways to reach the center.
    await endFromConsole(con);
    await w.getByRole('heading', { name: 'Der Chat ist beendet' }).waitFor();
    await w.getByText('Passen Sie gut auf sich auf').waitFor();
    await shot(page, '11-widget-ended', true);
    await expect(storageItem(page, 'lotse.widget.demo')).resolves.toBeNull();

    await con.getByRole('button', { name: 'Schicht beenden' }).click();
    await con.getByText('Keine Schicht').waitFor();
    otherSocket.disconnect();
  });

  it('should show "full" on the launcher when the waiting line is at its limit', async () => {
    await t.http().patch(`/api/centers/${center.slug}/settings`).set('Authorization', `Bearer ${center.admin.token}`).send({ liveWaitingLimit: 1 }).expect(200);
    const counselor = await connect(t.url, center.counselors[1]!.token);
    await expect(emit(counselor, 'shift.open', { maxChats: 1 })).resolves.toMatchObject({ ok: true });
    const seated = await connect(t.url, (await visitor(t, center.slug)).token);
    const assigned = nextEvent(seated, 'queue.assigned');
    await expect(emit<QueueJoinResult>(seated, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 0 } });
    const { roomId } = await assigned;
    const waiting = await connect(t.url, (await visitor(t, center.slug)).token);
    await expect(emit<QueueJoinResult>(waiting, 'queue.join', {})).resolves.toEqual({ ok: true, data: { position: 1 } });

    const page = await newPage({ width: 320, height: 640 });
    await openDemo(page);
    await expect(status(page)).resolves.toBe('full');
    await shot(page, '12-launcher-full-320px');
    await page.locator('.launcher').click();
    await frame(page).getByRole('heading', { name: 'Alle Plätze sind gerade belegt' }).waitFor();
    await shot(page, '13-widget-full-320px', true);

    await expect(emit(counselor, 'live.end', { roomId })).resolves.toMatchObject({ ok: true });
    await expect(emit(counselor, 'shift.close', {})).resolves.toMatchObject({ ok: true });
    await t
      .http()
      .patch(`/api/centers/${center.slug}/settings`)
      .set('Authorization', `Bearer ${center.admin.token}`)
      .send({ liveWaitingLimit: 10 })
      .expect(200);
    counselor.disconnect();
    seated.disconnect();
    waiting.disconnect();
  });

  it('should leave no chat in the tab after quick exit', async () => {
    const counselor = await connect(t.url, center.counselors[1]!.token);
    await expect(emit(counselor, 'shift.open', { maxChats: 2 })).resolves.toMatchObject({ ok: true });
    const page = await newPage({ width: 1100, height: 800 });
    await openDemo(page);
    await page.locator('.launcher').click();
    const w = frame(page);
    await w.getByRole('button', { name: 'Einverstanden, weiter' }).click();
    await w.getByRole('button', { name: 'Chat beginnen' }).click();
    await w.getByLabel('Ihre Nachricht').fill('Niemand darf das sehen');
    await w.getByLabel('Ihre Nachricht').press('Enter');
    await w.locator('.msg[data-seq]').waitFor();
    await expect(storageLength(page)).resolves.toBeGreaterThan(0);
    await shot(page, '14-widget-before-quick-exit');

    // The default neutral page is another site; the test answers it locally (no network).
    await page.route(QUICK_EXIT_DEFAULT, (route) => route.fulfill({ contentType: 'text/html', body: '<h1>Wikipedia</h1>' }));
    await w.getByRole('button', { name: 'Schnell verlassen' }).click();
    await page.waitForURL(QUICK_EXIT_DEFAULT);
    await page.getByRole('heading', { name: 'Wikipedia' }).waitFor();
    await expect(storageLength(page)).resolves.toBe(0);
    await expect(page.locator('#lotse-widget').count()).resolves.toBe(0);
    await shot(page, '15-after-quick-exit');
    // The back button does not lead to the chat either: the page was replaced, not pushed.
    await page.goBack().catch(() => undefined);
    expect(page.url()).not.toContain('widget-demo');
    counselor.disconnect();
  });
  it('should list the participants of a topic chat in the console and let the host mute and remove them', async () => {
    const host = center.counselors[1]!;
    const created = await t
      .http()
      .post(`/api/centers/${center.slug}/topic-chats`)
      .set('Authorization', `Bearer ${host.token}`)
      .send({
        title: 'Einsamkeit',
        description: 'Austausch',
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
        capacity: 10,
      })
      .expect(201);
    const topicChatId = (created.body as { id: string }).id;
    const join = async (nickname: string) => {
      const socket = await connect(t.url, (await visitor(t, center.slug)).token);
      const ack = await emit<{ roomId: string }>(socket, 'topic.join', { topicChatId, nickname });
      if (!ack.ok) throw new Error(ack.error.code);
      return { socket, roomId: ack.data.roomId };
    };
    const sonne = await join('Sonne');
    const regen = await join('Regen');

    const page = await newPage({ width: 1200, height: 800 });
    await consoleLogin(page, host.login, host.password);
    await page.locator('section.topics li', { hasText: 'Einsamkeit' }).getByRole('button', { name: 'betreten' }).click();
    const list = page.locator('section.participants');
    await list.locator('[data-participant="Sonne"]').waitFor();
    await list.locator('[data-participant="Regen"]').waitFor();

    await list.locator('[data-participant="Sonne"]').getByRole('button', { name: 'stummschalten' }).click();
    await list.locator('[data-participant="Sonne"]', { hasText: '(stumm)' }).waitFor();
    await expect(emit(sonne.socket, 'message.send', { roomId: sonne.roomId, clientMsgId: 'muted-1', body: 'Hallo?' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const removed = nextEvent(regen.socket, 'room.closed');
    await list.locator('[data-participant="Regen"]').getByRole('button', { name: 'entfernen' }).click();
    await expect(removed).resolves.toEqual({ roomId: regen.roomId, reason: 'removed' });
    await list.locator('[data-participant="Regen"]').waitFor({ state: 'detached' });
    await shot(page, '16-console-topic-participants');
  });

  it('should have made no request to any other host and set no cookie in any of the scenarios above', async () => {
    expect(requested.length).toBeGreaterThan(20);
    const own = new URL(t.url).host;
    // Quick exit leaves for the neutral page on purpose (answered locally by the test); nothing else.
    const foreign = requested.filter((u) => !/^(data|blob|about):/.test(u) && new URL(u).host !== own && u !== QUICK_EXIT_DEFAULT);
    expect(foreign).toEqual([]);
    for (const c of contexts) await expect(c.cookies()).resolves.toEqual([]);
  });
});
