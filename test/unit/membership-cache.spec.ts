import { randomUUID } from 'node:crypto';
import type { ClusterBus } from '../../src/infra/redis/cluster-bus';
import { MEMBERSHIP_CHANGED, MEMBERSHIP_TTL_MS, MembershipCache, RoomOfMember } from '../../src/modules/rooms/membership-cache';
import type { RoomMember } from '../../src/modules/rooms/room-member.entity';
import type { Room } from '../../src/modules/rooms/room.entity';

/** A bus as the cache sees it: its handlers, its liveness and its resync callbacks, driven by the test. */
class FakeBus {
  live = true;
  readonly handlers = new Map<string, (payload: unknown) => void>();
  readonly resyncs: (() => void)[] = [];
  readonly delivered: unknown[] = [];
  on(name: string, h: (payload: unknown) => void): void {
    this.handlers.set(name, h);
  }
  onResync(h: () => void): void {
    this.resyncs.push(h);
  }
  deliver(name: string, payload: unknown): Promise<void> {
    this.delivered.push(payload);
    this.handlers.get(name)?.(payload);
    return Promise.resolve();
  }
  /** Another node's change arriving. */
  receive(payload: unknown): void {
    this.handlers.get(MEMBERSHIP_CHANGED)?.(payload);
  }
  resync(): void {
    for (const h of this.resyncs) h();
  }
}

const centerId = randomUUID();
const found = (roomId: string, subjectId: string, removed = false, center = centerId): RoomOfMember => ({
  room: { id: roomId, centerId: center } as Room,
  member: { roomId, subjectId, centerId: center, removedAt: removed ? new Date() : null } as RoomMember,
});

describe('MembershipCache', () => {
  let bus: FakeBus;
  let cache: MembershipCache;
  let reads: number;
  const read = (roomId: string, subjectId: string, center = centerId, answer: RoomOfMember | null = found(roomId, subjectId, false, center)) =>
    cache.find(center, roomId, subjectId, () => {
      reads++;
      return Promise.resolve(answer);
    });

  beforeEach(() => {
    bus = new FakeBus();
    cache = new MembershipCache(bus as unknown as ClusterBus);
    reads = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('should answer the second read from the cache and read again once a change of the room arrived from another node', async () => {
    const [room, other, subject] = [randomUUID(), randomUUID(), randomUUID()];
    await read(room, subject);
    await read(other, subject);
    await read(room, subject);
    expect(reads).toBe(2);
    bus.receive({ roomIds: [room] });
    await read(room, subject);
    await read(other, subject);
    expect(reads).toBe(3);
  });

  it('should drop the room on this node and publish the change when a write committed', async () => {
    const [room, subject] = [randomUUID(), randomUUID()];
    await read(room, subject);
    await cache.changed({ roomIds: [room] });
    await read(room, subject);
    expect({ reads, delivered: bus.delivered }).toEqual({ reads: 2, delivered: [{ roomIds: [room] }] });
  });

  it('should drop by subject, by center and everything for a payload it cannot read', async () => {
    const [r1, r2, s1, s2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const otherCenter = randomUUID();
    const warm = async () => {
      await read(r1, s1);
      await read(r2, s1);
      await read(r1, s2);
      await read(r2, s2, otherCenter);
    };
    await warm();
    expect(reads).toBe(4);
    bus.receive({ subjectId: s1, centerId });
    await warm();
    expect(reads).toBe(6);
    bus.receive({ centerId: otherCenter });
    await warm();
    expect(reads).toBe(7);
    bus.receive({ roomIds: [r1, 7] });
    await warm();
    expect(reads).toBe(11);
  });

  it('should never answer for another center or cache a removed or missing membership', async () => {
    const [room, gone, subject] = [randomUUID(), randomUUID(), randomUUID()];
    await read(room, subject);
    await expect(read(room, subject, randomUUID(), null)).resolves.toBeNull();
    expect(reads).toBe(2);
    for (let i = 0; i < 2; i++) await read(gone, subject, centerId, found(gone, subject, true));
    for (let i = 0; i < 2; i++) await read(randomUUID(), subject, centerId, null);
    expect(reads).toBe(6);
    await expect(read(room, subject)).resolves.toMatchObject({ member: { removedAt: null } });
    expect(reads).toBe(6);
  });

  it('should not store a read that was under way when a change arrived', async () => {
    const [room, subject] = [randomUUID(), randomUUID()];
    let release!: () => void;
    const slow = cache.find(centerId, room, subject, async () => {
      reads++;
      await new Promise<void>((r) => (release = r));
      return found(room, subject);
    });
    await Promise.resolve();
    bus.receive({ roomIds: [room] });
    release();
    await slow;
    await read(room, subject);
    expect(reads).toBe(2);
  });

  it('should neither serve nor fill while the bus is not live, and drop everything when it resyncs', async () => {
    const [room, subject] = [randomUUID(), randomUUID()];
    await read(room, subject);
    bus.live = false;
    bus.resync();
    await read(room, subject);
    await read(room, subject);
    expect(reads).toBe(3);
    bus.live = true;
    await read(room, subject);
    bus.resync();
    await read(room, subject);
    await read(room, subject);
    expect(reads).toBe(5);
  });

  it('should read again once an entry is older than the TTL', async () => {
    jest.useFakeTimers();
    const [room, subject] = [randomUUID(), randomUUID()];
    await read(room, subject);
    jest.advanceTimersByTime(MEMBERSHIP_TTL_MS - 100);
    await read(room, subject);
    expect(reads).toBe(1);
    jest.advanceTimersByTime(200);
    await read(room, subject);
    expect(reads).toBe(2);
  });
});
