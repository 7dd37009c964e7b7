import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import request from 'supertest';
import type { LoginResult, Role } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import type { TestSocket } from '../harness/app';
import { readOutbox } from '../harness/outbox';
import { DIST_CLI, spawnNode } from '../harness/spawn';
import { cleanPdf } from '../factories/pdfs';
import { ACTORS_FILE, address, type AttackServer, plant, server } from './server';

/**
 * The people of the attack suite: two centers seeded once by global-setup.ts (the CLI for the
 * centers, REST and Socket.IO for the rest), each with an admin, two counselors, two clients (client
 * i is counselor i's, through an enquiry the admin assigned), a visitor, and what they own: threads
 * with posts, a document, a note, rooms with a message, slots, an appointment, a topic chat, a canned
 * response. Every file reads the same world with `world()`; a test that spends an actor (logs out,
 * deletes, deactivates) makes its own with `freshClient` / `freshStaff`.
 */

export const PASSWORD = 'Attack-Horse-9-Battery';

export interface Actor {
  id: string;
  token: string;
  role: Role;
  login: string;
  password: string;
  displayName: string;
}

export interface VisitorActor {
  id: string;
  token: string;
  role: 'visitor';
}

export interface CenterWorld {
  slug: string;
  /** The center's id (from the admin's `GET …/settings` or a resource); null where unknown. */
  admin: Actor;
  counselors: [Actor, Actor];
  clients: [Actor, Actor];
  visitor: VisitorActor;
  /** threads[i]: client i's enquiry, assigned to counselor i, with a post of each. */
  threads: [string, string];
  /** A post id in threads[0]. */
  postId: string;
  /** A document counselor 0 uploaded into threads[0]. */
  documentId: string;
  /** A note of counselor 0 about client 0. */
  noteId: string;
  /** rooms[i]: counselor i's room with client i, one message in it. */
  rooms: [string, string];
  /** slots[i]: a free slot of counselor i; bookedSlot: counselor 0's slot client 0 booked. */
  slots: [string, string];
  bookedSlot: string;
  appointmentId: string;
  topicChatId: string;
  /** A canned response of counselor 0. */
  cannedResponseId: string;
  /** Counselor 0's video room with client 0 invited, its guest link's token and a note of counselor 0 about it. */
  videoRoomId: string;
  videoInviteToken: string;
  videoNoteId: string;
}

export interface World {
  centers: [CenterWorld, CenterWorld];
}

let cachedWorld: World | null = null;
/** The seeded world (written by global-setup.ts). */
export function world(): World {
  if (!cachedWorld) cachedWorld = JSON.parse(readFileSync(ACTORS_FILE, 'utf8')) as World;
  return cachedWorld;
}

/** supertest with a bearer token (if any) and a fresh forwarded address, against `url` (default: the attack server). */
export function as(token: string | null | undefined, url = server().url) {
  const agent = request(url);
  const wrap =
    (method: 'get' | 'post' | 'patch' | 'put' | 'delete') =>
    (path: string): request.Test => {
      const r = agent[method](path).set('X-Forwarded-For', address());
      return token ? r.set('Authorization', `Bearer ${token}`) : r;
    };
  return { get: wrap('get'), post: wrap('post'), patch: wrap('patch'), put: wrap('put'), delete: wrap('delete') };
}

