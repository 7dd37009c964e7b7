import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { LoginResult } from '../../src/realtime/contract';
import { freePort, seedCenter, startApp, TestApp } from '../harness/app';
import { launchChromium } from '../harness/browser';
import { readOutbox } from '../harness/outbox';

describe('email double opt-in in Chromium', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let browser: Browser;
  beforeAll(async () => {
    const port = await freePort();
    t = await startApp({ env: { CLIENT: 'on', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await t?.dropDb();
  });

  it('should confirm the address from the mail link once, and keep the token out of the address bar', async () => {
    const c = await seedCenter(t, { counselors: 0, clients: 0 });
    const res = await t
      .http()
      .post('/api/auth/register')
      .send({ center: c.slug, username: 'grey-owl', password: 'Correct-Horse-9-Battery', email: 'Owl@Example.org' })
      .expect(201);
    const accountId = (res.body as LoginResult).account.id;
    const confirmedAt = async () =>
      (await t.app.get(DataSource).query<{ at: unknown }[]>('SELECT email_confirmed_at AS at FROM accounts WHERE id = ?', [accountId]))[0]!.at;
    expect(await confirmedAt()).toBeNull();

    const mails = readOutbox(t.config.dataDir);
    expect(mails).toHaveLength(1);
    const link = /(http:\/\/\S+\/confirm-email\.html#\S+)/.exec(mails[0]!)?.[1];
    expect(link).toBeDefined();
    expect(link!.startsWith(`${t.url}/confirm-email.html#center=${c.slug}&token=`)).toBe(true);

    const page = await (await browser.newContext()).newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(link!);
    await page.locator('#status[data-state="ok"]').waitFor();
    await expect(page.locator('#status').textContent()).resolves.toContain('bestätigt');
    expect(page.url()).toBe(`${t.url}/confirm-email.html`);
    expect(requested.filter((u) => u.includes('token'))).toEqual([]);
    expect(await confirmedAt()).not.toBeNull();

    // the link opened a second time (a new tab): used up
    const again = await page.context().newPage();
    await again.goto(link!);
    await again.locator('#status[data-state="failed"]').waitFor();
    await expect(again.locator('#status').textContent()).resolves.toContain('ungültig');
  });

  it('should say that an expired link has expired and send a new one from the page when asked', async () => {
    const c = await seedCenter(t, { counselors: 0, clients: 0 });
    const email = 'late-owl@example.org';
    await t.http().post('/api/auth/register').send({ center: c.slug, username: 'late-owl', password: 'Correct-Horse-9-Battery', email }).expect(201);
    const links = () =>
      readOutbox(t.config.dataDir)
        .filter((m) => m.includes(email))
        .map((m) => /(http:\/\/\S+\/confirm-email\.html#\S+)/.exec(m)?.[1])
        .filter((l): l is string => !!l);
    const [old] = links();
    await t.app.get(DataSource).query("UPDATE accounts SET email_confirm_expires_at = '2020-01-01 00:00:00.000' WHERE login = ?", ['late-owl']);

    const page = await (await browser.newContext()).newPage();
    await page.goto(old!);
    await page.locator('#status[data-state="failed"]').waitFor();
    await expect(page.locator('#status').textContent()).resolves.toContain('abgelaufen');
    await expect(page.locator('#renew').isVisible()).resolves.toBe(true);
    await page.locator('#renew-button').click();
    await page.locator('#renew-status[data-state="sent"]').waitFor();
    await expect(page.locator('#renew-status').textContent()).resolves.toContain('neuer Link');
    // the token stayed out of the address bar the whole time
    expect(page.url()).toBe(`${t.url}/confirm-email.html`);

    const fresh = links().find((l) => l !== old);
    expect(fresh).toBeDefined();
    const next = await page.context().newPage();
    await next.goto(fresh!);
    await next.locator('#status[data-state="ok"]').waitFor();
    await expect(next.locator('#renew').isVisible()).resolves.toBe(false);
  });
});
