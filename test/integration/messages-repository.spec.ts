import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Message } from '../../src/modules/rooms/message.entity';
import { Transactions } from '../../src/infra/database/transactions';
import { MessagesRepository } from '../../src/modules/rooms/messages.repository';
import { Room } from '../../src/modules/rooms/room.entity';
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

  async function newRoom(): Promise<string> {
    const room = rows.room();
    await ds.getRepository(Room).insert(room);
    return room.id;
  }
  const message = (roomId: string, senderId: string, clientMsgId: string): Message => rows.message({ roomId, senderId, clientMsgId });

  it('should hand out gap-free, unique seqs when 200 messages are appended at once', async () => {
    const roomId = await newRoom();
    const senders = [randomUUID(), randomUUID(), randomUUID()];
    const outcomes = await Promise.all(Array.from({ length: 200 }, (_, i) => repo.append(message(roomId, senders[i % 3]!, `c-${i}`))));
    const seqs = outcomes.map((o) => (o.kind === 'stored' ? o.seq : -1)).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const stored = await repo.page(centerId, roomId, { afterSeq: 0, limit: 200 });
    expect(stored.map((m) => m.seq)).toEqual(seqs);
  });

  it('should store one row and spend no seq when the same clientMsgId is appended concurrently', async () => {
    const roomId = await newRoom();
    const sender = randomUUID();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => repo.append(message(roomId, sender, 'same'))));
    expect(outcomes.filter((o) => o.kind === 'stored')).toEqual([{ kind: 'stored', seq: 1 }]);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(9);
    await expect(repo.append(message(roomId, sender, 'next'))).resolves.toEqual({ kind: 'stored', seq: 2 });
    await expect(repo.countInRoom(centerId, roomId)).resolves.toBe(2);
  });

  it('should refuse to append when the room is closed or belongs to another center', async () => {
    const roomId = await newRoom();
    await expect(repo.append({ ...message(roomId, randomUUID(), 'x'), centerId: randomUUID() })).resolves.toEqual({ kind: 'closed' });
    await ds.getRepository(Room).update({ id: roomId }, { closedAt: new Date() });
    await expect(repo.append(message(roomId, randomUUID(), 'y'))).resolves.toEqual({ kind: 'closed' });
    await expect(repo.countInRoom(centerId, roomId)).resolves.toBe(0);
  });
});