/** A Socket.IO connection with `token` (rejects with the connect_error). */
export async function socketOf(token: string | undefined, url = server().url): Promise<TestSocket> {
  const socket: TestSocket = io(url, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { 'x-forwarded-for': address() },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  return socket;
}

function expectStatus(res: request.Response, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

async function cli(info: AttackServer, args: string[]): Promise<string> {
  const proc = spawnNode(DIST_CLI, args, {
    DATA_DIR: info.dataDir,
    MASTER_KEY: info.masterKey,
    LOG_LEVEL: 'warn',
    DEMO: 'off',
    ...(info.redisUrl ? { REDIS_URL: info.redisUrl } : {}),
  });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`cli ${args.join(' ')} failed (${String(code)}):\n${proc.stdout()}\n${proc.stderr()}`);
  return proc.stdout();
}

export async function loginActor(center: string, login: string, password: string, url = server().url): Promise<Actor> {
  const res = await as(null, url).post('/api/auth/login').send({ center, login, password });
  expectStatus(res, 200, `login ${login}`);
  const body = res.body as LoginResult;
  return { id: body.account.id, token: plant(body.token), role: body.account.role, login, password, displayName: body.account.displayName };
}

/** A new registered client of `center` (its own pseudonym and address). */
export async function freshClient(center: string, url = server().url): Promise<Actor> {
  const username = `cl-${randomBytes(5).toString('hex')}`;
  const res = await as(null, url).post('/api/auth/register').send({ center, username, password: PASSWORD });
  expectStatus(res, 201, `register ${username}`);
  const body = res.body as LoginResult;
  return { id: body.account.id, token: plant(body.token), role: 'client', login: username, password: PASSWORD, displayName: body.account.displayName };
}

/** The invitation token of the newest mail to `email` in the server's outbox. */
export function invitationToken(email: string, dataDir = server().dataDir): string {
  const mails = readOutbox(dataDir).filter((m) => m.toLowerCase().includes(email.toLowerCase()));
  for (const mail of mails.reverse()) {
    const m = /invitation#token=([A-Za-z0-9_-]+)/.exec(mail);
    if (m) return m[1]!;
  }
  throw new Error(`no invitation mail to ${email} in the outbox`);
}

/** A new staff member of `center`, invited by `admin` over REST and signed in through the invitation link. */
export async function freshStaff(
  center: string,
  admin: Actor,
  role: 'counselor' | 'admin' = 'counselor',
  url = server().url,
  dataDir = server().dataDir,
): Promise<Actor> {
  const email = `${role}-${randomBytes(4).toString('hex')}@${center}.example`;
  const displayName = `${role === 'admin' ? 'Admin' : 'Berater'} ${randomBytes(2).toString('hex')}`;
  const created = await as(admin.token, url).post(`/api/centers/${center}/staff`).send({ email, displayName, role });
  expectStatus(created, 201, `invite ${email}`);
  // (the link's token is not planted: the mail in the outbox carries it, as a mail must)
  const token = invitationToken(email, dataDir);
  const res = await as(null, url).post('/api/auth/invitation').send({ center, token, password: PASSWORD });
  expectStatus(res, 200, `accept invitation ${email}`);
  const body = res.body as LoginResult;
  return { id: body.account.id, token: plant(body.token), role, login: email, password: PASSWORD, displayName };
}

export async function freshVisitor(center: string, url = server().url): Promise<VisitorActor> {
  const res = await as(null, url).post(`/api/centers/${center}/visitors`).send({});
  expectStatus(res, 201, 'visitor');
  const body = res.body as { token: string; visitorId: string };
  return { id: body.visitorId, token: plant(body.token), role: 'visitor' };
}

/** A client's enquiry, assigned by the admin to the counselor; the thread id. */
export async function assignedThread(center: string, admin: Actor, client: Actor, counselor: Actor, url = server().url): Promise<string> {
  const subject = plant(`Betreff ${randomBytes(6).toString('hex')}`);
  const created = await as(client.token, url)
    .post('/api/threads')
    .send({ subject, body: plant(`Anfrage ${randomBytes(6).toString('hex')}`) });
  expectStatus(created, 201, 'enquiry');
  const threadId = (created.body as { id: string }).id;
  const assigned = await as(admin.token, url).post(`/api/threads/${threadId}/assign`).send({ counselorId: counselor.id });
  expectStatus(assigned, 200, 'assign');
  return threadId;
}

async function seedCenter(info: AttackServer, slug: string): Promise<CenterWorld> {
  const url = info.url;
  const adminEmail = `admin@${slug}.example`;
  const admin = await loginActor(slug, adminEmail, PASSWORD, url);
  const counselors: [Actor, Actor] = [
    await freshStaff(slug, admin, 'counselor', url, info.dataDir),
    await freshStaff(slug, admin, 'counselor', url, info.dataDir),
  ];
  const clients: [Actor, Actor] = [await freshClient(slug, url), await freshClient(slug, url)];
  const visitor = await freshVisitor(slug, url);
  const threads: [string, string] = [
    await assignedThread(slug, admin, clients[0], counselors[0], url),
    await assignedThread(slug, admin, clients[1], counselors[1], url),
  ];
  // a document attached to a post of the counselor (an unattached upload is only its uploader's)
  const doc = await as(counselors[0].token, url)
    .post(`/api/threads/${threads[0]}/documents`)
    .attach('file', await cleanPdf(), { filename: 'brief.pdf', contentType: 'application/pdf' });
  expectStatus(doc, 201, 'document');
  const post = await as(counselors[0].token, url)
    .post(`/api/threads/${threads[0]}/posts`)
    .send({
      body: plant(`Antwort ${randomBytes(6).toString('hex')}`),
      clientPostId: `seed-${randomBytes(4).toString('hex')}`,
      documentIds: [(doc.body as { id: string }).id],
    });
  expectStatus(post, 201, 'post');
  const note = await as(counselors[0].token, url)
    .post(`/api/clients/${clients[0].id}/notes`)
    .send({ body: plant(`Notiz ${randomBytes(6).toString('hex')}`) });
  expectStatus(note, 201, 'note');
  const rooms: string[] = [];
  for (const i of [0, 1] as const) {
    const s = await socketOf(counselors[i].token, url);
    try {
      const roomId = ok(await call(s, 'room.create', { name: plant(`Raum ${randomBytes(5).toString('hex')}`), memberIds: [clients[i].id] })).roomId;
      ok(await call(s, 'message.send', { roomId, clientMsgId: `seed-${i}`, body: plant(`Nachricht ${randomBytes(6).toString('hex')}`) }));
      rooms.push(roomId);
    } finally {
      s.close();
    }
  }
  const slotIds: string[] = [];
  const day = 24 * 3600_000;
  for (const [i, c] of [counselors[0], counselors[1], counselors[0]].entries()) {
    const startsAt = new Date(Math.ceil(Date.now() / 3600_000) * 3600_000 + (3 + i) * day);
    const res = await as(c.token, url)
      .post('/api/slots')
      .send({ startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(), forms: ['chat', 'mail'] });
    expectStatus(res, 201, 'slot');
    const body = res.body as { id?: string; ids?: string[] };
    slotIds.push(body.id ?? body.ids![0]!);
  }
  const booked = await as(clients[0].token, url).post(`/api/slots/${slotIds[2]}/book`).send({ form: 'chat' });
  expectStatus(booked, 201, 'book');
  const startsAt = new Date(Date.now() + 7 * day);
  const topic = await as(admin.token, url)
    .post(`/api/centers/${slug}/topic-chats`)
    .send({
      title: 'Prüfungsangst',
      description: 'Offener Abend',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
      capacity: 20,
    });
  expectStatus(topic, 201, 'topic chat');
  const canned = await as(counselors[0].token, url)
    .post('/api/canned-responses')
    .send({ title: 'Gruß', body: plant(`Vorlage ${randomBytes(5).toString('hex')}`) });
  expectStatus(canned, 201, 'canned response');
  const video = await as(counselors[0].token, url)
    .post('/api/video-rooms')
    .send({ name: plant(`Videoraum ${randomBytes(5).toString('hex')}`) });
  expectStatus(video, 201, 'video room');
  const videoRoom = video.body as { id: string; inviteUrl: string };
  expectStatus(await as(counselors[0].token, url).post(`/api/video-rooms/${videoRoom.id}/clients`).send({ clientId: clients[0].id }), 204, 'video invitation');
  const videoNote = await as(counselors[0].token, url)
    .post(`/api/video-rooms/${videoRoom.id}/notes`)
    .send({ body: plant(`Videonotiz ${randomBytes(6).toString('hex')}`) });
  expectStatus(videoNote, 201, 'video note');
  return {
    slug,
    admin,
    counselors,
    clients,
    visitor,
    threads,
    postId: (post.body as { id: string }).id,
    documentId: (doc.body as { id: string }).id,
    noteId: (note.body as { id: string }).id,
    rooms: [rooms[0]!, rooms[1]!],
    slots: [slotIds[0]!, slotIds[1]!],
    bookedSlot: slotIds[2]!,
    appointmentId: (booked.body as { appointmentId: string }).appointmentId,
    topicChatId: (topic.body as { id: string }).id,
    cannedResponseId: (canned.body as { id: string }).id,
    videoRoomId: videoRoom.id,
    videoInviteToken: plant(videoRoom.inviteUrl.split('#')[1]!),
    videoNoteId: (videoNote.body as { id: string }).id,
  };
}

/** Seeds both centers (global-setup.ts calls it once). */
export async function seedActors(info: AttackServer): Promise<World> {
  const tag = randomBytes(2).toString('hex');
  const slugs = [`atk-a${tag}`, `atk-b${tag}`];
  // the CLI writes the SQLite file beside the running server: one at a time
  for (const slug of slugs)
    await cli(info, ['center:create', '--slug', slug, '--name', `Beratung ${slug}`, '--admin-email', `admin@${slug}.example`, '--admin-password', PASSWORD]);
  const [a, b] = await Promise.all(slugs.map((slug) => seedCenter(info, slug)));
  return { centers: [a!, b!] };
}

/** A temp dir (for tests that need one of their own). */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'lotse-attack-'));
