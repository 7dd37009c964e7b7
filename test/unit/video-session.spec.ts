import { consentApi, GuestInvite, RestCall, tokenFromHash, VideoSession } from '../../client/src/portal/video/video-session';
import { navFor } from '../../client/src/portal/nav';
import type { CenterPublicInfo } from '../../src/realtime/contract';
import type { ConsentView, InviteView, VideoRoomView } from '../../client/src/portal/video/video-types';

interface Call {
  path: string;
  method: string;
  body: unknown;
}
const refused = (code: string, fields?: string[]) => Promise.reject(Object.assign(new Error(code), { code, ...(fields ? { fields } : {}) }));

/**
 * A fake of the design's video routes (issue 13): the counselor's rooms with clients and guest
 * links, the client's invitations with the consent rule (a join needs the current version
 * confirmed, or sent along), the guest's two invite routes, the admin's consent text.
 */
class FakeVideo {
  calls: Call[] = [];
  rooms: VideoRoomView[] = [];
  consent: ConsentView = { version: 1, text: 'Einwilligung zur Videosprechstunde.\n\nKeine Aufnahmen.' };
  /** The client's confirmed version (0: none yet). */
  confirmed = 0;
  /** Set: every route answers 503 VIDEO_NOT_CONFIGURED. */
  unconfigured = false;
  /** The client's counselor is away: joins are refused with CONFLICT. */
  away = false;
  tokens = new Map<string, string>();
  myClients = new Set(['c1', 'c2']);
  private n = 0;

  call: RestCall = <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const method = init.method ?? 'GET';
    this.calls.push({ path, method, body: init.body });
    const answer = (v: unknown) => Promise.resolve(structuredClone(v) as T);
    if (path === '/api/centers/demo/video-consent') return answer(this.consent);
    if (this.unconfigured) return refused('VIDEO_NOT_CONFIGURED');
    if (path === '/api/video-rooms' && method === 'GET') return answer(this.rooms);
    if (path === '/api/video-rooms' && method === 'POST') {
      const { name } = init.body as { name: string };
      if (!name || name.length > 120) return refused('VALIDATION_FAILED', ['name']);
      const id = `r${++this.n}`;
      const room: VideoRoomView = { id, name, inviteUrl: this.newLink(id), clients: [], createdAt: new Date(Date.UTC(2026, 0, 1, 10, this.n)).toISOString() };
      this.rooms.push(room);
      return answer({ id, name, inviteUrl: room.inviteUrl });
    }
    if (path === '/api/admin/video-consent' && method === 'PUT') {
      const { text } = init.body as { text: string };
      this.consent = { version: this.consent.version + 1, text };
      return answer({ version: this.consent.version });
    }
    const m = /^\/api\/video-rooms\/([^/]+)(\/.*)?$/.exec(path);
    const room = m ? this.rooms.find((r) => r.id === m[1]) : undefined;
    if (!m || !room) return refused('NOT_FOUND');
    const rest = m[2] ?? '';
    if (rest === '' && method === 'PATCH') {
      const { name } = init.body as { name: string };
      if (!name) return refused('VALIDATION_FAILED', ['name']);
      room.name = name;
      return answer({});
    }
    if (rest === '' && method === 'DELETE') {
      this.rooms = this.rooms.filter((r) => r !== room);
      return answer({});
    }
    if (rest === '/invite-link' && method === 'POST') return answer({ inviteUrl: (room.inviteUrl = this.newLink(room.id)) });
    if (rest === '/invite-link' && method === 'DELETE') {
      room.inviteUrl = null;
      return answer({});
    }
    if (rest === '/clients' && method === 'POST') {
      const { clientId } = init.body as { clientId: string };
      if (!this.myClients.has(clientId)) return refused('NOT_FOUND');
      if (!room.clients.some((c) => c.id === clientId)) room.clients.push({ id: clientId, displayName: `name-${clientId}` });
      return answer({});
    }
    const uninvite = /^\/clients\/([^/]+)$/.exec(rest);
    if (uninvite && method === 'DELETE') {
      room.clients = room.clients.filter((c) => c.id !== uninvite[1]);
      return answer({});
    }
    if (rest === '/join' && method === 'POST') {
      if (this.away) return refused('CONFLICT');
      const { consentVersion } = (init.body ?? {}) as { consentVersion?: number };
      if (consentVersion !== undefined) {
        if (consentVersion !== this.consent.version) return refused('VALIDATION_FAILED', ['consentVersion']);
        this.confirmed = consentVersion;
      }
      if (this.confirmed !== this.consent.version) return refused('VALIDATION_FAILED', ['consentVersion']);
      return answer({ url: `https://meet.example.test/${room.id}jitsi`, jwt: 'a.b.c' });
    }
    return refused('INTERNAL');
  };

  /** The guest's calls: no token; only the two invite routes exist for them. */
  publicCall: RestCall = <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const method = init.method ?? 'GET';
    this.calls.push({ path, method, body: init.body });
    const m = /^\/api\/video-invites\/([^/]+)(\/join)?$/.exec(path);
    const roomId = m ? this.tokens.get(decodeURIComponent(m[1]!)) : undefined;
    const room = roomId ? this.rooms.find((r) => r.id === roomId && r.inviteUrl?.endsWith(`#${m![1]}`)) : undefined;
    if (!room) return refused('NOT_FOUND');
    if (!m![2]) {
      const view: InviteView = { center: { slug: 'demo', name: 'Beratung Demo' }, counselor: { displayName: 'Anna' }, consent: this.consent };
      return Promise.resolve(structuredClone(view) as T);
    }
    const { displayName, consentVersion } = init.body as { displayName: string; consentVersion: number };
    if (!displayName) return refused('VALIDATION_FAILED', ['displayName']);
    if (consentVersion !== this.consent.version) return refused('VALIDATION_FAILED', ['consentVersion']);
    return Promise.resolve({ url: `https://meet.example.test/${room.id}jitsi`, jwt: 'guest.jwt.x' } as T);
  };

  private newLink(roomId: string): string {
    const token = `tok${++this.n}`;
    this.tokens.set(token, roomId);
    return `https://lotse.example/c/demo/video-invite#${token}`;
  }
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};
const sessions: VideoSession[] = [];
function counselorSession(fake: FakeVideo, role: 'counselor' | 'client' = 'counselor'): VideoSession {
  const s = new VideoSession({ call: fake.call, role, center: 'demo' });
  sessions.push(s);
  return s;
}
afterEach(() => {
  for (const s of sessions.splice(0)) s.destroy();
});

