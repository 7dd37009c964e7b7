/**
 * The fault suite's checker: what a workload recorded (acks, every received message and live-queue
 * event, samples of the counselors' load) and what the database holds afterwards, checked against
 * the guarantees of CONTRACT.md. `check()` returns every violation found (an empty list: clean);
 * test/unit/fault-checker.spec.ts feeds it hand-made recordings that break each rule.
 */

/** A message row of the database, with its body as the server decrypts it (null: it could not read it). */
export interface DbMessage {
  id: string;
  roomId: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
  body: string | null;
}

/** A post row of the database. */
export interface DbPost {
  id: string;
  threadId: string;
  seq: number;
  senderId: string | null;
  clientPostId: string | null;
  /** As the server decrypts it (null: it could not read it). */
  body: string | null;
}

/** A message the client holds (ReliableChat's room after catch-up) or received (a push / a history page). */
export interface SeenMessage {
  id: string;
  roomId: string;
  seq: number;
  senderId: string;
  clientMsgId: string;
  body: string;
}

export interface Recording {
  /** Who is in which room (member name → room ids). */
  membership: Record<string, string[]>;
  /** Every message a member sent (each clientMsgId once, with the text it carried), acked or not. */
  sent: { member: string; senderId: string; roomId: string; clientMsgId: string; body: string }[];
  /** Every post a member sent (each clientPostId once), answered or not. */
  sentPosts: { member: string; senderId: string; threadId: string; clientPostId: string; body: string }[];
  /** message.send acks: what the server promised. */
  messageAcks: { member: string; senderId: string; roomId: string; clientMsgId: string; id: string; seq: number }[];
  /** POST /api/threads/:id/posts 201 answers. */
  postAcks: { member: string; senderId: string; threadId: string; clientPostId: string; id: string; seq: number }[];
  /** Every message a member received, as it came (pushes and history pages; duplicates included). */
  received: { member: string; message: SeenMessage }[];
  /** What each member's client shows per room after the final catch-up. */
  delivered: Record<string, Record<string, SeenMessage[]>>;
  /** The database afterwards. */
  db: { messages: DbMessage[]; posts: DbPost[] };
  /** Load samples during the run: open live chats per counselor (from the database) and their maxChats. */
  loadSamples: { at: number; counselorId: string; open: number; maxChats: number }[];
  /** Visitors' queue.join acks in the order they were given, per center. */
  joins: { centerId: string; visitorId: string; at: number }[];
  /** queue.position pushes per visitor, in arrival order. */
  positions: Record<string, number[]>;
  /** Assignments: queue.assigned pushes to visitors and the live_chats rows of the database. */
  assignments: { visitorId: string; roomId: string; source: 'event' | 'db'; centerId?: string; assignedAt?: number }[];
}

export function emptyRecording(): Recording {
  return {
    membership: {},
    sent: [],
    sentPosts: [],
    messageAcks: [],
    postAcks: [],
    received: [],
    delivered: {},
    db: { messages: [], posts: [] },
    loadSamples: [],
    joins: [],
    positions: {},
    assignments: [],
  };
}

