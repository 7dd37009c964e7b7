import { check, emptyRecording, Recording, SeenMessage } from '../faults/checker';

// The fault suite's checker on hand-made recordings: clean ones pass, and each rule catches the
// violation it exists for (a checker that cannot fail proves nothing).

const R1 = 'room-1';
const R2 = 'room-2';
const msg = (roomId: string, seq: number, senderId = 'anna', clientMsgId = `${senderId}-${roomId}-${seq}`) => ({
  id: `m-${roomId}-${seq}`,
  roomId,
  seq,
  senderId,
  clientMsgId,
  body: `${senderId} writes ${seq} in ${roomId}`,
});
const seen = (m: ReturnType<typeof msg>): SeenMessage => ({ ...m });

/** Two rooms: anna and kim in R1 (3 messages), anna in R2 (1); a post; one counselor, two visitors in order. */
function clean(): Recording {
  const rec = emptyRecording();
  const r1 = [msg(R1, 1), msg(R1, 2, 'kim'), msg(R1, 3)];
  const r2 = [msg(R2, 1)];
  rec.membership = { anna: [R1, R2], kim: [R1] };
  rec.db.messages = [...r1, ...r2];
  rec.sent = [...r1, ...r2].map((m) => ({ member: m.senderId, senderId: m.senderId, roomId: m.roomId, clientMsgId: m.clientMsgId, body: m.body }));
  rec.messageAcks = [...r1, ...r2].map((m) => ({
    member: m.senderId,
    senderId: m.senderId,
    roomId: m.roomId,
    clientMsgId: m.clientMsgId,
    id: m.id,
    seq: m.seq,
  }));
  rec.delivered = { anna: { [R1]: r1.map(seen), [R2]: r2.map(seen) }, kim: { [R1]: r1.map(seen) } };
  rec.received = [...r1.map((m) => ({ member: 'kim', message: seen(m) })), ...r1.map((m) => ({ member: 'anna', message: seen(m) }))];
  rec.db.posts = [
    { id: 'p0', threadId: 't1', seq: 1, senderId: 'kim', clientPostId: null, body: 'the enquiry' },
    { id: 'p1', threadId: 't1', seq: 2, senderId: 'kim', clientPostId: 'post-1', body: 'post one' },
  ];
  rec.sentPosts = [{ member: 'kim', senderId: 'kim', threadId: 't1', clientPostId: 'post-1', body: 'post one' }];
  rec.postAcks = [{ member: 'kim', senderId: 'kim', threadId: 't1', clientPostId: 'post-1', id: 'p1', seq: 2 }];
  rec.loadSamples = [
    { at: 1, counselorId: 'ben', open: 1, maxChats: 2 },
    { at: 2, counselorId: 'ben', open: 2, maxChats: 2 },
  ];
  rec.joins = [
    { centerId: 'c', visitorId: 'v1', at: 10 },
    { centerId: 'c', visitorId: 'v2', at: 20 },
    { centerId: 'c', visitorId: 'v3', at: 30 },
  ];
  rec.positions = { v2: [1], v3: [2, 1] };
  rec.assignments = [
    { visitorId: 'v1', roomId: 'live-1', source: 'event' },
    { visitorId: 'v1', roomId: 'live-1', source: 'db', centerId: 'c', assignedAt: 11 },
    { visitorId: 'v2', roomId: 'live-2', source: 'db', centerId: 'c', assignedAt: 50 },
    { visitorId: 'v3', roomId: 'live-3', source: 'db', centerId: 'c', assignedAt: 50 },
  ];
  return rec;
}