describe('VideoSession (counselor)', () => {
  it('should create a room, list it from the server and refuse an empty name without a request', async () => {
    const fake = new FakeVideo();
    const video = counselorSession(fake);
    await flush();
    expect(video.state.rooms).toEqual([]);
    const before = fake.calls.length;
    await expect(video.create('   ')).resolves.toEqual({ ok: false, code: 'VALIDATION_FAILED', fields: ['name'] });
    expect(fake.calls.length).toBe(before);
    expect(fake.rooms).toHaveLength(0);

    const made = await video.create('  Helferkonferenz  ');
    expect(made.ok).toBe(true);
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'Helferkonferenz' });
    expect(video.state.rooms).toHaveLength(1);
    expect(video.state.rooms?.[0]).toMatchObject({ name: 'Helferkonferenz', clients: [] });
    expect(video.state.rooms?.[0]?.inviteUrl).toMatch(/\/video-invite#tok\d+$/);
  });

  it('should pass the server refusal of a too long name on with its field, and keep the list unchanged', async () => {
    const fake = new FakeVideo();
    const video = counselorSession(fake);
    await flush();
    await expect(video.create('x'.repeat(121))).resolves.toEqual({ ok: false, code: 'VALIDATION_FAILED', fields: ['name'] });
    expect(video.state.rooms).toEqual([]);
    expect(fake.rooms).toEqual([]);
  });

  it('should rename, invite and uninvite a client, renew and remove the guest link, and delete, the list following each step', async () => {
    const fake = new FakeVideo();
    const video = counselorSession(fake);
    await flush();
    const made = await video.create('Raum A');
    if (!made.ok) throw new Error('not created');
    const id = made.value.id;
    const firstLink = video.room(id)?.inviteUrl;

    await expect(video.rename(id, ' Raum B ')).resolves.toEqual({ ok: true, value: undefined });
    expect(video.room(id)?.name).toBe('Raum B');
    await expect(video.rename(id, '')).resolves.toMatchObject({ ok: false, fields: ['name'] });
    expect(video.room(id)?.name).toBe('Raum B');

    await expect(video.invite(id, 'c1')).resolves.toEqual({ ok: true, value: undefined });
    expect(video.room(id)?.clients).toEqual([{ id: 'c1', displayName: 'name-c1' }]);
    // not one of the counselor's clients: the server's NOT_FOUND, nobody added
    await expect(video.invite(id, 'stranger')).resolves.toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(video.room(id)?.clients).toHaveLength(1);
    await video.uninvite(id, 'c1');
    expect(video.room(id)?.clients).toEqual([]);

    const renewed = await video.renewLink(id);
    expect(renewed.ok && renewed.value).toMatch(/#tok\d+$/);
    expect(renewed.ok && renewed.value).not.toBe(firstLink);
    expect(video.room(id)?.inviteUrl).toBe(renewed.ok ? renewed.value : null);
    await video.removeLink(id);
    expect(video.room(id)?.inviteUrl).toBeNull();

    await expect(video.remove(id)).resolves.toEqual({ ok: true, value: undefined });
    expect(video.state.rooms).toEqual([]);
    expect(fake.calls.map((c) => `${c.method} ${c.path}`)).toEqual(
      expect.arrayContaining([
        `PATCH /api/video-rooms/${id}`,
        `POST /api/video-rooms/${id}/clients`,
        `DELETE /api/video-rooms/${id}/clients/c1`,
        `POST /api/video-rooms/${id}/invite-link`,
        `DELETE /api/video-rooms/${id}/invite-link`,
        `DELETE /api/video-rooms/${id}`,
      ]),
    );
  });

  it('should reload the list when a room is gone (deleted in another tab)', async () => {
    const fake = new FakeVideo();
    const video = counselorSession(fake);
    await flush();
    const made = await video.create('Raum');
    if (!made.ok) throw new Error('not created');
    fake.rooms = [];
    await expect(video.rename(made.value.id, 'Neu')).resolves.toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(video.state.rooms).toEqual([]);
  });

  it('should give the counselor the join link with the jwt, never asking for consent', async () => {
    const fake = new FakeVideo();
    fake.confirmed = 1;
    const video = counselorSession(fake);
    await flush();
    const made = await video.create('Raum');
    if (!made.ok) throw new Error('not created');
    await expect(video.join(made.value.id)).resolves.toEqual({ kind: 'open', link: `https://meet.example.test/${made.value.id}jitsi?jwt=a.b.c` });
  });

  it('should say VIDEO_NOT_CONFIGURED as the list error when the center has no video server', async () => {
    const fake = new FakeVideo();
    fake.unconfigured = true;
    const video = counselorSession(fake);
    await flush();
    expect(video.state).toMatchObject({ rooms: null, listError: 'VIDEO_NOT_CONFIGURED' });
    await expect(video.create('Raum')).resolves.toMatchObject({ ok: false, code: 'VIDEO_NOT_CONFIGURED' });
  });
});

