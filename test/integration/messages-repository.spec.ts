import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Message } from '../../src/modules/rooms/message.entity';
import { Transactions } from '../../src/infra/database/transactions';
import { MessagesRepository } from '../../src/modules/rooms/messages.repository';
import { Room } from '../../src/modules/rooms/room.entity';
import { RoomMember } from '../../src/modules/rooms/room-member.entity';
import { rowFactories } from '../factories';
import { openTestDatabase } from '../harness/database';

describe('messages repository (seq allocation on the real database)', () => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let repo: MessagesRepository;
  const centerId = randomUUID();
  const rows = rowFactories(centerId);

  beforeAll(async () => {
    ({ ds, close } = await openTestDatabase());
    repo = new MessagesRepository(ds.getRepository(Message), new Transactions(ds));
  });
  afterAll(async () => {
    await close();
  });

  /** A room with these senders as its active members. */
  async function newRoom(...senders: string[]): Promise<string> {
    const room = rows.room();
    await ds.getRepository(Room).insert(room);
    if (senders.length > 0) await ds.getRepository(RoomMember).insert(senders.map((subjectId) => rows.member({ roomId: room.id, subjectId })));
    return room.id;
  }

  const message = (roomId: string, senderId: string, clientMsgId: string): Message => rows.message({ roomId, senderId, clientMsgId });

  it('should hand out gap-free, unique seqs when 200 messages are appended at once', async () => {
    const senders = [randomUUID(), randomUUID(), randomUUID()];
    const roomId = await newRoom(...senders);
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => repo.append(message(roomId, senders[i % 3]!, `c-${i}`))));
    const seqs = outcomes.map((o) => (o.kind === 'stored' ? o.seq : -1)).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const stored = await repo.page(centerId, roomId, { afterSeq: 0, limit: 200 });
    expect(stored.map((m) => m.seq)).toEqual(seqs);
  });

  it('should store one row and spend no seq when the same clientMsgId is appended concurrently', async () => {
    const sender = randomUUID();
    const roomId = await newRoom(sender);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => repo.append(message(roomId, sender, 'same'))));
    expect(outcomes.filter((o) => o.kind === 'stored')).toEqual([{ kind: 'stored', seq: 1 }]);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(9);
    await expect(repo.append(message(roomId, sender, 'next'))).resolves.toEqual({ kind: 'stored', seq: 2 });
    await expect(repo.countInRoom(centerId, roomId)).resolves.toBe(2);
  });

  it('should refuse to append when the room is closed or belongs to another center', async () => {
    const sender = randomUUID();
    const roomId = await newRoom(sender);
    await expect(repo.append({ ...message(roomId, sender, 'x'), centerId: randomUUID() })).resolves.toEqual({ kind: 'refused' });
    await ds.getRepository(Room).update({ id: roomId }, { closedAt: new Date() });
    await expect(repo.append(message(roomId, sender, 'y'))).resolves.toEqual({ kind: 'refused' });
    await expect(repo.countInRoom(centerId, roomId)).resolves.toBe(0);
  });

  // The transaction itself decides who may write: a node's cached membership can be a moment
  // older than a mute or a removal made on another node.
  describe.each([
    ['alone', 1],
    ['in a group commit', 6],
  ])('%s', (_label, count) => {
    /** `count` appends of `sender` at once, beside one of an active member (so that a group commit has more than one sender). */
    async function appendAll(roomId: string, sender: string, other: string, tag: string): Promise<string[]> {
      const outcomes = await Promise.all([
        ...Array.from({ length: count }, (_, i) => repo.append(message(roomId, sender, `${tag}-${i}`))),
        ...(count > 1 ? [repo.append(message(roomId, other, `${tag}-other`))] : []),
      ]);
      return outcomes.map((o) => o.kind);
    }

    it('should refuse a muted sender, one removed or no member at all, and store nothing of theirs', async () => {
      const [muted, removed, stranger, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const roomId = await newRoom(muted, removed, other);
      await ds.getRepository(RoomMember).update({ roomId, subjectId: muted }, { muted: true });
      await ds.getRepository(RoomMember).update({ roomId, subjectId: removed }, { removedAt: new Date() });
      const accepted = count > 1 ? ['stored'] : [];
      for (const [who, tag] of [
        [muted, 'm'],
        [removed, 'r'],
        [stranger, 's'],
      ] as const) {
        await expect(appendAll(roomId, who, other, tag)).resolves.toEqual([...Array<string>(count).fill('refused'), ...accepted]);
      }
      const stored = await repo.page(centerId, roomId, { afterSeq: 0, limit: 50 });
      expect(stored.map((m) => [m.senderId, m.seq])).toEqual(
        count > 1
          ? [
              [other, 1],
              [other, 2],
              [other, 3],
            ]
          : [],
      );
      // unmuted: the same sender writes again, with the next seqs
      await ds.getRepository(RoomMember).update({ roomId, subjectId: muted }, { muted: false });
      await expect(appendAll(roomId, muted, other, 'again')).resolves.toEqual([...Array<string>(count).fill('stored'), ...accepted]);
    });

    it("should refuse outside the room's writing window, by the message's time", async () => {
      const sender = randomUUID();
      const roomId = await newRoom(sender, randomUUID());
      const other = (await ds.getRepository(RoomMember).findBy({ roomId })).find((m) => m.subjectId !== sender)!.subjectId;
      const now = message(roomId, sender, 't').createdAt.getTime();
      await ds.getRepository(Room).update({ id: roomId }, { startsAt: new Date(now + 60_000), endsAt: null });
      await expect(appendAll(roomId, sender, other, 'early')).resolves.toEqual(Array<string>(count + (count > 1 ? 1 : 0)).fill('refused'));
      await ds.getRepository(Room).update({ id: roomId }, { startsAt: new Date(now - 60_000), endsAt: new Date(now - 1) });
      await expect(appendAll(roomId, sender, other, 'late')).resolves.toEqual(Array<string>(count + (count > 1 ? 1 : 0)).fill('refused'));
      await ds.getRepository(Room).update({ id: roomId }, { startsAt: new Date(now - 60_000), endsAt: new Date(now + 60_000) });
      await expect(appendAll(roomId, sender, other, 'open')).resolves.toEqual(Array<string>(count + (count > 1 ? 1 : 0)).fill('stored'));
      await expect(repo.countInRoom(centerId, roomId)).resolves.toBe(count + (count > 1 ? 1 : 0));
    });
  });
});
