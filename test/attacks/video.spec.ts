import { randomBytes, randomUUID } from 'node:crypto';
import { type JwtPayload, verify } from 'jsonwebtoken';
import type { VideoJoinResult } from '../../src/realtime/contract';
import { consentVersion, freshVideoRoom } from './access';
import { type Actor, as, world } from './actors';
import { JITSI } from './server';

/**
 * Video ownership (docs/security.md, "Access"): the attack server has Jitsi configured, so a JWT is
 * really signed. Only the room's counselor (as moderator), the clients it invited and guests with
 * its current link get one, and its `room` claim names exactly that room; another counselor,
 * another client, another center, an old or removed guest link get the 404 a random id gets.
 */

interface Claims extends JwtPayload {
  room: string;
  context: { user: { name: string; moderator: boolean } };
}

const A = () => world().centers[0];
const B = () => world().centers[1];
const claims = (jwt: string) =>
  verify(jwt, JITSI.JITSI_APP_SECRET, { algorithms: ['HS256'], audience: 'jitsi', issuer: JITSI.JITSI_APP_ID, subject: JITSI.JITSI_DOMAIN }) as Claims;
const answer = (res: { status: number; body: unknown }) => JSON.stringify({ status: res.status, body: res.body });

async function join(actor: Actor, roomId: string, slug = A().slug) {
  const body = actor.role === 'client' ? { consentVersion: await consentVersion(slug) } : {};
  return as(actor.token).post(`/api/video-rooms/${roomId}/join`).send(body);
}
async function guest(token: string, slug = A().slug) {
  return as(null)
    .post(`/api/video-invites/${token}/join`)
    .send({ displayName: 'Gast', consentVersion: await consentVersion(slug) });
}
async function inviteToken(counselor: Actor, roomId: string): Promise<string> {
  const res = await as(counselor.token).post(`/api/video-rooms/${roomId}/invite-link`).expect(200);
  return (res.body as { inviteUrl: string }).inviteUrl.split('#')[1]!;
}

describe('video ownership (Jitsi configured)', () => {
  it('signs a JWT naming exactly this room: the counselor as moderator, the invited client and a guest not, for at most 4 h', async () => {
    const a = A();
    const [own, client, guestJoin] = await Promise.all([join(a.counselors[0], a.videoRoomId), join(a.clients[0], a.videoRoomId), guest(a.videoInviteToken)]);
    for (const res of [own, client, guestJoin]) expect(res.status).toBe(200);
    const [c0, c1, c2] = [own, client, guestJoin].map((r) => claims((r.body as VideoJoinResult).jwt));
    expect(c0!.context.user.moderator).toBe(true);
    expect(c1!.context.user.moderator).toBe(false);
    expect(c2!.context.user.moderator).toBe(false);
    expect(new Set([c0!.room, c1!.room, c2!.room]).size).toBe(1);
    expect((own.body as VideoJoinResult).url).toBe(`https://${JITSI.JITSI_DOMAIN}/${c0!.room}`);
    for (const c of [c0!, c1!, c2!]) expect(c.exp! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(4 * 3600 + 5);
    // the Jitsi room name is unguessable and not the room's id
    expect(c0!.room).not.toContain(a.videoRoomId);
    expect(c0!.room.length).toBeGreaterThanOrEqual(20);
    // another room of the same counselor has another name
    const other = await freshVideoRoom(a.counselors[0]);
    expect(claims(((await join(a.counselors[0], other)).body as VideoJoinResult).jwt).room).not.toBe(c0!.room);
  });

  it('gives no JWT for another counselor’s room, another client’s, another center’s: the 404 of a random id', async () => {
    const [a, b] = [A(), B()];
    const random = randomUUID();
    const cases: [Actor, string, string][] = [
      [a.counselors[1], a.videoRoomId, a.slug],
      [a.clients[1], a.videoRoomId, a.slug],
      [a.admin, a.videoRoomId, a.slug],
      [b.counselors[0], a.videoRoomId, b.slug],
      [b.clients[0], a.videoRoomId, b.slug],
      [a.counselors[0], b.videoRoomId, a.slug],
      [a.clients[0], b.videoRoomId, a.slug],
    ];
    for (const [actor, room, slug] of cases) {
      const real = await join(actor, room, slug);
      const none = await join(actor, random, slug);
      expect(real.status).toBe(404);
      expect(answer(real)).toBe(answer(none));
      expect(JSON.stringify(real.body)).not.toContain('jwt');
    }
  });

  it('ends a client’s access when the invitation is taken back, and a guest link’s when it is renewed or removed', async () => {
    const a = A();
    const room = await freshVideoRoom(a.counselors[0], a.clients[0]);
    expect((await join(a.clients[0], room)).status).toBe(200);
    await as(a.counselors[0].token).delete(`/api/video-rooms/${room}/clients/${a.clients[0].id}`).expect(204);
    expect(answer(await join(a.clients[0], room))).toBe(answer(await join(a.clients[0], randomUUID())));

    const first = await inviteToken(a.counselors[0], room);
    expect((await guest(first)).status).toBe(200);
    const second = await inviteToken(a.counselors[0], room);
    const unknown = randomBytes(32).toString('base64url');
    expect((await guest(first)).status).toBe(404);
    expect(answer(await guest(first))).toBe(answer(await guest(unknown)));
    expect(answer(await as(null).get(`/api/video-invites/${first}`))).toBe(answer(await as(null).get(`/api/video-invites/${unknown}`)));
    expect((await guest(second)).status).toBe(200);
    await as(a.counselors[0].token).delete(`/api/video-rooms/${room}/invite-link`).expect(204);
    expect(answer(await guest(second))).toBe(answer(await guest(unknown)));
    // and a deleted room takes its notes and links with it
    const note = await as(a.counselors[0].token).post(`/api/video-rooms/${room}/notes`).send({ body: 'x' }).expect(201);
    await as(a.counselors[0].token).delete(`/api/video-rooms/${room}`).expect(204);
    const gone = await as(a.counselors[0].token)
      .patch(`/api/video-rooms/${room}/notes/${(note.body as { id: string }).id}`)
      .send({ body: 'y' });
    expect(gone.status).toBe(404);
  });
});