describe('fault checker', () => {
  it('should find nothing in a clean recording', () => {
    expect(check(clean())).toEqual([]);
  });

  const cases: [string, (r: Recording) => void, RegExp][] = [
    [
      'an acked message missing from the database',
      (r) => (r.db.messages = r.db.messages.filter((m) => m.seq !== 3 || m.roomId !== R1)),
      /^lost: anna's acked message anna-room-1-3/,
    ],
    ['an acked message stored twice', (r) => r.db.messages.push({ ...r.db.messages[0]!, id: 'dup', seq: 4 }), /stored 2 times/],
    ['an ack whose seq is not the stored one', (r) => (r.messageAcks[1]!.seq = 7), /^ack mismatch: kim's kim-room-1-2/],
    ["a gap in a room's seq", (r) => (r.db.messages = r.db.messages.filter((m) => !(m.roomId === R1 && m.seq === 2)).concat()), /a gap/],
    ['an acked post missing from the database', (r) => (r.db.posts = []), /^lost: kim's acked post post-1/],
    ['an acked post stored twice', (r) => r.db.posts.push({ ...r.db.posts[1]!, id: 'p2', seq: 3 }), /post .* stored 2 times/],
    ['a member who never got a message', (r) => (r.delivered.kim![R1] = r.delivered.kim![R1]!.slice(0, 2)), /^missing: kim never got seq 3 of room room-1/],
    ['a member shown a message twice', (r) => r.delivered.kim![R1]!.push(r.delivered.kim![R1]![2]!), /^duplicate: kim shows message m-room-1-3 twice/],
    ['a member shown messages out of seq order', (r) => r.delivered.anna![R1]!.reverse(), /^order: anna shows seq 3 before 2/],
    [
      'a member shown a message the database does not hold',
      (r) => r.delivered.anna![R2]!.push({ ...seen(msg(R2, 2)), id: 'ghost' }),
      /^phantom: anna shows message ghost/,
    ],
    [
      'a message of a room the member is not in',
      (r) => r.received.push({ member: 'kim', message: seen(msg(R2, 1)) }),
      /^leak: kim received message m-room-2-1 of room room-2/,
    ],
    [
      'a counselor above maxChats',
      (r) => r.loadSamples.push({ at: 3, counselorId: 'ben', open: 3, maxChats: 2 }),
      /^overload: counselor ben held 3 live chats at maxChats 2/,
    ],
    [
      'a visitor assigned to two rooms',
      (r) => r.assignments.push({ visitorId: 'v1', roomId: 'live-9', source: 'event' }),
      /^double assignment: visitor v1 was assigned to 2 rooms/,
    ],
    [
      'a visitor with two live chats in the database',
      (r) => r.assignments.push({ visitorId: 'v2', roomId: 'live-2', source: 'db', centerId: 'c', assignedAt: 60 }),
      /^double assignment: visitor v2 has 2 live chats/,
    ],
    ['a waiting position that grows', (r) => r.positions.v3!.push(2), /^queue order: visitor v3 went from position 1 back to 2/],
    [
      'a later visitor assigned before an earlier one',
      (r) => (r.assignments[3]!.assignedAt = 40),
      /^queue order: in center c visitor v3 joined after v2 but was assigned first/,
    ],
    // bodies: what was received, shown and stored is what was sent
    [
      'a push whose body is not the one sent',
      (r) => (r.received[1]!.message = { ...r.received[1]!.message, body: 'kim writes 3' }),
      /^body: kim received message m-room-1-2 \(kim-room-1-2\) reads "kim writes 3", sent "kim writes 2 in room-1"/,
    ],
    [
      'a client showing a body that is not the one sent',
      (r) => (r.delivered.anna![R2]![0]!.body = ''),
      /^body: anna shows message m-room-2-1 \(anna-room-2-1\) reads "", sent/,
    ],
    [
      'a received message that nobody sent',
      (r) => r.received.push({ member: 'anna', message: { ...seen(msg(R1, 1)), clientMsgId: 'forged' } }),
      /^body: anna received message m-room-1-1 \(forged in room room-1\) that nobody sent/,
    ],
    [
      'a stored message whose decrypted body is not the one sent',
      (r) => (r.db.messages[2]!.body = 'anna writes 3 in room-2'),
      /^body: database message m-room-1-3 \(anna-room-1-3\) reads "anna writes 3 in room-2"/,
    ],
    ['a stored message the server cannot decrypt', (r) => (r.db.messages[0]!.body = null), /^body: database message m-room-1-1 \(anna-room-1-1\) unreadable/],
    [
      'a stored post whose decrypted body is not the one sent',
      (r) => (r.db.posts[1]!.body = 'post two'),
      /^body: database post p1 \(post-1\) reads "post two", sent "post one"/,
    ],
    ['a stored post that nobody sent', (r) => (r.sentPosts = []), /^body: database post p1 \(post-1\) that nobody sent/],
  ];

  it.each(cases)('should catch %s', (_name, spoil, expected) => {
    const rec = clean();
    spoil(rec);
    const violations = check(rec);
    expect(violations.some((line) => expected.test(line))).toBe(true);
  });
});