describe('VideoSession (client)', () => {
  async function invitedClient() {
    const fake = new FakeVideo();
    fake.rooms.push({ id: 'r9', name: 'Gespräch', inviteUrl: null, clients: [{ id: 'me', displayName: 'grey-owl' }], createdAt: '2026-01-01T10:00:00.000Z' });
    const video = counselorSession(fake, 'client');
    await flush();
    return { fake, video };
  }

  it('should ask for the consent before the first join, send the confirmed version, and not ask again', async () => {
    const { fake, video } = await invitedClient();
    expect(video.state.invited).toHaveLength(1);
    const first = await video.join('r9');
    expect(first).toEqual({ kind: 'consent', consent: fake.consent });
    expect(fake.confirmed).toBe(0);
    await expect(video.join('r9', 1)).resolves.toEqual({ kind: 'open', link: 'https://meet.example.test/r9jitsi?jwt=a.b.c' });
    expect(fake.confirmed).toBe(1);
    expect(fake.calls.filter((c) => c.path === '/api/video-rooms/r9/join').map((c) => c.body)).toEqual([{}, { consentVersion: 1 }]);
    // confirmed: the next join goes straight through
    await expect(video.join('r9')).resolves.toMatchObject({ kind: 'open' });
  });

  it('should ask again after the center wrote a new version, with the new text', async () => {
    const { fake, video } = await invitedClient();
    await video.join('r9', 1);
    await consentApi.save(fake.call, 'Neue Fassung.');
    await expect(video.join('r9')).resolves.toEqual({ kind: 'consent', consent: { version: 2, text: 'Neue Fassung.' } });
    // an outdated confirmation (the text changed while reading) is asked again too
    await expect(video.join('r9', 1)).resolves.toMatchObject({ kind: 'consent', consent: { version: 2 } });
    expect(fake.confirmed).toBe(1);
  });

  it('should report a refused join (counselor away) as refused, without asking for consent', async () => {
    const { fake, video } = await invitedClient();
    fake.away = true;
    await expect(video.join('r9')).resolves.toEqual({ kind: 'refused', code: 'CONFLICT' });
  });
});

