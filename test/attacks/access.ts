import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type request from 'supertest';
import { call, ok } from '../harness/ack';
import { deflateSync } from 'node:zlib';
import { cleanPdf } from '../factories/pdfs';
import { type Actor, as, assignedThread, type CenterWorld, freshClient, freshStaff, freshVisitor, socketOf, type VisitorActor, world } from './actors';
import { OPENAPI_FILE, plant } from './server';

/**
 * The declarative table of the access matrix (test/attacks/access-matrix.spec.ts): for every REST
 * route of the OpenAPI document, which of the eight actors gets the success answer, and the request
 * that would succeed for them. Every other actor must be refused — 401 without a token, 404 where a
 * caller of the right role asks for another party's (or another center's) resource, 403 or 404
 * for a wrong role — and no answer may carry an id the caller may not know.
 */

export const ACTORS = ['anon', 'visitor', 'client', 'client2', 'counselor', 'counselor2', 'admin', 'admin2'] as const;
export type ActorKey = (typeof ACTORS)[number];
export const ROLE_OF: Record<ActorKey, 'none' | 'visitor' | 'client' | 'counselor' | 'admin'> = {
  anon: 'none',
  visitor: 'visitor',
  client: 'client',
  client2: 'client',
  counselor: 'counselor',
  counselor2: 'counselor',
  admin: 'admin',
  admin2: 'admin',
};
export const ALL: ActorKey[] = [...ACTORS];
export const TOKENS: ActorKey[] = ACTORS.filter((a) => a !== 'anon');
export const ACCOUNTS: ActorKey[] = ['client', 'client2', 'counselor', 'counselor2', 'admin', 'admin2'];
export const STAFF: ActorKey[] = ['counselor', 'counselor2', 'admin', 'admin2'];

export type Who = Actor | VisitorActor | null;

/** Who each actor key is in the seeded world: center A's people, and center B's admin as `admin2`. */
export function actorsOf(): Record<ActorKey, Who> {
  const [a, b] = world().centers;
  return {
    anon: null,
    visitor: a.visitor,
    client: a.clients[0],
    client2: a.clients[1],
    counselor: a.counselors[0],
    counselor2: a.counselors[1],
    admin: a.admin,
    admin2: b.admin,
  };
}

export interface Req {
  /** Path parameters (the `{name}` of the OpenAPI path). */
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** multipart: one field `file`. */
  file?: { bytes: Buffer; filename: string; contentType: string };
}

export interface Ctx {
  a: CenterWorld;
  b: CenterWorld;
  who: Record<ActorKey, Who>;
}

export interface Rule {
  /** The actors that get the success answer (`ok`). */
  allow: ActorKey[];
  /** Success statuses (default 200, 201, 202, 204). */
  ok?: number[];
  /** The request for `actor` on center A (params, body). Default: no params besides `center`. */
  req?: (c: Ctx, actor: ActorKey) => Req | Promise<Req>;
  /** Destructive: `req` is called again for every allowed actor (a fresh resource each), after the refused ones. */
  fresh?: boolean;
  /** Each actor is replaced by a fresh one of the same role and center (routes that spend the caller's session or account). */
  freshActors?: boolean;
  /** Exact refusal statuses for some actors (default: anon 401, same role but not the owner 404 on id routes, otherwise 403 or 404). */
  deny?: Partial<Record<ActorKey, number[]>>;
  /** The ids of center B that stand for the path's ids (for the existence oracle). */
  foreign?: (c: Ctx) => Record<string, string>;
}

const future = (days: number, hour = 0) => new Date(Math.ceil(Date.now() / 3600_000) * 3600_000 + days * 86_400_000 + hour * 3600_000);
const uniq = () => randomBytes(5).toString('hex');
let slotHour = 0;
/** A free hour for a new slot, never overlapping another test's. */
const slotTime = () => {
  const startsAt = future(20 + Math.floor(slotHour / 20), slotHour++ % 20);
  return { startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 30 * 60_000).toISOString(), forms: ['chat', 'mail'] };
};

