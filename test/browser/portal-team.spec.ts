import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { LoginResult, StaffProfileView, TeamMemberView } from '../../src/realtime/contract';
import { closeAllSockets, seedCenter, SeededCenter } from '../harness/app';
import { type PortalBrowser, signInPortal, startPortalBrowser } from '../harness/portal-browser';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

/**
 * The team page and crisis contacts in the portal (issue 13), in headless Chromium against the
 * real server: a counselor fills in the profile with a picture (after a refused SVG) and switches
 * crisis contact on; the public team page shows them with the picture; a client who registers
 * sees them as their counselor at once; the admin hides them. axe-core after every state.
 */
const PASSWORD = 'Correct-Horse-9-Battery-Long';
const TEXT = 'Ich bin Sozialpädagogin und höre Ihnen zu – ohne Eile und ohne Urteil.';

let t: PortalBrowser['t'];
let portal: PortalBrowser;
let c: SeededCenter;
const foreign: { list: string[] }[] = [];

async function pageFor(who: LoginResult | null, opts: { width?: number } = {}): Promise<Page> {
  const context = await portal.context({ viewport: { width: opts.width ?? 1100, height: 900 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  if (who) await signInPortal(context, c.slug, who);
  const page = await context.newPage();
  foreign.push(watchForeignRequests(page, t.url));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/** Only with UPDATE_DOC_SCREENSHOTS: a viewport shot for the docs, docs/screenshots/portal-team-<name>.png. */
async function docShot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_DOC_SCREENSHOTS) return;
  const dir = join(__dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `portal-team-${name}.png`) });
}

const fits = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
const asLogin = (l: SeededCenter['admin'], role: 'admin' | 'counselor'): LoginResult => ({
  token: l.token,
  account: { id: l.id, role, displayName: l.displayName },
});