describe('GuestInvite', () => {
  async function withLink() {
    const fake = new FakeVideo();
    const host = new VideoSession({ call: fake.call, role: 'counselor', center: 'demo' });
    sessions.push(host);
    const made = await host.create('Fallkonferenz');
    if (!made.ok || !made.value.inviteUrl) throw new Error('no link');
    return { fake, host, id: made.value.id, token: tokenFromHash(new URL(made.value.inviteUrl).hash) };
  }

  it('should read the token from the fragment only', () => {
    expect(tokenFromHash('#abc_DEF-123')).toBe('abc_DEF-123');
    expect(tokenFromHash('')).toBe('');
    expect(tokenFromHash('#%zz')).toBe('%zz');
  });

  it('should show the invite, refuse a join without a name or confirmation without a request, then join with the shown version', async () => {
    const { fake, token } = await withLink();
    const guest = new GuestInvite(token, fake.publicCall);
    await flush();
    expect(guest.state.invite).toMatchObject({ counselor: { displayName: 'Anna' }, consent: { version: 1 } });
    const before = fake.calls.length;
    await expect(guest.join('  ', false)).resolves.toEqual({ kind: 'invalid', fields: ['displayName', 'consentVersion'] });
    await expect(guest.join('Frau Weber', false)).resolves.toEqual({ kind: 'invalid', fields: ['consentVersion'] });
    expect(fake.calls.length).toBe(before);
    const joined = await guest.join(' Frau Weber ', true);
    expect(joined.kind === 'open' && joined.link).toMatch(/^https:\/\/meet\.example\.test\/r\d+jitsi\?jwt=guest\.jwt\.x$/);
    const post = fake.calls[fake.calls.length - 1]!;
    expect(post).toEqual({ path: `/api/video-invites/${token}/join`, method: 'POST', body: { displayName: 'Frau Weber', consentVersion: 1 } });
    // the token went nowhere but the two invite routes
    expect(fake.calls.filter((c) => c.path.includes(token)).map((c) => c.path)).toEqual([`/api/video-invites/${token}`, `/api/video-invites/${token}/join`]);
  });

  it('should show the new text when the consent changed while the guest read it', async () => {
    const { fake, token } = await withLink();
    const guest = new GuestInvite(token, fake.publicCall);
    await flush();
    await consentApi.save(fake.call, 'Fassung zwei.');
    await expect(guest.join('Herr Kaya', true)).resolves.toEqual({ kind: 'consent', consent: { version: 2, text: 'Fassung zwei.' } });
    expect(guest.state.invite?.consent.version).toBe(2);
    await expect(guest.join('Herr Kaya', true)).resolves.toMatchObject({ kind: 'open' });
  });

  it('should say NOT_FOUND for a renewed link and for an empty fragment', async () => {
    const { fake, host, id, token } = await withLink();
    await host.renewLink(id);
    const guest = new GuestInvite(token, fake.publicCall);
    await flush();
    expect(guest.state).toEqual({ invite: null, error: 'NOT_FOUND', loading: false });
    const none = new GuestInvite('', fake.publicCall);
    expect(none.state.error).toBe('NOT_FOUND');
  });
});

describe('consentApi', () => {
  it('should refuse an empty consent text without a request and save a new version otherwise', async () => {
    const fake = new FakeVideo();
    await expect(consentApi.save(fake.call, '  ')).resolves.toEqual({ ok: false, code: 'VALIDATION_FAILED', fields: ['text'] });
    expect(fake.calls).toEqual([]);
    expect(fake.consent.version).toBe(1);
    await expect(consentApi.save(fake.call, 'Text')).resolves.toEqual({ ok: true, value: 2 });
    await expect(consentApi.load(fake.call, 'demo')).resolves.toEqual({ version: 2, text: 'Text' });
  });
});

describe('navFor', () => {
  const info = (video?: boolean): CenterPublicInfo => ({
    slug: 'demo',
    name: 'Demo',
    privacyText: null,
    emergencyText: null,
    openingHours: [],
    timeZone: 'Europe/Berlin',
    ...(video === undefined ? {} : { video }),
  });
  it('should show the video entries only where the center has video', () => {
    for (const role of ['counselor', 'client'] as const) {
      expect(navFor(role, info(true)).map((e) => e.key)).toContain('video');
      expect(navFor(role, info(false)).map((e) => e.key)).not.toContain('video');
      expect(navFor(role, info()).map((e) => e.key)).not.toContain('video');
      expect(navFor(role, null).map((e) => e.key)).not.toContain('video');
      // everything else stays
      expect(navFor(role, info(false))).toHaveLength(navFor(role, info(true)).length - 1);
    }
  });
});
