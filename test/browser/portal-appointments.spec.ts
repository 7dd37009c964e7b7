import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { LoginResult } from '../../src/realtime/contract';
import type { AppointmentView, FreeSlot, OwnSlot } from '../../client/src/portal/appointments/appointment-types';
import { dayOf } from '../../client/src/portal/appointments/slot-days';
import { zonedToIso } from '../../client/src/portal/zoned-time';
import { closeAllSockets, seedCenter, SeededCenter } from '../harness/app';
import { type PortalBrowser, signInPortal, startPortalBrowser } from '../harness/portal-browser';
import { seriousViolations, shot, watchForeignRequests } from '../harness/portal';

/**
 * Appointments in the portal (issue 13), in headless Chromium against the real server: a counselor
 * offers a slot (after clear errors), a client books it with a contact form, the counselor sees the
 * booking arrive without a reload (the `appointment.changed` push); a slot someone else was faster
 * for says so and the list is read again; the client downloads the calendar file (fetched with
 * the token) and cancels, and the counselor sees that live too. axe-core after every state.
 */
const PASSWORD = 'Correct-Horse-9-Battery';
const ZONE = 'Europe/Berlin';

let t: PortalBrowser['t'];
let portal: PortalBrowser;
let c: SeededCenter;
let owl: LoginResult;
let fox: LoginResult;
let counselor: LoginResult;
const foreign: { list: string[] }[] = [];
let client: Page;
let staffPage: Page;
/** The day the slots are on: two days ahead in the center's zone ("YYYY-MM-DD"). */
let day = '';

async function register(username: string): Promise<LoginResult> {
  const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD }).expect(201);
  return res.body as LoginResult;
}

async function portalAs(who: LoginResult): Promise<Page> {
  const context = await portal.context({ viewport: { width: 1100, height: 900 }, locale: 'de-DE', timezoneId: 'America/New_York', acceptDownloads: true });
  await signInPortal(context, c.slug, who);
  const page = await context.newPage();
  foreign.push(watchForeignRequests(page, t.url));
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/** Only with UPDATE_DOC_SCREENSHOTS (as portal-journeys.spec.ts): a viewport shot for the docs, docs/screenshots/portal-appointments-<name>.png. */
async function docShot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_DOC_SCREENSHOTS) return;
  const dir = join(__dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `portal-appointments-${name}.png`), fullPage: true });
}

const url = () => `${t.url}/c/${c.slug}/app/appointments`;
const activeId = (page: Page) => page.evaluate<string>('document.activeElement?.id ?? ""');
const get = async <T>(path: string, token: string): Promise<T> => (await t.http().get(path).set('Authorization', `Bearer ${token}`).expect(200)).body as T;

/** A slot offered over REST (the second one, for the race). */
async function offer(start: string, end: string): Promise<string> {
  const res = await t
    .http()
    .post('/api/slots')
    .set('Authorization', `Bearer ${counselor.token}`)
    .send({ startsAt: zonedToIso(`${day}T${start}`, ZONE), endsAt: zonedToIso(`${day}T${end}`, ZONE), forms: ['chat', 'phone'] })
    .expect(201);
  return (res.body as { id: string }).id;
}

