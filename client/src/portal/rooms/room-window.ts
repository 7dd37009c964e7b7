import type { RoomListItem } from '../../../../src/realtime/contract';

/** Where a room stands in its writing window right now. */
export type RoomWindow = { state: 'closed' } | { state: 'before'; at: string } | { state: 'after'; at: string } | { state: 'open'; until: string | null };

export function roomWindow(room: Pick<RoomListItem, 'startsAt' | 'endsAt' | 'closedAt'>, now: number): RoomWindow {
  if (room.closedAt) return { state: 'closed' };
  if (room.startsAt && now < Date.parse(room.startsAt)) return { state: 'before', at: room.startsAt };
  if (room.endsAt && now >= Date.parse(room.endsAt)) return { state: 'after', at: room.endsAt };
  return { state: 'open', until: room.endsAt };
}

/** Milliseconds until the window changes next (to show it when it does), or null. */
export function nextWindowChange(room: Pick<RoomListItem, 'startsAt' | 'endsAt' | 'closedAt'>, now: number): number | null {
  if (room.closedAt) return null;
  const times = [room.startsAt, room.endsAt].flatMap((t) => (t ? [Date.parse(t) - now] : [])).filter((ms) => ms > 0);
  // setTimeout holds at most ~24.8 days
  return times.length ? Math.min(Math.min(...times) + 50, 2_000_000_000) : null;
}