async function freshRoom(counselor: Actor, client: Actor): Promise<string> {
  const s = await socketOf(counselor.token);
  try {
    return ok(await call(s, 'room.create', { name: plant(`Raum ${uniq()}`), memberIds: [client.id] })).roomId;
  } finally {
    s.close();
  }
}
/** A new video room of `counselor` (with `client` invited). */
export async function freshVideoRoom(counselor: Actor, client?: Actor): Promise<string> {
  const res = await as(counselor.token)
    .post('/api/video-rooms')
    .send({ name: plant(`Videoraum ${uniq()}`) })
    .expect(201);
  const id = (res.body as { id: string }).id;
  if (client) await as(counselor.token).post(`/api/video-rooms/${id}/clients`).send({ clientId: client.id }).expect(204);
  return id;
}
/** The center's current video consent version (an admin of the matrix may have set a new text). */
export async function consentVersion(slug: string): Promise<number> {
  return ((await as(null).get(`/api/centers/${slug}/video-consent`).expect(200)).body as { version: number }).version;
}
async function freshSlot(counselor: Actor): Promise<string> {
  const res = await as(counselor.token).post('/api/slots').send(slotTime()).expect(201);
  const body = res.body as { id?: string; ids?: string[] };
  return body.id ?? body.ids![0]!;
}
async function freshNote(counselor: Actor, client: Actor): Promise<string> {
  const res = await as(counselor.token)
    .post(`/api/clients/${client.id}/notes`)
    .send({ body: plant(`Notiz ${uniq()}`) })
    .expect(201);
  return (res.body as { id: string }).id;
}
async function freshTopic(a: CenterWorld): Promise<string> {
  const s = future(9);
  const res = await as(a.admin.token)
    .post(`/api/centers/${a.slug}/topic-chats`)
    .send({ title: `Thema ${uniq()}`, description: 'x', startsAt: s.toISOString(), endsAt: new Date(s.getTime() + 3600_000).toISOString(), capacity: 5 })
    .expect(201);
  return (res.body as { id: string }).id;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
/** An 8×8 PNG with correct checksums (an image decoder accepts it). */
export function decodablePng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0]);
  const rows = Buffer.concat(Array.from({ length: 8 }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(24, 0x80)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const C = (c: Ctx) => ({ center: c.a.slug });
const RANDOM_TOKEN = () => randomBytes(32).toString('base64url');

/** The table: one entry per `METHOD /path` of the OpenAPI document. */
export const RULES: Record<string, Rule> = {
  // ---- public reads -------------------------------------------------------------------------
  'GET /health': { allow: ALL },
  'GET /api/centers': { allow: ALL },
  'GET /api/centers/{center}': { allow: ALL, req: (c) => ({ params: C(c) }) },
  'GET /api/centers/{center}/live': { allow: ALL, req: (c) => ({ params: C(c) }) },
  'GET /api/centers/{center}/topic-chats': { allow: ALL, req: (c) => ({ params: C(c) }) },
  'GET /api/centers/{center}/video-consent': { allow: ALL, ok: [200], req: (c) => ({ params: C(c) }) },
  'GET /api/centers/{center}/team': { allow: ALL, req: (c) => ({ params: C(c) }) },
  // nobody has a picture: the same 404 for everyone
  'GET /api/centers/{center}/team/{id}/picture': { allow: ALL, ok: [404], req: (c) => ({ params: { ...C(c), id: c.a.counselors[1].id } }) },
  // a guest link is the only key: whoever holds it (with or without a token) sees and joins that room,
  // never as moderator (test/attacks/video.spec.ts checks the JWT); a random token answers 404
  'GET /api/video-invites/{token}': { allow: ALL, ok: [200], req: (c) => ({ params: { token: c.a.videoInviteToken } }) },
  'POST /api/video-invites/{token}/join': {
    allow: ALL,
    ok: [200],
    req: async (c) => ({ params: { token: c.a.videoInviteToken }, body: { displayName: 'Gast', consentVersion: await consentVersion(c.a.slug) } }),
  },

  // ---- public auth steps (a token in the header changes nothing) ------------------------------
  'POST /api/auth/login': { allow: ALL, ok: [401], req: (c) => ({ body: { center: c.a.slug, login: `nobody-${uniq()}`, password: 'Wrong-Horse-1-Battery' } }) },
  'POST /api/auth/register': {
    allow: ALL,
    ok: [201],
    req: (c) => ({ body: { center: c.a.slug, username: `reg-${uniq()}`, password: 'Attack-Horse-9-Battery' } }),
  },
  'POST /api/centers/{center}/visitors': { allow: ALL, ok: [201], req: (c) => ({ params: C(c), body: {} }) },
  'POST /api/auth/confirm-email': { allow: ALL, ok: [404], req: (c) => ({ body: { center: c.a.slug, token: RANDOM_TOKEN() } }) },
  // a new double-opt-in link: 202 {} whatever the old link was (nothing tells)
  'POST /api/auth/confirm-email/resend': { allow: ALL, ok: [202], req: (c) => ({ body: { center: c.a.slug, token: RANDOM_TOKEN() } }) },
  'POST /api/auth/password-reset': { allow: ALL, ok: [202], req: (c) => ({ body: { center: c.a.slug, login: `nobody-${uniq()}` } }) },
  'POST /api/auth/password-reset/confirm': {
    allow: ALL,
    ok: [404],
    req: (c) => ({ body: { center: c.a.slug, token: RANDOM_TOKEN(), password: 'Attack-Horse-9-Battery' } }),
  },
  'POST /api/auth/invitation': {
    allow: ALL,
    ok: [404],
    req: (c) => ({ body: { center: c.a.slug, token: RANDOM_TOKEN(), password: 'Attack-Horse-9-Battery' } }),
  },

  // ---- the caller's own session and account ---------------------------------------------------
  'GET /api/auth/me': { allow: TOKENS },
  'POST /api/auth/logout': { allow: TOKENS, freshActors: true },
  'POST /api/auth/password': {
    allow: ACCOUNTS,
    freshActors: true,
    req: (c, actor) => ({ body: { currentPassword: (c.who[actor] as Actor | null)?.password ?? 'x', newPassword: `Neu-${uniq()}-Pferd-7` } }),
  },
  'DELETE /api/accounts/me': {
    // (the last active admin of a center gets 409; the fresh admins here are not the last one)
    allow: ACCOUNTS,
    freshActors: true,
    req: (c, actor) => ({ body: { password: (c.who[actor] as Actor | null)?.password ?? 'x' } }),
  },
  // counselors change their team text; admins only their display name
  'PATCH /api/accounts/me': {
    allow: STAFF,
    req: (c, actor) => ({ body: ROLE_OF[actor] === 'admin' ? { displayName: (c.who[actor] as Actor).displayName } : { teamText: 'Ich bin für dich da.' } }),
  },
  'GET /api/accounts/me/profile': { allow: STAFF },
  'PUT /api/accounts/me/picture': {
    allow: ['counselor', 'counselor2'],
    req: () => ({ file: { bytes: decodablePng(), filename: 'me.png', contentType: 'image/png' } }),
  },
  'GET /api/accounts/me/picture': { allow: ['counselor', 'counselor2'], ok: [200] },
  'DELETE /api/accounts/me/picture': { allow: ['counselor', 'counselor2'] },
  'GET /api/accounts/me/counselor': { allow: ['client', 'client2'] },

  // ---- the center's administration --------------------------------------------------------------
  'GET /api/centers/{center}/settings': { allow: ['admin'], req: (c) => ({ params: C(c) }) },
  'PATCH /api/centers/{center}/settings': { allow: ['admin'], req: (c) => ({ params: C(c), body: { liveWaitingLimit: 50 } }) },
  'GET /api/centers/{center}/staff': { allow: ['admin'], req: (c) => ({ params: C(c) }) },
  'POST /api/centers/{center}/staff': {
    allow: ['admin'],
    req: (c) => ({ params: C(c), body: { email: `inv-${uniq()}@${c.a.slug}.example`, displayName: `Neu ${uniq()}`, role: 'counselor' } }),
  },
  'POST /api/centers/{center}/staff/{id}/deactivate': {
    allow: ['admin'],
    fresh: true,
    req: async (c) => ({ params: { ...C(c), id: (await freshStaff(c.a.slug, c.a.admin)).id } }),
    foreign: (c) => ({ id: c.b.counselors[0].id }),
  },
  'POST /api/centers/{center}/staff/{id}/reactivate': {
    allow: ['admin'],
    fresh: true,
    req: async (c) => {
      const s = await freshStaff(c.a.slug, c.a.admin);
      await as(c.a.admin.token).post(`/api/centers/${c.a.slug}/staff/${s.id}/deactivate`).expect(200);
      return { params: { ...C(c), id: s.id } };
    },
    foreign: (c) => ({ id: c.b.counselors[0].id }),
  },
  'DELETE /api/centers/{center}/staff/{id}': {
    allow: ['admin'],
    fresh: true,
    req: async (c) => ({ params: { ...C(c), id: (await freshStaff(c.a.slug, c.a.admin)).id } }),
    foreign: (c) => ({ id: c.b.counselors[0].id }),
  },
  'GET /api/centers/{center}/clients/inactive': { allow: ['admin'], req: (c) => ({ params: C(c) }) },
  'DELETE /api/centers/{center}/clients/{id}': {
    allow: ['admin'],
    fresh: true,
    req: async (c) => ({ params: { ...C(c), id: (await freshClient(c.a.slug)).id } }),
    foreign: (c) => ({ id: c.b.clients[0].id }),
  },
  'POST /api/admin/staff/{id}/team-visibility': {
    allow: ['admin'],
    req: (c) => ({ params: { id: c.a.counselors[0].id }, body: { hidden: false } }),
    foreign: (c) => ({ id: c.b.counselors[0].id }),
  },
  'GET /api/admin/retention': { allow: ['admin', 'admin2'] },
  'PUT /api/admin/video-consent': { allow: ['admin', 'admin2'], req: () => ({ body: { text: 'Ich willige in die Videoberatung ein.' } }) },
  'GET /api/centers/{center}/stats': { allow: ['admin'], req: (c) => ({ params: C(c) }) },
  'GET /api/centers/{center}/stats.csv': { allow: ['admin'], req: (c) => ({ params: C(c) }) },
  // routes without a center in the path act in the caller's own center: center B's admin gets B's answer
  'GET /api/absences': { allow: ['admin', 'admin2'] },
  'GET /api/centers/{center}/live/overview': { allow: ['admin'], req: (c) => ({ params: C(c) }) },

  // ---- accounts lists ------------------------------------------------------------------------
  'GET /api/accounts/clients': { allow: STAFF },
  'GET /api/accounts/staff': { allow: STAFF },

  // ---- rooms -------------------------------------------------------------------------------------
  // a visitor's live chats are rooms too
  'GET /api/rooms': { allow: TOKENS },
  'GET /api/rooms/{id}/members': { allow: ['client', 'counselor'], req: (c) => ({ params: { id: c.a.rooms[0] } }), foreign: (c) => ({ id: c.b.rooms[0] }) },
  // its counselor or an admin (documented)
  'DELETE /api/rooms/{id}': {
    allow: ['counselor', 'admin'],
    fresh: true,
    req: async (c) => ({ params: { id: await freshRoom(c.a.counselors[0], c.a.clients[0]) } }),
    foreign: (c) => ({ id: c.b.rooms[0] }),
  },

  // ---- topic chats -----------------------------------------------------------------------------
  'POST /api/centers/{center}/topic-chats': {
    allow: ['counselor', 'counselor2', 'admin'],
    req: (c) => {
      const s = future(10);
      return {
        params: C(c),
        body: { title: `Thema ${uniq()}`, description: 'x', startsAt: s.toISOString(), endsAt: new Date(s.getTime() + 3600_000).toISOString(), capacity: 5 },
      };
    },
  },
  // the host or an admin; topic chats are public (listed on the center page), so "not yours" may say 403
  'PATCH /api/centers/{center}/topic-chats/{id}': {
    allow: ['admin'],
    deny: { counselor: [403], counselor2: [403] },
    req: (c) => ({ params: { ...C(c), id: c.a.topicChatId }, body: { description: 'Offener Abend für alle' } }),
    foreign: (c) => ({ id: c.b.topicChatId }),
  },
  'DELETE /api/centers/{center}/topic-chats/{id}': {
    allow: ['admin'],
    deny: { counselor: [403], counselor2: [403] },
    fresh: true,
    req: async (c) => ({ params: { ...C(c), id: await freshTopic(c.a) } }),
    foreign: (c) => ({ id: c.b.topicChatId }),
  },

  // ---- canned responses -------------------------------------------------------------------------
  'GET /api/canned-responses': { allow: STAFF },
  'POST /api/canned-responses': { allow: STAFF, req: () => ({ body: { title: 'Gruß', body: plant(`Vorlage ${uniq()}`) } }) },
  'PATCH /api/canned-responses/{id}': {
    allow: ['counselor'],
    req: (c) => ({ params: { id: c.a.cannedResponseId }, body: { title: 'Gruß 2' } }),
    foreign: (c) => ({ id: c.b.cannedResponseId }),
  },
  'DELETE /api/canned-responses/{id}': {
    allow: ['counselor'],
    fresh: true,
    req: async (c) => {
      const res = await as(c.a.counselors[0].token)
        .post('/api/canned-responses')
        .send({ title: 'Weg', body: plant(`Vorlage ${uniq()}`) })
        .expect(201);
      return { params: { id: (res.body as { id: string }).id } };
    },
    foreign: (c) => ({ id: c.b.cannedResponseId }),
  },

  // ---- threads, posts, documents ----------------------------------------------------------------
  'POST /api/threads': {
    // a client opens an enquiry; a counselor a thread with their own client (counselor2: not theirs → 404)
    allow: ['client', 'client2', 'counselor'],
    deny: { counselor2: [404] },
    req: (c, actor) => ({
      body: {
        subject: plant(`Betreff ${uniq()}`),
        body: plant(`Text ${uniq()}`),
        ...(ROLE_OF[actor] === 'client' || actor === 'anon' || actor === 'visitor' ? {} : { clientIds: [c.a.clients[0].id] }),
      },
    }),
  },
  'GET /api/threads': { allow: ACCOUNTS },
  'GET /api/threads/clients': { allow: ['counselor', 'counselor2'] },
  'GET /api/threads/{id}': { allow: ['client', 'counselor'], req: (c) => ({ params: { id: c.a.threads[0] } }), foreign: (c) => ({ id: c.b.threads[0] }) },
  'POST /api/threads/{id}/assign': {
    allow: ['admin'],
    fresh: true,
    req: async (c) => {
      const res = await as(c.a.clients[0].token)
        .post('/api/threads')
        .send({ subject: plant(`Betreff ${uniq()}`), body: plant(`Text ${uniq()}`) })
        .expect(201);
      return { params: { id: (res.body as { id: string }).id }, body: { counselorId: c.a.counselors[0].id } };
    },
    foreign: (c) => ({ id: c.b.threads[0] }),
  },
  // the thread's client knows the thread: it may hear why it may not close it
  'POST /api/threads/{id}/close': {
    allow: ['counselor'],
    deny: { client: [403] },
    fresh: true,
    req: async (c) => ({ params: { id: await assignedThread(c.a.slug, c.a.admin, c.a.clients[0], c.a.counselors[0]) } }),
    foreign: (c) => ({ id: c.b.threads[0] }),
  },
  'POST /api/threads/{id}/read': {
    allow: ['client', 'counselor'],
    req: (c) => ({ params: { id: c.a.threads[0] }, body: { seq: 1 } }),
    foreign: (c) => ({ id: c.b.threads[0] }),
  },
  'GET /api/threads/{id}/posts': { allow: ['client', 'counselor'], req: (c) => ({ params: { id: c.a.threads[0] } }), foreign: (c) => ({ id: c.b.threads[0] }) },
  'POST /api/threads/{id}/posts': {
    allow: ['client', 'counselor'],
    req: (c) => ({ params: { id: c.a.threads[0] }, body: { body: plant(`Beitrag ${uniq()}`), clientPostId: `m-${uniq()}` } }),
    foreign: (c) => ({ id: c.b.threads[0] }),
  },
  'POST /api/threads/{id}/documents': {
    allow: ['client', 'counselor'],
    req: async (c) => ({ params: { id: c.a.threads[0] }, file: { bytes: await cleanPdf(), filename: 'brief.pdf', contentType: 'application/pdf' } }),
    foreign: (c) => ({ id: c.b.threads[0] }),
  },
  'GET /api/documents/{id}': { allow: ['client', 'counselor'], req: (c) => ({ params: { id: c.a.documentId } }), foreign: (c) => ({ id: c.b.documentId }) },
  // the admin passes the access check; while the counselor is not absent the answer is 409
  'POST /api/threads/{id}/notices': {
    allow: ['admin'],
    ok: [201, 409],
    req: (c) => ({ params: { id: c.a.threads[1] }, body: { body: plant(`Hinweis ${uniq()}`), clientPostId: `n-${uniq()}` } }),
    foreign: (c) => ({ id: c.b.threads[1] }),
  },

  // ---- absences ----------------------------------------------------------------------------------
  'GET /api/absence': { allow: STAFF },
  'PUT /api/absence': {
    allow: STAFF,
    req: () => ({ body: { startsAt: future(300).toISOString(), endsAt: future(301).toISOString(), text: 'Im Urlaub' } }),
  },
  'DELETE /api/absence': { allow: STAFF },

  // ---- notes (only their author ever reads them) ------------------------------------------------
  'GET /api/clients/{clientId}/notes': {
    allow: ['counselor'],
    req: (c) => ({ params: { clientId: c.a.clients[0].id } }),
    foreign: (c) => ({ clientId: c.b.clients[0].id }),
  },
  'POST /api/clients/{clientId}/notes': {
    allow: ['counselor'],
    req: (c) => ({ params: { clientId: c.a.clients[0].id }, body: { body: plant(`Notiz ${uniq()}`) } }),
    foreign: (c) => ({ clientId: c.b.clients[0].id }),
  },
  'GET /api/threads/{id}/notes': { allow: ['counselor'], req: (c) => ({ params: { id: c.a.threads[0] } }), foreign: (c) => ({ id: c.b.threads[0] }) },
  'POST /api/threads/{id}/notes': {
    allow: ['counselor'],
    req: (c) => ({ params: { id: c.a.threads[0] }, body: { body: plant(`Notiz ${uniq()}`) } }),
    foreign: (c) => ({ id: c.b.threads[0] }),
  },
  'PATCH /api/notes/{id}': {
    allow: ['counselor'],
    req: (c) => ({ params: { id: c.a.noteId }, body: { body: plant(`Notiz ${uniq()}`) } }),
    foreign: (c) => ({ id: c.b.noteId }),
  },
  'DELETE /api/notes/{id}': {
    allow: ['counselor'],
    fresh: true,
    req: async (c) => ({ params: { id: await freshNote(c.a.counselors[0], c.a.clients[0]) } }),
    foreign: (c) => ({ id: c.b.noteId }),
  },
  // a counselor's notes about their own video room: only its counselor, anyone else 404
  'GET /api/video-rooms/{id}/notes': {
    allow: ['counselor'],
    req: (c) => ({ params: { id: c.a.videoRoomId } }),
    foreign: (c) => ({ id: c.b.videoRoomId }),
  },
  'POST /api/video-rooms/{id}/notes': {
    allow: ['counselor'],
    req: (c) => ({ params: { id: c.a.videoRoomId }, body: { body: plant(`Videonotiz ${uniq()}`) } }),
    foreign: (c) => ({ id: c.b.videoRoomId }),
  },
  'PATCH /api/video-rooms/{id}/notes/{noteId}': {
    allow: ['counselor'],
    req: (c) => ({ params: { id: c.a.videoRoomId, noteId: c.a.videoNoteId }, body: { body: plant(`Videonotiz ${uniq()}`) } }),
    foreign: (c) => ({ id: c.b.videoRoomId, noteId: c.b.videoNoteId }),
  },
  'DELETE /api/video-rooms/{id}/notes/{noteId}': {
    allow: ['counselor'],
    fresh: true,
    req: async (c) => {
      const res = await as(c.a.counselors[0].token)
        .post(`/api/video-rooms/${c.a.videoRoomId}/notes`)
        .send({ body: plant(`Videonotiz ${uniq()}`) })
        .expect(201);
      return { params: { id: c.a.videoRoomId, noteId: (res.body as { id: string }).id } };
    },
    foreign: (c) => ({ id: c.b.videoRoomId, noteId: c.b.videoNoteId }),
  },

  // ---- appointments -------------------------------------------------------------------------------
  'POST /api/slots': { allow: ['counselor', 'counselor2'], req: () => ({ body: slotTime() }) },
  'GET /api/slots': { allow: ['counselor', 'counselor2'] },
  'DELETE /api/slots/{id}': {
    allow: ['counselor'],
    fresh: true,
    req: async (c) => ({ params: { id: await freshSlot(c.a.counselors[0]) } }),
    foreign: (c) => ({ id: c.b.slots[0] }),
  },
  'GET /api/centers/{center}/slots': { allow: ['client', 'client2'], req: (c) => ({ params: C(c) }) },
  // any client of the center books any free slot of it
  'POST /api/slots/{id}/book': {
    allow: ['client', 'client2'],
    fresh: true,
    req: async (c) => ({ params: { id: await freshSlot(c.a.counselors[0]) }, body: { form: 'chat' } }),
    foreign: (c) => ({ id: c.b.slots[0] }),
  },
  'GET /api/appointments': { allow: ['client', 'client2', 'counselor', 'counselor2'] },
  'DELETE /api/appointments/{id}': {
    allow: ['client', 'counselor'],
    fresh: true,
    req: async (c) => {
      const slot = await freshSlot(c.a.counselors[0]);
      const res = await as(c.a.clients[0].token).post(`/api/slots/${slot}/book`).send({ form: 'chat' }).expect(201);
      return { params: { id: (res.body as { appointmentId: string }).appointmentId } };
    },
    foreign: (c) => ({ id: c.b.appointmentId }),
  },
  'GET /api/appointments/{id}/ics': {
    allow: ['client', 'counselor'],
    req: (c) => ({ params: { id: c.a.appointmentId } }),
    foreign: (c) => ({ id: c.b.appointmentId }),
  },

  // ---- video: a room is its counselor's; invited clients join it; everyone else hears 404 ---------
  'POST /api/video-rooms': { allow: ['counselor', 'counselor2'], req: () => ({ body: { name: plant(`Videoraum ${uniq()}`) } }) },
  'GET /api/video-rooms': { allow: ['client', 'client2', 'counselor', 'counselor2'] },
  'PATCH /api/video-rooms/{id}': {
    allow: ['counselor'],
    req: (c) => ({ params: { id: c.a.videoRoomId }, body: { name: plant(`Videoraum ${uniq()}`) } }),
    foreign: (c) => ({ id: c.b.videoRoomId }),
  },
  'DELETE /api/video-rooms/{id}': {
    allow: ['counselor'],
    fresh: true,
    req: async (c) => ({ params: { id: await freshVideoRoom(c.a.counselors[0]) } }),
    foreign: (c) => ({ id: c.b.videoRoomId }),
  },
  // (a fresh room each: the seeded room's guest link stays the one the world knows)
  'POST /api/video-rooms/{id}/invite-link': {
    allow: ['counselor'],
    fresh: true,
    req: async (c) => ({ params: { id: await freshVideoRoom(c.a.counselors[0]) } }),
    foreign: (c) => ({ id: c.b.videoRoomId }),
  },
  'DELETE /api/video-rooms/{id}/invite-link': {
    allow: ['counselor'],
    fresh: true,
    req: async (c) => ({ params: { id: await freshVideoRoom(c.a.counselors[0]) } }),
    foreign: (c) => ({ id: c.b.videoRoomId }),
  },
  // inviting client 0 again changes nothing (204); another counselor's room or another center's: 404
  'POST /api/video-rooms/{id}/clients': {
    allow: ['counselor'],
    req: (c) => ({ params: { id: c.a.videoRoomId }, body: { clientId: c.a.clients[0].id } }),
    foreign: (c) => ({ id: c.b.videoRoomId }),
  },
  'DELETE /api/video-rooms/{id}/clients/{clientId}': {
    allow: ['counselor'],
    fresh: true,
    req: async (c) => ({ params: { id: await freshVideoRoom(c.a.counselors[0], c.a.clients[0]), clientId: c.a.clients[0].id } }),
    foreign: (c) => ({ id: c.b.videoRoomId, clientId: c.b.clients[0].id }),
  },
  // a JWT only for the room's counselor and the invited client (test/attacks/video.spec.ts checks its claims)
  'POST /api/video-rooms/{id}/join': {
    allow: ['client', 'counselor'],
    req: async (c, actor) => ({ params: { id: c.a.videoRoomId }, body: actor === 'counselor' ? {} : { consentVersion: await consentVersion(c.a.slug) } }),
    foreign: (c) => ({ id: c.b.videoRoomId }),
  },
};

/**
 * Routes other branches of issue 14 add (readiness, metrics): their expectation is here already, so
 * the matrix covers them the day they are merged; an entry for a route the document does not have
 * fails only if it is not in this list.
 */
export const UPCOMING: Record<string, Rule> = {
  'GET /health/live': { allow: ALL },
  'GET /health/ready': { allow: ALL, ok: [200, 503] },
  // closed by default (neither METRICS_TOKEN nor METRICS_PORT in the attack server): 404 for everyone
  'GET /metrics': { allow: ALL, ok: [404] },
};

export interface Operation {
  key: string;
  method: string;
  path: string;
  secured: boolean;
}

/** The operations of the server's OpenAPI document (saved by global-setup.ts). */
export function operations(): Operation[] {
  const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      ops.push({ key: `${method.toUpperCase()} ${path}`, method, path, secured: Array.isArray(op.security) && op.security.length > 0 });
    }
  }
  return ops;
}

