import { call, ok } from '../harness/ack';
import { connect, connectFrom, visitor, type SeededCenter, type TestApp, type TestSocket } from '../harness/app';

// Not re-exported by index.ts: harness/app imports the index, and these need its sockets.

/** A live-chat visitor of the center (`POST …/visitors`) with a socket on `node`, from `address` if given (X-Forwarded-For). */
export interface LiveVisitor {
  id: string;
  token: string;
  socket: TestSocket;
}

export async function liveVisitor(node: TestApp, center: { slug: string }, address?: string): Promise<LiveVisitor> {
  const v = await visitor(node, center.slug);
  return { id: v.visitorId, token: v.token, socket: address ? await connectFrom(node.url, v.token, address) : await connect(node.url, v.token) };
}

/** Counselor `i` of a seeded center, connected to `node` with an open shift of `maxChats` (the ack may take `ms` under load). */
export async function counselorOnShift(node: TestApp, center: SeededCenter, i: number, maxChats: number, ms = 20_000): Promise<TestSocket> {
  const s = await connect(node.url, center.counselors[i]!.token);
  ok(await call(s, 'shift.open', { maxChats }, ms));
  return s;
}
