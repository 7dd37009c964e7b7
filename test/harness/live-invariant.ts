import { LiveQueueRepository } from '../../src/modules/live-queue/live-queue.repository';
import { LIVE_QUEUE_STORE, LiveQueueStore } from '../../src/modules/live-queue/queue-store';
import type { TestApp } from './app';

interface SeatsAndChats {
  store: { seats: string[]; load: Record<string, number> };
  db: { seats: string[]; load: Record<string, number> };
}

async function read(t: TestApp, centerId: string): Promise<SeatsAndChats> {
  const seats = await t.app.get<LiveQueueStore>(LIVE_QUEUE_STORE).seats(centerId);
  const chats = await t.app.get(LiveQueueRepository).findRunningChats(centerId);
  const load: Record<string, number> = {};
  for (const c of chats) load[c.counselorId] = (load[c.counselorId] ?? 0) + 1;
  return {
    store: { seats: seats.inChat.map((s) => `${s.visitorId}→${s.counselorId}`).sort(), load: sortKeys(seats.load) },
    db: { seats: chats.map((c) => `${c.visitorId}→${c.counselorId}`).sort(), load: sortKeys(load) },
  };
}

const sortKeys = (r: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The invariant of DESIGN-NOTES §10: the seats in the live-queue store (who chats with whom, each
 * counselor's load) equal the open live chats in the database for this center. Effects of the last
 * step may still be on their way (a push, an insert), so it waits up to `ms` for agreement and then
 * asserts on what it read last.
 */
export async function expectSeatsMatchChats(t: TestApp, centerId: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  let last = await read(t, centerId);
  while (JSON.stringify(last.store) !== JSON.stringify(last.db) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read(t, centerId);
  }
  expect(last.store).toEqual(last.db);
}