describe('portal appointments in Chromium', () => {
  beforeAll(async () => {
    portal = await startPortalBrowser();
    t = portal.t;
    c = await seedCenter(t, { counselors: 1, clients: 0 });
    const l = c.counselors[0]!;
    counselor = { token: l.token, account: { id: l.id, role: 'counselor', displayName: l.displayName } };
    owl = await register('grey-owl');
    fox = await register('red-fox');
    day = dayOf(new Date(Date.now() + 2 * 24 * 3600_000).toISOString(), ZONE);
  });
  afterAll(async () => {
    closeAllSockets();
    await portal?.close();
  });

  it('should let a counselor offer a slot after clear errors, in the center time zone', async () => {
    staffPage = await portalAs(counselor);
    await staffPage.goto(url());
    await staffPage.getByRole('heading', { name: 'Termine', level: 1 }).waitFor();
    await staffPage.getByText('Sie bieten gerade keine Termine an.').waitFor();
    await expect(
      staffPage.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Termine' }).getAttribute('aria-current'),
    ).resolves.toBe('page');

    // nothing filled in: every field says what is missing, the focus lands on the first
    await staffPage.getByRole('button', { name: 'Termin anbieten' }).click();
    await staffPage.getByText('Bitte wählen Sie ein Datum.').waitFor();
    await staffPage.getByText('Bitte wählen Sie mindestens eine Kontaktform.').waitFor();
    await expect(activeId(staffPage)).resolves.toBe('appt-date');
    await expect(staffPage.getByLabel('Datum').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-appointments-offer-errors');

    // end before start
    await staffPage.getByLabel('Datum').fill(day);
    await staffPage.getByLabel('Beginn').fill('10:00');
    await staffPage.getByLabel('Ende').fill('09:00');
    const forms = staffPage.getByRole('group', { name: 'Mögliche Kontaktformen' });
    await forms.getByLabel('Video').check();
    await forms.getByLabel('Chat').check();
    await staffPage.getByRole('button', { name: 'Termin anbieten' }).click();
    await staffPage.getByText('Das Ende muss nach dem Beginn liegen', { exact: false }).waitFor();
    await expect(activeId(staffPage)).resolves.toBe('appt-end');
    await expect(get<OwnSlot[]>('/api/slots', counselor.token)).resolves.toEqual([]);

    await staffPage.getByLabel('Ende').fill('10:45');
    await staffPage.getByRole('button', { name: 'Termin anbieten' }).click();
    await staffPage.getByRole('status').filter({ hasText: 'Termin angeboten:' }).waitFor();
    const slots = await get<OwnSlot[]>('/api/slots', counselor.token);
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({ startsAt: zonedToIso(`${day}T10:00`, ZONE), endsAt: zonedToIso(`${day}T10:45`, ZONE), status: 'free' });
    expect([...slots[0]!.forms].sort()).toEqual(['chat', 'video']);
    // shown in the center's zone although this browser is in New York
    const row = staffPage.locator(`[data-slot="${slots[0]!.id}"]`);
    await row.getByText('10:00–10:45 Uhr').waitFor();
    await expect(row.getAttribute('data-status')).resolves.toBe('free');

    // the same time again overlaps: a sentence, nothing stored
    await staffPage.getByLabel('Beginn').fill('10:30');
    await staffPage.getByLabel('Ende').fill('11:00');
    await staffPage.getByRole('button', { name: 'Termin anbieten' }).click();
    await staffPage.getByRole('alert').filter({ hasText: 'überschneidet sich' }).waitFor();
    // what the last step said goes with the new one
    await expect(staffPage.getByRole('status').filter({ hasText: 'Termin angeboten:' }).count()).resolves.toBe(0);
    await expect(get<OwnSlot[]>('/api/slots', counselor.token)).resolves.toHaveLength(1);
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-appointments-counselor-offered');
    await docShot(staffPage, 'counselor-offered');
  });

  it('should let a client book the slot with a chosen form, show the counselor the booking live, and say clearly when someone else was faster', async () => {
    const raced = await offer('14:00', '14:30');
    client = await portalAs(owl);
    await client.goto(url());
    const dayBox = client.locator(`[data-day="${day}"]`);
    await dayBox.getByRole('heading', { level: 3 }).waitFor();
    await dayBox.getByText('10:00–10:45 Uhr').waitFor();
    await dayBox.getByText('14:00–14:30 Uhr').waitFor();
    await client.getByText('Sie haben noch keinen Termin gebucht.').waitFor();
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-appointments-client-free');
    await docShot(client, 'client-free');

    const free = await get<FreeSlot[]>(`/api/centers/${c.slug}/slots`, owl.token);
    const first = free.find((s) => s.id !== raced)!;
    // keyboard: the button, the dialog's radio group (arrow keys), the binding step
    await client.locator(`[data-slot="${first.id}"]`).getByRole('button', { name: 'Buchen' }).click();
    const dialog = client.getByRole('dialog', { name: 'Termin buchen' });
    await dialog.getByRole('group', { name: 'Wie möchten Sie sprechen?' }).waitFor();
    await expect(activeId(client)).resolves.toBe(`appt-book-${first.forms[0]}`);
    expect(first.forms).toEqual(['video', 'chat']);
    await client.keyboard.press('ArrowDown');
    await expect(dialog.getByLabel('Chat').isChecked()).resolves.toBe(true);
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-appointments-client-book-dialog');
    await docShot(client, 'client-book-dialog');
    // Tab past "Abbrechen" to the binding step
    await client.keyboard.press('Tab');
    await client.keyboard.press('Tab');
    await expect(client.evaluate<string>('document.activeElement?.textContent ?? ""')).resolves.toBe('Verbindlich buchen');
    await client.keyboard.press('Enter');
    await client.getByRole('status').filter({ hasText: 'Ihr Termin ist gebucht:' }).waitFor();
    const mine = await get<AppointmentView[]>('/api/appointments', owl.token);
    expect(mine).toEqual([expect.objectContaining({ form: 'chat', status: 'booked', client: null })]);
    const appointment = client.locator(`[data-appointment="${mine[0]!.id}"]`);
    await appointment.getByText(`mit ${counselor.account.displayName}, per Chat`).waitFor();
    await expect(client.locator(`[data-slot="${first.id}"]`).count()).resolves.toBe(0);

    // the counselor's page, never reloaded: the appointment with the client's name, the slot booked, announced
    const booked = staffPage.locator(`[data-appointment="${mine[0]!.id}"]`);
    await booked.getByText('mit grey-owl, per Chat').waitFor();
    await expect(staffPage.locator(`[data-slot="${first.id}"]`).getAttribute('data-status')).resolves.toBe('booked');
    await staffPage.getByRole('status').filter({ hasText: 'gebucht von grey-owl' }).waitFor();
    expect(await seriousViolations(staffPage)).toEqual([]);
    await shot(staffPage, 'portal-appointments-counselor-booked');
    await docShot(staffPage, 'counselor-booked');

    // someone else books the other slot while the client's list still shows it
    await t.http().post(`/api/slots/${raced}/book`).set('Authorization', `Bearer ${fox.token}`).send({ form: 'phone' }).expect(201);
    await client.locator(`[data-slot="${raced}"]`).getByRole('button', { name: 'Buchen' }).click();
    await client.getByRole('dialog', { name: 'Termin buchen' }).getByRole('button', { name: 'Verbindlich buchen' }).click();
    await client.getByRole('alert').filter({ hasText: 'Diesen Termin hat gerade jemand anderes gebucht.' }).waitFor();
    await expect(client.locator(`[data-slot="${raced}"]`).count()).resolves.toBe(0);
    await expect(get<AppointmentView[]>('/api/appointments', owl.token)).resolves.toHaveLength(1);
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-appointments-client-taken');
  });

  it('should let the client download the calendar file with the token and cancel, and show the counselor the cancellation live', async () => {
    const [mine] = await get<AppointmentView[]>('/api/appointments', owl.token);
    const row = client.locator(`[data-appointment="${mine!.id}"]`);
    const [download] = await Promise.all([client.waitForEvent('download'), row.getByRole('button', { name: 'In den Kalender (.ics)' }).click()]);
    expect(download.suggestedFilename()).toBe('lotse-appointment.ics');
    expect(download.url().startsWith('blob:')).toBe(true);
    const ics = readFileSync(await download.path(), 'utf8');
    expect(ics).toContain('BEGIN:VCALENDAR');
    // the wall time of the center, whatever zone this browser is in
    expect(ics).toContain(`DTSTART;TZID=${ZONE}:${day.replace(/-/g, '')}T100000`);
    expect(ics).not.toContain('grey-owl');

    await row.getByRole('button', { name: 'Absagen' }).click();
    const dialog = client.getByRole('dialog', { name: 'Termin absagen?' });
    // the safe choice has the focus; Esc keeps the appointment
    await dialog.waitFor();
    await client.waitForFunction('document.activeElement?.textContent === "Termin behalten"');
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-appointments-client-cancel-dialog');
    await client.keyboard.press('Escape');
    await expect(dialog.count()).resolves.toBe(0);
    await expect(get<AppointmentView[]>('/api/appointments', owl.token)).resolves.toEqual([expect.objectContaining({ status: 'booked' })]);

    await row.getByRole('button', { name: 'Absagen' }).click();
    await client.getByRole('dialog', { name: 'Termin absagen?' }).getByRole('button', { name: 'Termin absagen' }).click();
    await client.getByRole('status').filter({ hasText: 'Der Termin ist abgesagt:' }).waitFor();
    await row.getByText('von Ihnen abgesagt').waitFor();
    await expect(get<AppointmentView[]>('/api/appointments', owl.token)).resolves.toEqual([
      expect.objectContaining({ status: 'cancelled', cancelledBy: 'client' }),
    ]);
    // the slot is free again for everyone
    await client.locator(`[data-slot]`).filter({ hasText: '10:00–10:45 Uhr' }).waitFor();
    expect(await seriousViolations(client)).toEqual([]);
    await shot(client, 'portal-appointments-client-cancelled');
    await docShot(client, 'client-cancelled');

    await staffPage.locator(`[data-appointment="${mine!.id}"]`).getByText('abgesagt von der oder dem Ratsuchenden').waitFor();
    await staffPage.getByRole('status').filter({ hasText: 'grey-owl hat den Termin' }).waitFor();
    expect(await seriousViolations(staffPage)).toEqual([]);
    expect(foreign.flatMap((f) => f.list)).toEqual([]);
  });
});