/** Every violation of the guarantees in the recording, as one line each. */
export function check(rec: Recording): string[] {
  const v: string[] = [];
  const key = (roomId: string, senderId: string, clientMsgId: string) => `${roomId}|${senderId}|${clientMsgId}`;

  // 1. every acknowledged message exists exactly once in the database, where its ack said
  const rowsByKey = new Map<string, DbMessage[]>();
  const rowsById = new Map<string, DbMessage>();
  const seqs = new Set<string>();
  for (const m of rec.db.messages) {
    const k = key(m.roomId, m.senderId, m.clientMsgId);
    rowsByKey.set(k, [...(rowsByKey.get(k) ?? []), m]);
    rowsById.set(m.id, m);
    const s = `${m.roomId}#${m.seq}`;
    if (seqs.has(s)) v.push(`database: two messages at seq ${m.seq} in room ${m.roomId}`);
    seqs.add(s);
  }
  for (const [k, rows] of rowsByKey) if (rows.length > 1) v.push(`database: message ${k} stored ${rows.length} times`);
  for (const a of rec.messageAcks) {
    const rows = rowsByKey.get(key(a.roomId, a.senderId, a.clientMsgId)) ?? [];
    if (rows.length === 0) v.push(`lost: ${a.member}'s acked message ${a.clientMsgId} (seq ${a.seq}) is not in the database`);
    else if (rows[0]!.id !== a.id || rows[0]!.seq !== a.seq)
      v.push(`ack mismatch: ${a.member}'s ${a.clientMsgId} acked as ${a.id}@${a.seq}, stored as ${rows[0]!.id}@${rows[0]!.seq}`);
  }
  // seq gap-free per room (a hole means a lost commit or a burnt number)
  const maxSeq = new Map<string, number>();
  const count = new Map<string, number>();
  for (const m of rec.db.messages) {
    maxSeq.set(m.roomId, Math.max(maxSeq.get(m.roomId) ?? 0, m.seq));
    count.set(m.roomId, (count.get(m.roomId) ?? 0) + 1);
  }
  for (const [roomId, max] of maxSeq)
    if (count.get(roomId) !== max) v.push(`database: room ${roomId} has ${count.get(roomId)} messages up to seq ${max} (a gap)`);

  // 2. posts: each acked post exactly once
  const postRows = new Map<string, DbPost[]>();
  for (const p of rec.db.posts) {
    if (p.clientPostId === null) continue;
    const k = key(p.threadId, p.senderId ?? '', p.clientPostId);
    postRows.set(k, [...(postRows.get(k) ?? []), p]);
  }
  for (const [k, rows] of postRows) if (rows.length > 1) v.push(`database: post ${k} stored ${rows.length} times`);
  for (const a of rec.postAcks) {
    const rows = postRows.get(key(a.threadId, a.senderId, a.clientPostId)) ?? [];
    if (rows.length === 0) v.push(`lost: ${a.member}'s acked post ${a.clientPostId} is not in the database`);
    else if (rows[0]!.id !== a.id) v.push(`ack mismatch: ${a.member}'s post ${a.clientPostId} acked as ${a.id}, stored as ${rows[0]!.id}`);
  }

  // 3. every member shows every message of their rooms exactly once, in seq order
  const dbByRoom = new Map<string, DbMessage[]>();
  for (const m of rec.db.messages) dbByRoom.set(m.roomId, [...(dbByRoom.get(m.roomId) ?? []), m]);
  for (const [member, rooms] of Object.entries(rec.membership)) {
    for (const roomId of rooms) {
      const shown = rec.delivered[member]?.[roomId] ?? [];
      const ids = new Set<string>();
      for (let i = 0; i < shown.length; i++) {
        const m = shown[i]!;
        if (ids.has(m.id)) v.push(`duplicate: ${member} shows message ${m.id} twice in room ${roomId}`);
        ids.add(m.id);
        if (i > 0 && shown[i - 1]!.seq >= m.seq) v.push(`order: ${member} shows seq ${shown[i - 1]!.seq} before ${m.seq} in room ${roomId}`);
        const row = rowsById.get(m.id);
        if (!row) v.push(`phantom: ${member} shows message ${m.id} that is not in the database`);
        else if (row.seq !== m.seq || row.roomId !== roomId)
          v.push(`mismatch: ${member} shows ${m.id} at ${roomId}@${m.seq}, stored at ${row.roomId}@${row.seq}`);
      }
      for (const row of dbByRoom.get(roomId) ?? []) if (!ids.has(row.id)) v.push(`missing: ${member} never got seq ${row.seq} of room ${roomId}`);
    }
  }

  // 4. nobody received a message of a room they are not in
  for (const r of rec.received) {
    const rooms = rec.membership[r.member] ?? [];
    if (!rooms.includes(r.message.roomId)) v.push(`leak: ${r.member} received message ${r.message.id} of room ${r.message.roomId}, not theirs`);
  }

  // 5. no counselor above maxChats
  for (const s of rec.loadSamples)
    if (s.open > s.maxChats) v.push(`overload: counselor ${s.counselorId} held ${s.open} live chats at maxChats ${s.maxChats} (t=${s.at})`);

  // 6. no visitor assigned twice (two different rooms, or two database rows)
  const roomsOf = new Map<string, Set<string>>();
  const dbRows = new Map<string, number>();
  for (const a of rec.assignments) {
    roomsOf.set(a.visitorId, (roomsOf.get(a.visitorId) ?? new Set()).add(a.roomId));
    if (a.source === 'db') dbRows.set(a.visitorId, (dbRows.get(a.visitorId) ?? 0) + 1);
  }
  for (const [visitorId, rooms] of roomsOf) if (rooms.size > 1) v.push(`double assignment: visitor ${visitorId} was assigned to ${rooms.size} rooms`);
  for (const [visitorId, n] of dbRows) if (n > 1) v.push(`double assignment: visitor ${visitorId} has ${n} live chats in the database`);

  // 7. the waiting line stays in order: positions never grow; assignment order = join order per center
  for (const [visitorId, ps] of Object.entries(rec.positions))
    for (let i = 1; i < ps.length; i++) if (ps[i]! > ps[i - 1]!) v.push(`queue order: visitor ${visitorId} went from position ${ps[i - 1]} back to ${ps[i]}`);
  const assignedAt = new Map<string, number>();
  for (const a of rec.assignments) if (a.source === 'db' && a.assignedAt !== undefined) assignedAt.set(a.visitorId, a.assignedAt);
  const byCenter = new Map<string, { visitorId: string; at: number }[]>();
  for (const j of rec.joins) byCenter.set(j.centerId, [...(byCenter.get(j.centerId) ?? []), j]);
  for (const [centerId, joins] of byCenter) {
    const ordered = [...joins].sort((x, y) => x.at - y.at).filter((j) => assignedAt.has(j.visitorId));
    for (let i = 1; i < ordered.length; i++) {
      const before = ordered[i - 1]!;
      const after = ordered[i]!;
      if (assignedAt.get(after.visitorId)! < assignedAt.get(before.visitorId)!)
        v.push(`queue order: in center ${centerId} visitor ${after.visitorId} joined after ${before.visitorId} but was assigned first`);
    }
  }

  // 8. every body as it was sent: each push and history entry a member received, what each client
  // shows, and each stored message and post as the server decrypts it
  const sentBody = new Map<string, string>();
  for (const m of rec.sent) sentBody.set(key(m.roomId, m.senderId, m.clientMsgId), m.body);
  const bodyOf = (where: string, m: { roomId: string; senderId: string; clientMsgId: string; id: string }, body: string | null) => {
    const want = sentBody.get(key(m.roomId, m.senderId, m.clientMsgId));
    if (want === undefined) v.push(`body: ${where} message ${m.id} (${m.clientMsgId} in room ${m.roomId}) that nobody sent`);
    else if (body === null) v.push(`body: ${where} message ${m.id} (${m.clientMsgId}) unreadable`);
    else if (body !== want) v.push(`body: ${where} message ${m.id} (${m.clientMsgId}) reads ${JSON.stringify(cut(body))}, sent ${JSON.stringify(cut(want))}`);
  };
  for (const m of rec.db.messages) bodyOf('database', m, m.body);
  for (const r of rec.received) bodyOf(`${r.member} received`, r.message, r.message.body);
  for (const [member, rooms] of Object.entries(rec.delivered))
    for (const shown of Object.values(rooms)) for (const m of shown) bodyOf(`${member} shows`, m, m.body);
  const sentPost = new Map<string, string>();
  for (const p of rec.sentPosts) sentPost.set(key(p.threadId, p.senderId, p.clientPostId), p.body);
  for (const p of rec.db.posts) {
    if (p.clientPostId === null) continue;
    const want = sentPost.get(key(p.threadId, p.senderId ?? '', p.clientPostId));
    if (want === undefined) v.push(`body: database post ${p.id} (${p.clientPostId}) that nobody sent`);
    else if (p.body !== want)
      v.push(`body: database post ${p.id} (${p.clientPostId}) reads ${JSON.stringify(cut(p.body ?? 'null'))}, sent ${JSON.stringify(cut(want))}`);
  }
  return v;
}

const cut = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…(${s.length})` : s);

/** Throws with every violation and the seed that reproduces the run. */
export function assertClean(rec: Recording, seed: string): void {
  const violations = check(rec);
  if (violations.length > 0) {
    const shown = violations.slice(0, 40).join('\n  ');
    throw new Error(`checker found ${violations.length} violation(s); reproduce with FAULT_SEED=${seed}\n  ${shown}`);
  }
}