describe('portal team page in Chromium', () => {
  beforeAll(async () => {
    portal = await startPortalBrowser();
    t = portal.t;
    c = await seedCenter(t, { counselors: 2, clients: 0 });
  });
  afterAll(async () => {
    closeAllSockets();
    await portal?.close();
  });

  it('should let a counselor fill in the profile with a picture, refusing an SVG, and switch crisis contact on', async () => {
    const anna = c.counselors[0]!;
    const page = await pageFor(asLogin(anna, 'counselor'));
    await page.goto(`${t.url}/c/${c.slug}/app/profile`);
    await page.getByRole('heading', { name: 'Mein Profil', level: 1 }).waitFor();
    await page.getByText('Sie erscheinen zurzeit nicht auf der Team-Seite.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Angezeigter Name').fill('Anna Berg');
    await page.getByLabel('Text für die Team-Seite').fill(TEXT);
    await page.getByLabel('Auf der Team-Seite erscheinen').check();
    await page.getByLabel('Ich bin Krisenkontakt', { exact: false }).check();
    await page.getByRole('button', { name: 'Speichern' }).click();
    await page.getByRole('status').filter({ hasText: 'Ihr Profil ist gespeichert.' }).waitFor();
    await page.getByText('Sie erscheinen zurzeit auf der Team-Seite.').waitFor();

    // an SVG (with a script) is refused with a clear message, and focus goes back to the file input
    await page.getByLabel('Foto auswählen').setInputFiles({
      name: 'bild.svg',
      mimeType: 'image/svg+xml',
      buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    });
    await page.getByRole('button', { name: 'Foto hochladen' }).click();
    await page.getByRole('alert').filter({ hasText: 'Bitte wählen Sie ein PNG- oder JPEG-Bild.' }).waitFor();
    expect(await page.evaluate<string>('document.activeElement?.id ?? ""')).toBe('profile-picture-file');

    const photo = await sharp({ create: { width: 900, height: 700, channels: 3, background: { r: 70, g: 130, b: 180 } } })
      .composite([{ input: Buffer.from('<svg width="900" height="700"><circle cx="450" cy="330" r="220" fill="#f4d35e"/></svg>') }])
      .jpeg()
      .withExif({ IFD0: { ImageDescription: 'Urlaub am See' } })
      .toBuffer();
    await page.getByLabel('Foto auswählen').setInputFiles({ name: 'anna.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.getByRole('button', { name: 'Foto hochladen' }).click();
    await page.getByRole('status').filter({ hasText: 'Ihr Foto ist gespeichert.' }).waitFor();
    const preview = page.getByRole('img', { name: 'Ihr Foto (Anna Berg)' });
    await preview.waitFor();
    expect(await preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(512);
    expect(await seriousViolations(page)).toEqual([]);
    await docShot(page, 'profile');
    await shot(page, 'portal-team-profile');

    const saved = (await t.http().get('/api/accounts/me/profile').set('Authorization', `Bearer ${anna.token}`).expect(200)).body as StaffProfileView;
    expect(saved).toMatchObject({ displayName: 'Anna Berg', teamText: TEXT, onTeamPage: true, crisisContact: true, shown: true });
    expect(saved.pictureUrl).not.toBeNull();
  });

  it('should show the counselor on the public team page, linked from the center page, and as the counselor of a client who registers', async () => {
    const page = await pageFor(null);
    await page.goto(`${t.url}/c/${c.slug}`);
    await page.getByRole('link', { name: 'Unser Team kennenlernen' }).click();
    await page.getByRole('heading', { level: 1, name: /Das Team von/ }).waitFor();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Anna Berg' }) });
    await card.getByText(TEXT).waitFor();
    const img = card.getByRole('img', { name: 'Foto von Anna Berg' });
    await img.waitFor();
    await page.waitForFunction('[...document.images].every((i) => i.complete && i.naturalWidth > 0)');
    // the second counselor did not choose to appear
    expect(await page.getByRole('listitem').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await docShot(page, 'page');
    await shot(page, 'portal-team-page');

    const narrow = await pageFor(null, { width: 320 });
    await narrow.goto(`${t.url}/c/${c.slug}/team`);
    await narrow.getByRole('img', { name: 'Foto von Anna Berg' }).waitFor();
    expect(await fits(narrow)).toBe(true);
    await docShot(narrow, 'page-320');

    // a client registers through the portal while Anna is a crisis contact: Anna is their counselor at once
    const reg = await pageFor(null);
    await reg.goto(`${t.url}/c/${c.slug}/register`);
    await reg.locator('#username').fill('stille-eule');
    await reg.locator('#password').fill(PASSWORD);
    await reg.getByRole('button', { name: 'Konto anlegen' }).click();
    await reg.waitForURL(/\/app\//);
    await reg.goto(`${t.url}/c/${c.slug}/app/threads`);
    const yours = reg.getByRole('region', { name: 'Ihre Beraterin oder Ihr Berater' });
    await yours.getByText('Anna Berg ist für Sie da.').waitFor();
    expect(await seriousViolations(reg)).toEqual([]);
    await docShot(reg, 'your-counselor');
    await shot(reg, 'portal-team-your-counselor');
  });

  it('should let the admin hide the counselor from the team page and show the switches in the staff list; the widget links to the team page', async () => {
    const page = await pageFor(asLogin(c.admin, 'admin'));
    await page.goto(`${t.url}/c/${c.slug}/app/staff`);
    const row = page.locator(`tr[data-staff="${c.counselors[0]!.login}"]`);
    await row.getByText('auf der Team-Seite, Krisenkontakt').waitFor();
    await row.getByRole('button', { name: 'Auf Team-Seite ausblenden: Anna Berg' }).click();
    await page.getByRole('status').filter({ hasText: 'Anna Berg ist auf der Team-Seite ausgeblendet' }).waitFor();
    await row.getByText('von der Administration ausgeblendet, Krisenkontakt').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await row.scrollIntoViewIfNeeded();
    await docShot(page, 'admin-staff');
    const team = (await t.http().get(`/api/centers/${c.slug}/team`).expect(200)).body as TeamMemberView[];
    expect(team).toEqual([]);

    const pub = await pageFor(null);
    await pub.goto(`${t.url}/c/${c.slug}/team`);
    await pub.getByText('Das Team stellt sich hier bald vor.').waitFor();

    // the widget's "other ways to reach us" (the chat is closed: nobody on shift) links to the team page in a new tab
    const widget = await pageFor(null);
    await widget.goto(`${t.url}/widget.html?center=${c.slug}&lang=de`);
    const link = widget.getByRole('link', { name: 'Unser Team kennenlernen (öffnet einen neuen Tab)' });
    await link.waitFor();
    expect([await link.getAttribute('href'), await link.getAttribute('target')]).toEqual([`/c/${c.slug}/team`, '_blank']);
    expect(await seriousViolations(widget)).toEqual([]);
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
