import { EventEmitter2 } from '@nestjs/event-emitter';
import { JwtPayload, verify } from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { STAT_COUNTED, StatCountedEvent } from '../../src/common/events';
import { loggedPath } from '../../src/infra/logger';
import { AppointmentPorts } from '../../src/modules/appointments/appointment-ports';
import { APPOINTMENT_VIDEO } from '../../src/modules/appointments/appointment-video.port';
import { ClientCounselorsService } from '../../src/modules/client-counselors/client-counselors.service';
import type {
  NoteView,
  VideoConsentView,
  VideoInviteView,
  VideoJoinResult,
  VideoRoomClientView,
  VideoRoomCreated,
  VideoRoomView,
} from '../../src/realtime/contract';
import { PASSWORD } from '../factories';
import { seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { TestClock } from '../harness/clock';

interface ErrorBody {
  error: { code: string; message: string; fields?: string[] };
}
interface JitsiClaims extends JwtPayload {
  room: string;
  context: { user: { name: string; moderator: boolean }; features: Record<string, boolean> };
}

const JITSI = { JITSI_DOMAIN: 'meet.beratung.example', JITSI_APP_ID: 'lotse-test', JITSI_APP_SECRET: 'a-test-secret-of-at-least-thirty-two-chars' };
const PUBLIC_URL = 'https://beratung.example';

describe('video rooms (REST)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  const clock = new TestClock();
  const stats: StatCountedEvent[] = [];

  beforeAll(async () => {
    t = await startApp({ clock, env: { ...JITSI, PUBLIC_URL } });
    c = await seedCenter(t, { counselors: 3, clients: 4 });
    other = await seedCenter(t, { counselors: 1, clients: 1 });
    t.app.get(EventEmitter2).on(STAT_COUNTED, (e: StatCountedEvent) => stats.push(e));
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const code = (res: { body: unknown }) => (res.body as ErrorBody).error.code;
  const fields = (res: { body: unknown }) => (res.body as ErrorBody).error.fields;
  const ds = () => t.app.get(DataSource);
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await ds().query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${sql}`, params))[0]!.n);
  const createRoom = async (token: string, name: string): Promise<VideoRoomCreated> =>
    (await t.http().post('/api/video-rooms').set(auth(token)).send({ name }).expect(201)).body as VideoRoomCreated;
  const join = (token: string, id: string, body: object = {}) => t.http().post(`/api/video-rooms/${id}/join`).set(auth(token)).send(body);
  const tokenOf = (inviteUrl: string) => inviteUrl.split('#')[1]!;
  const claims = (jwt: string): JitsiClaims =>
    verify(jwt, JITSI.JITSI_APP_SECRET, {
      algorithms: ['HS256'],
      audience: 'jitsi',
      issuer: JITSI.JITSI_APP_ID,
      clockTimestamp: Math.floor(clock.now().getTime() / 1000),
    }) as JitsiClaims;
  const makeClientOf = (clientId: string, counselorId: string) => t.app.get(ClientCounselorsService).assignIfNone(c.centerId, clientId, counselorId, 'admin');
  const roomsOf = async (token: string) => (await t.http().get('/api/video-rooms').set(auth(token)).expect(200)).body as VideoRoomView[];

  it('should hand the room’s counselor a JWT that verifies with the secret and names exactly this room, as moderator, for at most 4 hours', async () => {
    const me = c.counselors[0]!;
    const a = await createRoom(me.token, '  Beratung Familie K.  ');
    const b = await createRoom(me.token, 'Fallkonferenz');
    expect(a).toEqual({
      id: expect.any(String) as string,
      name: 'Beratung Familie K.',
      inviteUrl: expect.stringMatching(new RegExp(`^${PUBLIC_URL}/c/${c.slug}/video-invite#[A-Za-z0-9_-]{43}$`)) as string,
    });

    const before = stats.length;
    const res = await join(me.token, a.id).expect(200);
    const { url, jwt } = res.body as VideoJoinResult;
    expect(url).toMatch(/^https:\/\/meet\.beratung\.example\/[a-z2-7]{32}$/);
    const room = url.split('/').pop()!;
    const payload = claims(jwt);
    const now = Math.floor(clock.now().getTime() / 1000);
    expect(payload).toMatchObject({
      aud: 'jitsi',
      iss: JITSI.JITSI_APP_ID,
      sub: JITSI.JITSI_DOMAIN,
      room,
      context: { user: { name: me.displayName, moderator: true } },
    });
    expect(payload.context.features).toMatchObject({ recording: false, livestreaming: false });
    expect(payload.exp! - now).toBeGreaterThan(60 * 60);
    expect(payload.exp! - now).toBeLessThanOrEqual(4 * 60 * 60);
    expect(payload.nbf).toBeLessThanOrEqual(now);
    // the header says HS256, a wrong secret does not verify
    expect(JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(() => verify(jwt, 'another-secret-another-secret-another', { algorithms: ['HS256'] })).toThrow();
    // counted once, with nothing but the center, the metric and the time
    expect(stats.slice(before)).toEqual([{ centerId: c.centerId, metric: 'video.sessions', at: expect.any(Date) as Date }]);

    // the other room has another unguessable name; a token for one never names the other
    const other = claims(((await join(me.token, b.id).expect(200)).body as VideoJoinResult).jwt);
    expect(other.room).toMatch(/^[a-z2-7]{32}$/);
    expect(other.room).not.toBe(room);
    expect(payload.room).not.toBe(other.room);
    // at rest: the name encrypted, the guest token only as its hash and under the counselor's key
    const [row] = await ds().query<{ name_enc: string; invite_hash: string; invite_enc: string; jitsi_name: string }[]>(
      'SELECT * FROM video_rooms WHERE id = ?',
      [a.id],
    );
    expect(row!.jitsi_name).toBe(room);
    expect(row!.name_enc).not.toContain('Familie');
    expect(row!.invite_enc).not.toContain(tokenOf(a.inviteUrl));
    expect(row!.invite_hash).toMatch(/^[0-9a-f]{64}$/);
    const scope = await ds().query<{ scope: string }[]>('SELECT scope FROM data_keys WHERE id = ?', [row!.name_enc.split(':')[1]]);
    expect(scope[0]!.scope).toBe(`account:${me.id}`);
    // the counselor's list: the link can be copied again
    expect((await roomsOf(me.token)).map((r) => [r.name, r.inviteUrl, r.clients])).toEqual([
      ['Beratung Familie K.', a.inviteUrl, []],
      ['Fallkonferenz', b.inviteUrl, []],
    ]);
  });

  it('should invite only clients of the counselor, ask them for consent once per version, and never make them moderator', async () => {
    const [me, client, stranger] = [c.counselors[0]!, c.clients[0]!, c.clients[1]!];
    const room = await createRoom(me.token, 'Einzelberatung');
    // not theirs (yet): NOT_FOUND, nothing stored
    const refused = await t.http().post(`/api/video-rooms/${room.id}/clients`).set(auth(me.token)).send({ clientId: client.id });
    expect([refused.status, code(refused)]).toEqual([404, 'NOT_FOUND']);
    for (const clientId of [c.counselors[1]!.id, other.clients[0]!.id, 'not-a-uuid']) {
      const r = await t.http().post(`/api/video-rooms/${room.id}/clients`).set(auth(me.token)).send({ clientId });
      expect([clientId, r.status]).toEqual([clientId, 404]);
    }
    expect(await count('video_room_clients WHERE room_id = ?', [room.id])).toBe(0);

    await makeClientOf(client.id, me.id);
    await t.http().post(`/api/video-rooms/${room.id}/clients`).set(auth(me.token)).send({ clientId: client.id }).expect(204);
    await t.http().post(`/api/video-rooms/${room.id}/clients`).set(auth(me.token)).send({ clientId: client.id }).expect(204);
    expect(await count('video_room_clients WHERE room_id = ?', [room.id])).toBe(1);
    const listed = (await t.http().get('/api/video-rooms').set(auth(client.token)).expect(200)).body as VideoRoomClientView[];
    expect(listed).toEqual([{ id: room.id, name: 'Einzelberatung', counselor: { id: me.id, displayName: me.displayName } }]);
    expect((await roomsOf(me.token)).find((r) => r.id === room.id)!.clients).toEqual([{ id: client.id, displayName: client.displayName }]);
    // an uninvited client sees nothing and cannot join
    expect((await t.http().get('/api/video-rooms').set(auth(stranger.token)).expect(200)).body).toEqual([]);
    expect(code(await join(stranger.token, room.id, { consentVersion: 1 }).expect(404))).toBe('NOT_FOUND');

    expect((await t.http().get(`/api/centers/${c.slug}`).expect(200)).body).toMatchObject({ video: true });
    const consent = (await t.http().get(`/api/centers/${c.slug}/video-consent`).expect(200)).body as VideoConsentView;
    expect(consent.version).toBe(1);
    for (const words of ['Geschlossener Raum', 'vorgestellt', 'Keine Aufzeichnungen', 'Verschwiegenheit']) expect(consent.text).toContain(words);

    // without confirming, or with a stale version: VALIDATION_FAILED consentVersion, nothing stored
    for (const body of [{}, { consentVersion: 2 }]) {
      const r = await join(client.token, room.id, body).expect(400);
      expect([code(r), fields(r)]).toEqual(['VALIDATION_FAILED', ['consentVersion']]);
    }
    expect(await count('video_consent_confirmations WHERE account_id = ?', [client.id])).toBe(0);
    const first = (await join(client.token, room.id, { consentVersion: 1 }).expect(200)).body as VideoJoinResult;
    const payload = claims(first.jwt);
    expect(payload.context.user).toMatchObject({ name: client.displayName, moderator: false });
    expect(payload.room).toBe(first.url.split('/').pop());
    // asked once: the next join needs no confirmation
    await join(client.token, room.id).expect(200);
    expect(await count('video_consent_confirmations WHERE account_id = ?', [client.id])).toBe(1);

    // a new text is a new version: asked again
    const put = await t
      .http()
      .put('/api/admin/video-consent')
      .set(auth(c.admin.token))
      .send({ text: 'Neue Fassung: geschlossener Raum, keine Aufzeichnung.' })
      .expect(200);
    expect(put.body).toEqual({ version: 2 });
    expect((await t.http().get(`/api/centers/${c.slug}/video-consent`).expect(200)).body).toEqual({
      version: 2,
      text: 'Neue Fassung: geschlossener Raum, keine Aufzeichnung.',
    });
    expect(fields(await join(client.token, room.id).expect(400))).toEqual(['consentVersion']);
    expect(fields(await join(client.token, room.id, { consentVersion: 1 }).expect(400))).toEqual(['consentVersion']);
    await join(client.token, room.id, { consentVersion: 2 }).expect(200);
    // who, which version, when: nothing more
    const rows = await ds().query<Record<string, unknown>[]>('SELECT * FROM video_consent_confirmations WHERE account_id = ? ORDER BY version', [client.id]);
    expect(rows.map((r) => Object.keys(r).sort())).toEqual([
      ['account_id', 'center_id', 'confirmed_at', 'id', 'room_id', 'version'],
      ['account_id', 'center_id', 'confirmed_at', 'id', 'room_id', 'version'],
    ]);
    expect(rows.map((r) => [Number(r.version), r.room_id])).toEqual([
      [1, null],
      [2, null],
    ]);
    // the other center's text is its own
    expect(((await t.http().get(`/api/centers/${other.slug}/video-consent`).expect(200)).body as VideoConsentView).version).toBe(1);

    // the invitation taken back: the client cannot join any more
    await t.http().delete(`/api/video-rooms/${room.id}/clients/${client.id}`).set(auth(me.token)).expect(204);
    await t.http().delete(`/api/video-rooms/${room.id}/clients/${client.id}`).set(auth(me.token)).expect(404);
    await join(client.token, room.id, { consentVersion: 2 }).expect(404);
  });

  it('should refuse clients and guests while the counselor is away, and let the counselor in', async () => {
    const [me, client] = [c.counselors[1]!, c.clients[2]!];
    const room = await createRoom(me.token, 'Während der Abwesenheit');
    await makeClientOf(client.id, me.id);
    await t.http().post(`/api/video-rooms/${room.id}/clients`).set(auth(me.token)).send({ clientId: client.id }).expect(204);
    const now = clock.now().getTime();
    await t
      .http()
      .put('/api/absence')
      .set(auth(me.token))
      .send({ startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 86_400_000).toISOString(), text: 'Urlaub' })
      .expect(200);
    const consentVersion = ((await t.http().get(`/api/centers/${c.slug}/video-consent`).expect(200)).body as VideoConsentView).version;
    const refused = await join(client.token, room.id, { consentVersion }).expect(409);
    expect(code(refused)).toBe('CONFLICT');
    expect((refused.body as ErrorBody).error.message).toContain('away until');
    const guest = await t
      .http()
      .post(`/api/video-invites/${tokenOf(room.inviteUrl)}/join`)
      .send({ displayName: 'Frau M.', consentVersion })
      .expect(409);
    expect(code(guest)).toBe('CONFLICT');
    // nothing stored by the refused attempts
    expect(await count('video_consent_confirmations WHERE account_id = ? OR room_id = ?', [client.id, room.id])).toBe(0);
    await join(me.token, room.id).expect(200);
    await t.http().delete('/api/absence').set(auth(me.token)).expect(204);
    await join(client.token, room.id, { consentVersion }).expect(200);
  });

  it('should let a guest with the link join (never as moderator) and nobody with a wrong, renewed or removed link', async () => {
    const me = c.counselors[0]!;
    const room = await createRoom(me.token, 'Helferkonferenz');
    const token = tokenOf(room.inviteUrl);
    const info = (await t.http().get(`/api/video-invites/${token}`).expect(200)).body as VideoInviteView;
    expect(info).toEqual({
      center: { slug: c.slug, name: `Center ${c.slug}` },
      counselor: { displayName: me.displayName },
      consent: { version: 2, text: expect.any(String) as string },
    });

    // no confirmation, a stale version, no name, an invisible name, the counselor's own name: refused, nothing stored
    for (const [body, field] of [
      [{ displayName: 'Frau M., Jugendamt' }, 'consentVersion'],
      [{ displayName: 'Frau M., Jugendamt', consentVersion: 1 }, 'consentVersion'],
      [{ displayName: '   ', consentVersion: 2 }, 'displayName'],
      [{ displayName: 'Frau\u200bM.', consentVersion: 2 }, 'displayName'],
      [{ displayName: me.displayName.toUpperCase(), consentVersion: 2 }, 'displayName'],
    ] as const) {
      const r = await t.http().post(`/api/video-invites/${token}/join`).send(body).expect(400);
      expect([JSON.stringify(body), code(r), fields(r)]).toEqual([JSON.stringify(body), 'VALIDATION_FAILED', [field]]);
    }
    expect(await count('video_consent_confirmations WHERE room_id = ?', [room.id])).toBe(0);

    const res = await t.http().post(`/api/video-invites/${token}/join`).send({ displayName: 'Frau M., Erziehungsberatung', consentVersion: 2 }).expect(200);
    const guest = res.body as VideoJoinResult;
    const payload = claims(guest.jwt);
    expect(payload.context.user).toMatchObject({ name: 'Frau M., Erziehungsberatung', moderator: false });
    expect(payload.room).toBe(guest.url.split('/').pop());
    // the guest's confirmation names the room, not the guest
    const rows = await ds().query<{ account_id: string | null; room_id: string; version: number }[]>(
      'SELECT * FROM video_consent_confirmations WHERE room_id = ?',
      [room.id],
    );
    expect(rows.map((r) => [r.account_id, Number(r.version)])).toEqual([[null, 2]]);

    // wrong tokens: NOT_FOUND, the same for a random one and for garbage
    for (const wrong of ['A'.repeat(43), token.slice(0, 42), 'x', `${token}x`]) {
      expect([wrong, (await t.http().get(`/api/video-invites/${wrong}`)).status]).toEqual([wrong, 404]);
      expect([wrong, (await t.http().post(`/api/video-invites/${wrong}/join`).send({ displayName: 'Gast', consentVersion: 2 })).status]).toEqual([wrong, 404]);
    }

    // renewed: the old link dies at once, the new one works
    const renewed = (await t.http().post(`/api/video-rooms/${room.id}/invite-link`).set(auth(me.token)).expect(200)).body as { inviteUrl: string };
    expect(renewed.inviteUrl).not.toBe(room.inviteUrl);
    expect(code(await t.http().get(`/api/video-invites/${token}`).expect(404))).toBe('NOT_FOUND');
    await t.http().post(`/api/video-invites/${token}/join`).send({ displayName: 'Gast', consentVersion: 2 }).expect(404);
    await t
      .http()
      .get(`/api/video-invites/${tokenOf(renewed.inviteUrl)}`)
      .expect(200);
    expect((await roomsOf(me.token)).find((r) => r.id === room.id)!.inviteUrl).toBe(renewed.inviteUrl);

    // removed: no link at all
    await t.http().delete(`/api/video-rooms/${room.id}/invite-link`).set(auth(me.token)).expect(204);
    await t
      .http()
      .get(`/api/video-invites/${tokenOf(renewed.inviteUrl)}`)
      .expect(404);
    expect((await roomsOf(me.token)).find((r) => r.id === room.id)!.inviteUrl).toBeNull();

    // the token never reaches a log line
    expect(loggedPath(`/api/video-invites/${token}/join`)).toBe('/api/video-invites/:token/join');
    expect(loggedPath(`/api/video-invites/${token}`)).toBe('/api/video-invites/:token');
  });

  it('should limit the guest joins through one link (a leaked link cannot fill the confirmations) and leave other links alone', async () => {
    const me = c.counselors[2]!;
    const [room, spare] = [await createRoom(me.token, 'Viele Gäste'), await createRoom(me.token, 'Andere Gäste')];
    const guestJoin = (inviteUrl: string) =>
      t
        .http()
        .post(`/api/video-invites/${tokenOf(inviteUrl)}/join`)
        .send({ displayName: 'Gast', consentVersion: 2 });
    for (let i = 0; i < 60; i++) expect([i, (await guestJoin(room.inviteUrl)).status]).toEqual([i, 200]);
    const limited = await guestJoin(room.inviteUrl).expect(429);
    expect(code(limited)).toBe('RATE_LIMITED');
    expect(await count('video_consent_confirmations WHERE room_id = ?', [room.id])).toBe(60);
    await guestJoin(spare.inviteUrl).expect(200);
  });

  it('should show nothing to other roles, other counselors and other centers, and change nothing for them', async () => {
    const [me, colleague] = [c.counselors[0]!, c.counselors[2]!];
    const room = await createRoom(me.token, 'Nur meins');
    const outsiders = [colleague, c.admin, c.clients[3]!, other.counselors[0]!, other.admin, other.clients[0]!];
    for (const who of outsiders) {
      const calls = [
        t.http().patch(`/api/video-rooms/${room.id}`).set(auth(who.token)).send({ name: 'gekapert' }),
        t.http().delete(`/api/video-rooms/${room.id}`).set(auth(who.token)),
        t.http().post(`/api/video-rooms/${room.id}/invite-link`).set(auth(who.token)),
        t.http().delete(`/api/video-rooms/${room.id}/invite-link`).set(auth(who.token)),
        t.http().post(`/api/video-rooms/${room.id}/clients`).set(auth(who.token)).send({ clientId: c.clients[3]!.id }),
        t.http().post(`/api/video-rooms/${room.id}/join`).set(auth(who.token)).send({ consentVersion: 2 }),
        t.http().get(`/api/video-rooms/${room.id}/notes`).set(auth(who.token)),
        t.http().post(`/api/video-rooms/${room.id}/notes`).set(auth(who.token)).send({ body: 'x' }),
      ];
      for (const res of await Promise.all(calls)) expect([who.displayName, res.status, code(res)]).toEqual([who.displayName, 404, 'NOT_FOUND']);
    }
    // lists: a colleague sees only their own rooms, the admin may not list rooms at all
    expect((await roomsOf(colleague.token)).map((r) => r.id)).not.toContain(room.id);
    expect(code(await t.http().get('/api/video-rooms').set(auth(c.admin.token)).expect(403))).toBe('FORBIDDEN');
    expect(code(await t.http().post('/api/video-rooms').set(auth(c.admin.token)).send({ name: 'x' }).expect(403))).toBe('FORBIDDEN');
    expect(code(await t.http().post('/api/video-rooms').set(auth(c.clients[0]!.token)).send({ name: 'x' }).expect(403))).toBe('FORBIDDEN');
    expect(code(await t.http().put('/api/admin/video-consent').set(auth(me.token)).send({ text: 'x' }).expect(403))).toBe('FORBIDDEN');
    // without a token
    expect(code(await t.http().get('/api/video-rooms').expect(401))).toBe('UNAUTHORIZED');
    expect(code(await t.http().post(`/api/video-rooms/${room.id}/join`).send({}).expect(401))).toBe('UNAUTHORIZED');
    // nothing changed
    const mine = (await roomsOf(me.token)).find((r) => r.id === room.id)!;
    expect([mine.name, mine.inviteUrl, mine.clients]).toEqual(['Nur meins', room.inviteUrl, []]);
  });

  it('should refuse bad input with a clear error and change nothing', async () => {
    const me = c.counselors[0]!;
    const room = await createRoom(me.token, 'Bleibt so');
    const rooms = await count('video_rooms');
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(121) }, { name: 42 }, { name: ['a'] }, { name: 'ok', extra: 1 }]) {
      const r = await t.http().post('/api/video-rooms').set(auth(me.token)).send(body);
      expect([JSON.stringify(body), r.status, code(r)]).toEqual([JSON.stringify(body), 400, 'VALIDATION_FAILED']);
      const p = await t.http().patch(`/api/video-rooms/${room.id}`).set(auth(me.token)).send(body);
      expect([JSON.stringify(body), p.status]).toEqual([JSON.stringify(body), 400]);
    }
    expect(fields(await t.http().post('/api/video-rooms').set(auth(me.token)).send({ name: '  ' }))).toEqual(['name']);
    expect(await count('video_rooms')).toBe(rooms);
    expect((await roomsOf(me.token)).find((r) => r.id === room.id)!.name).toBe('Bleibt so');
    for (const consentVersion of [0, -1, 1.5, '2']) {
      expect([consentVersion, (await join(me.token, room.id, { consentVersion })).status]).toEqual([consentVersion, 400]);
    }
    const versions = await count('video_consents WHERE center_id = ?', [c.centerId]);
    for (const body of [{}, { text: '' }, { text: '  ' }, { text: 'x'.repeat(20001) }, { text: 7 }]) {
      const r = await t.http().put('/api/admin/video-consent').set(auth(c.admin.token)).send(body);
      expect([JSON.stringify(body).slice(0, 40), r.status, code(r)]).toEqual([JSON.stringify(body).slice(0, 40), 400, 'VALIDATION_FAILED']);
    }
    expect(await count('video_consents WHERE center_id = ?', [c.centerId])).toBe(versions);
    // unknown and malformed ids
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      expect((await join(me.token, id)).status).toBe(404);
      expect((await t.http().delete(`/api/video-rooms/${id}`).set(auth(me.token))).status).toBe(404);
    }
  });

  it('should keep the counselor’s private notes per room, encrypted with their key, and delete them with the room', async () => {
    const me = c.counselors[0]!;
    const room = await createRoom(me.token, 'Mit Notizen');
    const path = `/api/video-rooms/${room.id}/notes`;
    const id = ((await t.http().post(path).set(auth(me.token)).send({ body: '  Vorbereitung: Unterlagen.  ' }).expect(201)).body as { id: string }).id;
    expect(((await t.http().get(path).set(auth(me.token)).expect(200)).body as NoteView[]).map((n) => n.body)).toEqual(['Vorbereitung: Unterlagen.']);
    const patched = await t.http().patch(`${path}/${id}`).set(auth(me.token)).send({ body: 'Korrigiert.' }).expect(200);
    expect(patched.body).toMatchObject({ id, body: 'Korrigiert.' });
    const [row] = await ds().query<{ body_enc: string; client_id: string | null; thread_id: string | null }[]>('SELECT * FROM notes WHERE id = ?', [id]);
    expect([row!.client_id, row!.thread_id]).toEqual([null, null]);
    expect(row!.body_enc).not.toContain('Korrigiert');
    expect((await ds().query<{ scope: string }[]>('SELECT scope FROM data_keys WHERE id = ?', [row!.body_enc.split(':')[1]]))[0]!.scope).toBe(
      `account:${me.id}`,
    );
    // a note of this room under another room's path: NOT_FOUND
    const second = await createRoom(me.token, 'Ohne Notizen');
    await t.http().patch(`/api/video-rooms/${second.id}/notes/${id}`).set(auth(me.token)).send({ body: 'x' }).expect(404);
    expect((await t.http().get(`/api/video-rooms/${second.id}/notes`).set(auth(me.token)).expect(200)).body).toEqual([]);
    // bad input changes nothing
    for (const body of [{ body: '   ' }, { body: 'x'.repeat(4001) }, {}]) await t.http().patch(`${path}/${id}`).set(auth(me.token)).send(body).expect(400);
    expect(((await t.http().get(path).set(auth(me.token)).expect(200)).body as NoteView[]).map((n) => n.body)).toEqual(['Korrigiert.']);

    await t.http().delete(`/api/video-rooms/${room.id}`).set(auth(me.token)).expect(204);
    expect(await count('notes WHERE id = ?', [id])).toBe(0);
    expect(await count('video_rooms WHERE id = ?', [room.id])).toBe(0);
    await t
      .http()
      .get(`/api/video-invites/${tokenOf(room.inviteUrl)}`)
      .expect(404);
    await t.http().get(path).set(auth(me.token)).expect(404);
  });

  it('should give a video booking the counselor’s room for that client, reusing it the next time', async () => {
    const [me, client] = [c.counselors[2]!, c.clients[3]!];
    await makeClientOf(client.id, me.id);
    const port = t.app.get(AppointmentPorts).get(APPOINTMENT_VIDEO);
    const id = await port.roomFor(c.centerId, me.id, client.id);
    expect(id).toEqual(expect.any(String));
    expect(await port.roomFor(c.centerId, me.id, client.id)).toBe(id);
    const listed = (await t.http().get('/api/video-rooms').set(auth(client.token)).expect(200)).body as VideoRoomClientView[];
    expect(listed.map((r) => [r.id, r.counselor.id])).toEqual([[id, me.id]]);
    expect((await roomsOf(me.token)).filter((r) => r.id === id).map((r) => r.clients)).toEqual([[{ id: client.id, displayName: client.displayName }]]);
    // a client who is not active gets no room
    expect(await port.roomFor(c.centerId, me.id, '00000000-0000-4000-8000-000000000000')).toBeNull();

    // through the booking routes: a video appointment names that room
    const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    const slot = (
      await t
        .http()
        .post('/api/slots')
        .set(auth(me.token))
        .send({ startsAt: at(86_400_000), endsAt: at(86_400_000 + 3_600_000), forms: ['video'] })
        .expect(201)
    ).body as { id: string };
    await t.http().post(`/api/slots/${slot.id}/book`).set(auth(client.token)).send({ form: 'video' }).expect(201);
    const appointments = (await t.http().get('/api/appointments').set(auth(client.token)).expect(200)).body as { form: string; videoRoomId: string | null }[];
    expect(appointments.map((a) => [a.form, a.videoRoomId])).toEqual([['video', id]]);
  });

  it('should delete a client’s invitations and confirmations with their account, and a counselor’s rooms with theirs', async () => {
    // the leaver is a client of counselor 0 (the second test): that counselor's room, then the counselor goes too
    const leaver = c.clients[0]!;
    const counselor = c.counselors[0]!;
    const room = await createRoom(counselor.token, 'Geht mit');
    await t.http().post(`/api/video-rooms/${room.id}/clients`).set(auth(counselor.token)).send({ clientId: leaver.id }).expect(204);
    await t.http().post(`/api/video-rooms/${room.id}/notes`).set(auth(counselor.token)).send({ body: 'Notiz zum Raum' }).expect(201);
    expect(await count('video_consent_confirmations WHERE account_id = ?', [leaver.id])).toBeGreaterThan(0);

    await t.http().delete('/api/accounts/me').set(auth(leaver.token)).send({ password: PASSWORD }).expect(204);
    expect(await count('video_room_clients WHERE client_id = ?', [leaver.id])).toBe(0);
    expect(await count('video_consent_confirmations WHERE account_id = ?', [leaver.id])).toBe(0);
    expect(await count('video_rooms WHERE id = ?', [room.id])).toBe(1);

    await t.http().delete(`/api/centers/${c.slug}/staff/${counselor.id}`).set(auth(c.admin.token)).expect(204);
    expect(await count('video_rooms WHERE counselor_id = ?', [counselor.id])).toBe(0);
    expect(await count('video_room_clients WHERE room_id = ?', [room.id])).toBe(0);
    expect(await count('notes WHERE author_id = ?', [counselor.id])).toBe(0);
    await t
      .http()
      .get(`/api/video-invites/${tokenOf(room.inviteUrl)}`)
      .expect(404);
  });
});
