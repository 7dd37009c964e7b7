import type { Page } from 'playwright-core';
import type { LoginResult } from '../../src/realtime/contract';
import { closeAllSockets, connect, seedCenter, SeededCenter, type Login } from '../harness/app';
import { type PortalBrowser, signInPortal, startPortalBrowser } from '../harness/portal-browser';
import { createRoom } from '../factories';

/**
 * Every page Lotse serves, opened in Chromium with its real Content-Security-Policy: not one
 * `securitypolicyviolation` event and no console message about the CSP or the Permissions-Policy.
 * The collector itself is checked first: a style attribute set by script is seen as a violation
 * (so an empty list means something).
 */
interface Seen {
  violations: string[];
  console: string[];
}

let t: PortalBrowser['t'];
let portal: PortalBrowser;
let c: SeededCenter;
let roomId: string;
let threadId: string;

const COLLECTOR = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber + ' ' + (e.sample || ''));
  }, true);
`;

async function open(who: { login: Login; role: 'admin' | 'counselor' | 'client' } | null): Promise<{ page: Page; seen: Seen }> {
  const context = await portal.context({ viewport: { width: 1100, height: 900 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  await context.addInitScript(COLLECTOR);
  if (who) {
    const session: LoginResult = { token: who.login.token, account: { id: who.login.id, role: who.role, displayName: who.login.displayName } };
    await signInPortal(context, c.slug, session);
  }
  const page = await context.newPage();
  const seen: Seen = { violations: [], console: [] };
  page.on('console', (m) => {
    const text = m.text();
    if (/content security policy|content-security-policy|permissions-policy|permissions policy/i.test(text)) seen.console.push(`${page.url()}: ${text}`);
  });
  return { page, seen };
}

/** Visits the path, lets the page settle, and returns what it violated (with the path). */
async function visit(page: Page, seen: Seen, path: string, waitFor?: (p: Page) => Promise<unknown>): Promise<string[]> {
  const res = await page.goto(`${t.url}${path}`);
  expect(res).not.toBeNull();
  const csp = res!.headers()['content-security-policy'] ?? '';
  expect(`${path}: ${csp}`).toMatch(/style-src 'self'/);
  expect(csp).not.toContain('unsafe-inline');
  if (waitFor) await waitFor(page);
  await page.waitForLoadState('networkidle');
  // events fire asynchronously: a moment for the last ones
  await page.waitForTimeout(150);
  const found = await page.evaluate<string[]>('window.__cspViolations');
  return [...found.map((v) => `${path}: ${v}`), ...seen.console.splice(0)];
}

const h1 = (p: Page) => p.locator('h1').first().waitFor();

// many pages per test, each until the network is idle: more than the tier's default under CI load
jest.setTimeout(240_000);

describe('content security policy on every page in Chromium', () => {
  beforeAll(async () => {
    portal = await startPortalBrowser();
    t = portal.t;
    c = await seedCenter(t, { counselors: 1, clients: 1 });
    const counselor = await connect(t.url, c.counselors[0]!.token);
    roomId = await createRoom(counselor, { memberIds: [c.clients[0]!.id] });
    const thread = await t
      .http()
      .post('/api/threads')
      .set('Authorization', `Bearer ${c.clients[0]!.token}`)
      .send({ subject: 'Eine Frage', body: 'Hallo, ich habe eine Frage.' });
    threadId = (thread.body as { id?: string }).id ?? '';
  });
  afterAll(async () => {
    closeAllSockets();
    await portal?.close();
  });

  it('should see a violation when a page sets an inline style attribute (the collector works)', async () => {
    const { page, seen } = await open(null);
    await visit(page, seen, `/c/${c.slug}`, h1);
    await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<p style="color: red">x</p>')`);
    await page.waitForTimeout(150);
    const found = await page.evaluate<string[]>('window.__cspViolations');
    expect(found.join('\n')).toMatch(/style-src/);
  });

  it('should answer the API docs with hashes for its inline styles, never unsafe-inline', async () => {
    const res = await t.http().get('/api/docs').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('should open the public pages without a CSP or Permissions-Policy violation', async () => {
    const { page, seen } = await open(null);
    const found: string[] = [];
    for (const path of [
      '/',
      `/c/${c.slug}`,
      `/c/${c.slug}/login`,
      `/c/${c.slug}/register`,
      `/c/${c.slug}/reset`,
      `/c/${c.slug}/invitation`,
      `/c/${c.slug}/team`,
      `/c/${c.slug}/video-invite`,
      `/c/${c.slug}/topic/00000000-0000-4000-8000-000000000000`,
      '/c/no-such-center',
      '/no-such-page',
      '/confirm-email.html',
      '/neutral',
      '/console.html',
      `/widget-demo.html?center=${c.slug}`,
      `/widget.html?center=${c.slug}`,
    ])
      found.push(...(await visit(page, seen, path, path.startsWith('/c/') || path === '/' ? h1 : undefined)));
    // the API docs render their operations (Swagger UI builds the page with script)
    found.push(...(await visit(page, seen, '/api/docs', (p) => p.locator('.opblock').first().waitFor())));
    expect(found).toEqual([]);
  });

  it('should open the widget on the demo homepage and the console after a login without a violation', async () => {
    const { page, seen } = await open(null);
    // the loader on the demo homepage (the live chat is closed: the loader says so and frames nothing)
    const found = await visit(page, seen, `/widget-demo.html?center=${c.slug}`, (p) => p.locator('#lotse-widget[data-status]').waitFor({ state: 'attached' }));
    // the widget app itself, as the iframe would show it
    found.push(...(await visit(page, seen, `/widget.html?center=${c.slug}&lang=de`, (p) => p.locator('body *').first().waitFor())));

    const con = await open(null);
    found.push(...(await visit(con.page, con.seen, `/console.html?center=${c.slug}`)));
    await con.page.getByLabel('E-Mail').fill(c.counselors[0]!.login);
    await con.page.getByLabel('Passwort').fill(c.counselors[0]!.password);
    await con.page.getByRole('button', { name: 'Anmelden' }).click();
    await con.page.getByText('verbunden', { exact: true }).waitFor();
    await con.page.waitForTimeout(300);
    found.push(...(await con.page.evaluate<string[]>('window.__cspViolations')).map((v) => `console logged in: ${v}`), ...con.seen.console.splice(0));
    expect(found).toEqual([]);
  });

  it.each([
    [
      'admin',
      [
        '',
        'account',
        'rooms',
        'threads',
        'overview',
        'staff',
        'clients',
        'settings',
        'stats',
        'enquiries',
        'topics',
        'canned',
        'appointments',
        'video',
        'profile',
        'absence',
        'live',
      ],
    ],
    ['counselor', ['', 'rooms', 'ROOM', 'threads', 'THREAD', 'topics', 'live', 'canned', 'appointments', 'video', 'profile', 'absence']],
    ['client', ['', 'account', 'rooms', 'threads', 'threads/new', 'THREAD']],
  ] as const)('should open every page of a logged-in %s without a violation', async (role, pages) => {
    const who = role === 'admin' ? c.admin : role === 'counselor' ? c.counselors[0]! : c.clients[0]!;
    const { page, seen } = await open({ login: who, role });
    const found: string[] = [];
    for (const name of pages) {
      const rest = name === 'ROOM' ? `rooms/${roomId}` : name === 'THREAD' ? `threads/${threadId}` : name;
      if (name === 'THREAD' && !threadId) continue;
      found.push(...(await visit(page, seen, `/c/${c.slug}/app${rest ? `/${rest}` : ''}`, h1)));
    }
    expect(found).toEqual([]);
  });
});
