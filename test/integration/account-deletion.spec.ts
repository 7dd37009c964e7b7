import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ServerToClientEvents } from '../../src/realtime/contract';
import { AccountsRepository } from '../../src/modules/accounts/accounts.repository';
import { DataKeyRepository } from '../../src/modules/crypto/data-key.repository';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, nextEvent, startApp, TestApp, TestSocket } from '../harness/app';
import { TEST_DB } from '../harness/env';
import { readOutbox } from '../harness/outbox';
import { createCenter, createClient, createRoom, createStaff, Login, PASSWORD } from '../factories';

type Closed = Parameters<ServerToClientEvents['room.closed']>[0];

/**
 * The deletion of an account is one transaction: the 1:1 rooms, the messages, memberships,
 * nicknames and keys of the account (through ACCOUNT_DELETING), its tokens and its row. A write late
 * in it that fails leaves every row of the account in place, the session alive, and nobody told.
 */
describe(`account deletion in one transaction (${TEST_DB})`, () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let center: { id: string; slug: string };
  let counselor: Login;
  let bystander: Login;
  let cs: TestSocket;

  beforeAll(async () => {
    t = await startApp();
    center = await createCenter(t);
    counselor = await createStaff(t, center);
    bystander = await createClient(t, center);
    cs = await connect(t.url, counselor.token);
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  interface Leaver {
    login: Login;
    email: string;
    direct: string;
    group: string;
    topicRoom: string;
  }

  /** A client with a 1:1 room, a group room (with another client), a topic chat seat with a nickname, messages in each, a contact email and a session. */
  async function clientWithEverything(): Promise<Leaver> {
    const email = `leaver.${randomBytes(4).toString('hex')}@example.org`;
    const login = await createClient(t, center, { email });
    const ls = await connect(t.url, login.token);
    const direct = await createRoom(cs, { memberIds: [login.id] });
    const group = await createRoom(cs, { memberIds: [login.id, bystander.id] });
    for (const roomId of [direct, group]) {
      ok(await call(ls, 'room.join', { roomId }));
      ok(await call(ls, 'message.send', { roomId, clientMsgId: `m-${roomId}`, body: 'Mir geht es nicht gut' }));
    }
    const now = Date.now();
    const topic = await t
      .http()
      .post(`/api/centers/${center.slug}/topic-chats`)
      .set('Authorization', `Bearer ${counselor.token}`)
      .send({
        title: 'Prüfungsangst',
        description: 'Austausch',
        capacity: 10,
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
      })
      .expect(201);
    const topicRoom = ok(
      await call(ls, 'topic.join', { topicChatId: (topic.body as { id: string }).id, nickname: `Motte${randomBytes(3).toString('hex')}` }),
    ).roomId;
    ok(await call(ls, 'message.send', { roomId: topicRoom, clientMsgId: 't1', body: 'Ich habe auch Angst' }));
    return { login, email, direct, group, topicRoom };
  }

  /** What the database (and the outbox) holds of the account, counted by kind. */
  async function traces(l: Leaver): Promise<Record<string, number>> {
    const ds = t.app.get(DataSource);
    const count = async (sql: string, params: unknown[]) => Number((await ds.query<{ n: number | string }[]>(sql, params))[0]!.n);
    const id = l.login.id;
    return {
      account: await count('SELECT COUNT(*) AS n FROM accounts WHERE id = ?', [id]),
      tokens: await count('SELECT COUNT(*) AS n FROM auth_tokens WHERE subject_id = ?', [id]),
      messages: await count('SELECT COUNT(*) AS n FROM messages WHERE sender_id = ?', [id]),
      memberships: await count('SELECT COUNT(*) AS n FROM room_members WHERE subject_id = ?', [id]),
      directRoom: await count('SELECT COUNT(*) AS n FROM rooms WHERE id = ? AND closed_at IS NULL', [l.direct]),
      nicknames: await count('SELECT COUNT(*) AS n FROM topic_participants WHERE subject_id = ?', [id]),
      accountKey: await count('SELECT COUNT(*) AS n FROM data_keys WHERE scope = ?', [`account:${id}`]),
      directRoomKeys: await count('SELECT COUNT(*) AS n FROM data_keys WHERE scope LIKE ?', [`room:${l.direct}%`]),
      memberKeys: await count('SELECT COUNT(*) AS n FROM data_keys WHERE scope LIKE ?', [`room:%:${id}`]),
      mails: readOutbox(t.config.dataDir).filter((m) => m.includes(l.email)).length,
    };
  }

  function recordClosed(): Closed[] {
    const seen: Closed[] = [];
    cs.on('room.closed', (p) => seen.push(p));
    return seen;
  }

  const deleteAccount = (l: Leaver) => t.http().delete('/api/accounts/me').set('Authorization', `Bearer ${l.login.token}`).send({ password: PASSWORD });

  it.each([
    [
      'the account row (after everything ACCOUNT_DELETING erased)',
      () => jest.spyOn(t.app.get(AccountsRepository), 'delete').mockRejectedValueOnce(new Error('forced failure')),
    ],
    [
      'the account key (the last write)',
      () => {
        const keys = t.app.get(DataKeyRepository);
        const original = keys.deleteScope.bind(keys);
        return jest.spyOn(keys, 'deleteScope').mockImplementation(async (centerId, scope) => {
          if (scope.startsWith('account:')) throw new Error('forced failure');
          return original(centerId, scope);
        });
      },
    ],
  ])('should keep every row of the account, its session and its mail when the write of %s fails', async (_, failWrite) => {
    const leaver = await clientWithEverything();
    const before = await traces(leaver);
    // the test of the test: there is something of each kind to lose
    expect(Object.entries(before).filter(([, n]) => n === 0)).toEqual([]);
    const closedSeen = recordClosed();

    const failing = failWrite();
    try {
      await deleteAccount(leaver).expect(500);
    } finally {
      failing.mockRestore();
    }
    expect(await traces(leaver)).toEqual(before);
    // the session goes on (its token was not revoked) and the 1:1 room is readable as before
    const rooms = (await t.http().get('/api/rooms').set('Authorization', `Bearer ${leaver.login.token}`).expect(200)).body as { id: string }[];
    expect(rooms.map((r) => r.id)).toEqual(expect.arrayContaining([leaver.direct, leaver.group, leaver.topicRoom]));
    expect(ok(await call(cs, 'room.history', { roomId: leaver.direct })).messages.map((m) => m.body)).toEqual(['Mir geht es nicht gut']);

    // then the deletion goes through whole; the counselor hears of the closed 1:1 room once, only now
    const closed = nextEvent(cs, 'room.closed');
    await deleteAccount(leaver).expect(204);
    await expect(closed).resolves.toEqual({ roomId: leaver.direct, reason: 'deleted' });
    expect(closedSeen.filter((c) => c.roomId === leaver.direct)).toEqual([{ roomId: leaver.direct, reason: 'deleted' }]);
    expect(Object.values(await traces(leaver))).toEqual(Object.values(before).map(() => 0));
  });
});