export function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(params[name]!);
  });
}

export interface Answer {
  status: number;
  code: string | null;
  message: string | null;
  text: string;
}

/** Sends one request of the matrix as `token`. */
export async function send(method: string, path: string, token: string | null, r: Req): Promise<Answer> {
  const agent = as(token);
  let t: request.Test = agent[method === 'delete' ? 'delete' : (method as 'get' | 'post' | 'put' | 'patch')](
    path + (r.query ? `?${new URLSearchParams(r.query).toString()}` : ''),
  );
  if (r.file) t = t.attach('file', r.file.bytes, { filename: r.file.filename, contentType: r.file.contentType });
  else if (r.body !== undefined) t = t.send(r.body as object);
  const res = await t;
  const body = res.body as { error?: { code?: string; message?: string } } | undefined;
  return {
    status: res.status,
    code: body?.error?.code ?? null,
    message: body?.error?.message ?? null,
    text: res.text ?? (Buffer.isBuffer(res.body) ? res.body.toString('latin1') : ''),
  };
}

/** A fresh actor of the same role and center as `key` (for routes that spend the caller). */
export async function freshActorFor(key: ActorKey, c: Ctx): Promise<Who> {
  switch (key) {
    case 'anon':
      return null;
    case 'visitor':
      return freshVisitor(c.a.slug);
    case 'client':
    case 'client2':
      return freshClient(c.a.slug);
    case 'counselor':
    case 'counselor2':
      return freshStaff(c.a.slug, c.a.admin, 'counselor');
    case 'admin':
      return freshStaff(c.a.slug, c.a.admin, 'admin');
    case 'admin2':
      return freshStaff(c.b.slug, c.b.admin, 'admin');
  }
}

