import { EventEmitter2 } from '@nestjs/event-emitter';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { emitEvent, STAT_COUNTED, StatMetric } from '../../src/common/events';
import type { LoginResult } from '../../src/realtime/contract';
import { freePort, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { launchChromium } from '../harness/browser';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

const WEEK_MS = 7 * 86_400_000;

/**
 * The admin's statistics page in Chromium against the real server: counts seeded through the
 * stats event (as the features count them) over twelve weeks, the chart and the table, the CSV
 * download (fetched with the token, never in an address), a refused period. axe after each state.
 */
describe('portal statistics page in Chromium', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let foreign: { list: string[] };
  const urls: { url: string; auth: string | undefined }[] = [];

  beforeAll(async () => {
    const port = await freePort();
    t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
    c = await seedCenter(t, { counselors: 0, clients: 0 });
    const events = t.app.get(EventEmitter2);
    const count = async (metric: StatMetric, n: number, at: Date, value?: number) => {
      for (let i = 0; i < n; i++)
        await emitEvent(events, STAT_COUNTED, { centerId: c.centerId, metric, at, ...(value === undefined ? {} : { value: value + i * 20 }) });
    };
    // this week and the eleven before it: more chats each week, a few turned away
    for (let w = 0; w < 12; w++) {
      const at = new Date(Date.now() - w * WEEK_MS);
      await count('live.started', 14 - w, at);
      await count('live.wait', 3, at, 40 + w * 30);
      await count('live.refused_full', w % 4, at);
      await count('live.refused_closed', w % 3 === 0 ? 5 : 0, at);
      await count('enquiry.created', 3 + (w % 2), at);
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'de-DE', acceptDownloads: true });
    const who: LoginResult = { token: c.admin.token, account: { id: c.admin.id, role: 'admin', displayName: c.admin.displayName } };
    await context.addInitScript(({ key, value }: { key: string; value: string }) => sessionStorage.setItem(key, value), {
      key: `lotse.portal.${c.slug}`,
      value: JSON.stringify(who),
    });
    page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
    page.on('request', (r) => {
      if (/\/api\/centers\/[^/]+\/stats/.test(r.url())) urls.push({ url: r.url(), auth: r.headers()['authorization'] });
    });
    foreign = watchForeignRequests(page, t.url);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    await t?.dropDb();
  });

  it('should show the chart and the table of the seeded counts and download the same figures as CSV when the admin opens the page', async () => {
    await page.goto(`${t.url}/c/${c.slug}/app/stats`);
    await page.getByRole('heading', { level: 1, name: 'Statistik' }).waitFor();
    const chart = page.getByRole('img', { name: 'Live-Chats je Woche' });
    await chart.waitFor();
    await expect(chart.getAttribute('data-weeks')).resolves.toBe('12');
    // the current week's bars: 14 started, none turned away for being full, 5 for being closed
    const current = page.locator('svg.stats-chart g[data-week]').last();
    await expect(current.locator('[data-series="liveStarted"]').getAttribute('data-value')).resolves.toBe('14');
    await expect(current.locator('[data-series="liveRefusedClosed"]').getAttribute('data-value')).resolves.toBe('5');
    // a week with 1 and 2 turned away shows "< 3", drawn dashed
    const small = page.locator('svg.stats-chart rect.small');
    expect(await small.count()).toBeGreaterThan(0);

    const table = page.getByRole('table', { name: 'Zahlen je Woche (Beginn der Woche)' });
    await table.waitFor();
    const rows = table.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(12);
    const last = rows.last();
    await expect(last.locator('td[data-col="liveStarted"]').textContent()).resolves.toBe('14');
    await expect(last.locator('td[data-col="liveRefusedFull"]').textContent()).resolves.toBe('0');
    await expect(last.locator('td[data-col="waitMedianSeconds"]').textContent()).resolves.toBe('bis 2 Min.'); // 40, 60, 80 s
    await expect(rows.nth(10).locator('td[data-col="liveRefusedFull"]').textContent()).resolves.toBe('< 3');
    await page
      .getByRole('status')
      .getByText(/Statistik vom .* geladen\./)
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'portal-stats-1-weeks');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV herunterladen' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^lotse-stats-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}-weeks\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]!.startsWith('date,liveStarted,liveRefusedFull,liveRefusedClosed,waitMedianSeconds')).toBe(true);
    expect(lines).toHaveLength(14); // header, 12 weeks, the final line break
    expect(lines[12]!.split(',').slice(1, 5)).toEqual(['14', '0', '5', '120']);
    // what the server sends for the same period
    const query = new URL(urls.find((u) => u.url.includes('stats.csv'))!.url).search;
    const server = await t.http().get(`/api/centers/${c.slug}/stats.csv${query}`).set('Authorization', `Bearer ${c.admin.token}`).expect(200);
    expect(csv).toBe(server.text);
    await page.getByRole('status').getByText('Die CSV-Datei wurde heruntergeladen.').waitFor();
    // the token went in the header of every request, never in an address
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const u of urls) {
      expect(u.auth).toBe(`Bearer ${c.admin.token}`);
      expect(u.url).not.toContain(c.admin.token);
    }
    expect(foreign.list).toEqual([]);
  });

  it('should show the figures per day and refuse a period that ends before it starts', async () => {
    await page.getByLabel('Zeilen der Tabelle und der CSV-Datei').selectOption('day');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    const table = page.getByRole('table', { name: 'Zahlen je Tag' });
    await table.waitFor();
    await expect(table.locator('tbody tr').count()).resolves.toBeGreaterThanOrEqual(78);
    await shot(page, 'portal-stats-2-days');

    const requests = urls.length;
    await page.getByLabel('Von').fill('2026-03-10');
    await page.getByLabel('Bis').fill('2026-03-01');
    await page.getByRole('button', { name: 'Anzeigen' }).click();
    await page.locator('#stats-to-error').getByText('Der Anfang darf nicht nach dem Ende liegen.').waitFor();
    await expect(page.getByLabel('Bis').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(urls.length).toBe(requests); // nothing was asked for
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'portal-stats-3-refused');
  });
});
