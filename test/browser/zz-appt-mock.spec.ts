import type { Browser, Page } from 'playwright-core';
import type { LoginResult } from '../../src/realtime/contract';
import { closeAllSockets, freePort, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { launchChromium } from '../harness/browser';
import { seriousViolations } from '../harness/portal';

let t: TestApp & { dropDb: () => Promise<void> };
let browser: Browser;
let c: SeededCenter;
const iso = (d: number, h: number, m = 0) => new Date(Date.UTC(2026, 11, d, h, m)).toISOString();
const free = [
  { id: 's1', startsAt: iso(3, 9), endsAt: iso(3, 9, 45), forms: ['video', 'chat'], counselor: { id: 'a', displayName: 'Anna Berg' } },
  { id: 's2', startsAt: iso(3, 13), endsAt: iso(3, 14), forms: ['phone'], counselor: { id: 'b', displayName: 'Ben Kraus' } },
  { id: 's3', startsAt: iso(4, 8), endsAt: iso(4, 8, 30), forms: ['video', 'chat', 'mail', 'phone'], counselor: { id: 'a', displayName: 'Anna Berg' } },
];
const appts = (staff: boolean) => [
  { id: 'x1', startsAt: iso(2, 15), endsAt: iso(2, 15, 45), form: 'video', status: 'booked', cancelledBy: null, counselor: { id: 'a', displayName: 'Anna Berg' }, client: staff ? { id: 'o', displayName: 'grey-owl' } : null, videoRoomId: 'room1' },
  { id: 'x2', startsAt: iso(5, 10), endsAt: iso(5, 11), form: 'chat', status: 'cancelled', cancelledBy: 'counselor', counselor: { id: 'a', displayName: 'Anna Berg' }, client: staff ? { id: 'f', displayName: 'red-fox' } : null, videoRoomId: null },
];
const own = [
  { id: 'o1', startsAt: iso(2, 15), endsAt: iso(2, 15, 45), forms: ['video'], status: 'booked', appointmentId: 'x1' },
  { id: 'o2', startsAt: iso(3, 9), endsAt: iso(3, 9, 45), forms: ['video', 'chat'], status: 'free', appointmentId: null },
];
async function mocked(who: LoginResult, staff: boolean, width = 1100): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'de-DE' });
  await context.addInitScript(`sessionStorage.setItem(${JSON.stringify(`lotse.portal.${c.slug}`)}, ${JSON.stringify(JSON.stringify(who))});`);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.route('**/api/appointments', (r) => r.fulfill({ json: appts(staff) }));
  await page.route(`**/api/centers/${c.slug}/slots*`, (r) => r.fulfill({ json: free }));
  await page.route('**/api/slots', (r) => r.fulfill({ json: own }));
  return page;
}
describe('mock', () => {
  beforeAll(async () => {
    const port = await freePort();
    t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
    c = await seedCenter(t, { counselors: 1, clients: 1 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    closeAllSockets();
    await browser?.close();
    await t?.close();
  });
  it('renders', async () => {
    const cl = c.clients[0]!;
    const p = await mocked({ token: cl.token, account: { id: cl.id, role: 'client', displayName: cl.displayName } }, false);
    await p.goto(`${t.url}/c/${c.slug}/app/appointments`);
    await p.locator('[data-slot="s1"]').waitFor();
    console.log(JSON.stringify(await seriousViolations(p)));
    await p.screenshot({ path: '/tmp/appt-client.png', fullPage: true });
    await p.locator('[data-slot="s3"] button').click();
    await p.getByRole('dialog').waitFor();
    console.log(JSON.stringify(await seriousViolations(p)));
    await p.screenshot({ path: '/tmp/appt-dialog.png' });
    const s = c.counselors[0]!;
    const q = await mocked({ token: s.token, account: { id: s.id, role: 'counselor', displayName: s.displayName } }, true);
    await q.goto(`${t.url}/c/${c.slug}/app/appointments`);
    await q.locator('[data-slot="o2"]').waitFor();
    await q.getByRole('button', { name: 'Termin anbieten' }).click();
    console.log(JSON.stringify(await seriousViolations(q)));
    await q.screenshot({ path: '/tmp/appt-counselor.png', fullPage: true });
    const n = await mocked({ token: cl.token, account: { id: cl.id, role: 'client', displayName: cl.displayName } }, false, 320);
    await n.goto(`${t.url}/c/${c.slug}/app/appointments`);
    await n.locator('[data-slot="s1"]').waitFor();
    await n.screenshot({ path: '/tmp/appt-narrow.png', fullPage: true });
  });
});