/**
 * The ids each actor may never see in any answer: everything of the other center, and in its own
 * center what belongs to another party (the other client's thread and room, the note only its author
 * reads, the documents and posts of threads they are not in).
 */
export function forbiddenIds(c: Ctx): Record<ActorKey, string[]> {
  const { a, b } = c;
  const other = [
    ...b.threads,
    ...b.rooms,
    b.postId,
    b.documentId,
    b.noteId,
    ...b.slots,
    b.bookedSlot,
    b.appointmentId,
    b.topicChatId,
    b.cannedResponseId,
    b.videoRoomId,
    b.videoNoteId,
    b.admin.id,
    ...b.counselors.map((x) => x.id),
    ...b.clients.map((x) => x.id),
    b.visitor.id,
  ];
  const ofParty0 = [a.threads[0], a.rooms[0], a.postId, a.documentId, a.appointmentId, a.videoRoomId];
  const ofParty1 = [a.threads[1], a.rooms[1]];
  const aOther = [a.noteId, a.cannedResponseId, a.videoNoteId];
  return {
    anon: [...other, ...ofParty0, ...ofParty1, ...aOther],
    visitor: [...other, ...ofParty0, ...ofParty1, ...aOther],
    client: [...other, ...ofParty1, ...aOther],
    client2: [...other, ...ofParty0, ...aOther],
    counselor: [...other, ...ofParty1],
    counselor2: [...other, ...ofParty0, ...aOther],
    admin: [...other, a.postId, a.documentId, a.videoRoomId, ...aOther],
    admin2: [...ofParty0, ...ofParty1, ...aOther, a.admin.id],
  };
}
