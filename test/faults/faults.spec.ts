import { randomInt } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2';
import request from 'supertest';
import { io } from 'socket.io-client';
import { call, ok } from '../harness/ack';
import { TcpProxy } from '../harness/tcp-proxy';
import type { TestSocket } from '../harness/app';
import { assertClean } from './checker';
import {
  emptyRecording,
  FailoverSocket,
  lastSeqs,
  LotseNode,
  loginAt,
  Member,
  PASSWORD,
  readDatabase,
  Recording,
  registerAt,
  restRetry,
  rng,
  sleep,
  Stack,
  startStack,
} from './workload';

// The fault suite (docs/reliability.md): one workload on two Lotse nodes (private MariaDB and
// Redis, each node behind its own cuttable Redis proxy) per seed, with every fault injected once
// in a seeded order and timing; the checker runs after each. Three seeds per run, so every fault
// runs three times; FAULT_SEED=<n> reproduces one run (a failure message names its seed).

const SEEDS = process.env.FAULT_SEED ? [Number(process.env.FAULT_SEED)] : [randomInt(1, 2 ** 31), randomInt(1, 2 ** 31), randomInt(1, 2 ** 31)];
const REDIS_DOWN_MS = Number(process.env.FAULT_REDIS_DOWN_MS ?? 30_000);
const MAX_CHATS = 2;
const SLUG = 'faults';
// in sequence (the slow consumer too: a node killed meanwhile would disconnect it for another reason)
const SERVER_FAULTS = ['sigkill', 'sigterm', 'redis-restart', 'redis-down', 'mariadb-restart', 'partition', 'slow-consumer'] as const;
// at a random moment, beside the others
const CLIENT_FAULTS = ['offline'] as const;
type Fault = (typeof SERVER_FAULTS)[number] | (typeof CLIENT_FAULTS)[number];

process.stdout.write(`fault suite seeds: ${SEEDS.join(', ')} (FAULT_SEED=<seed> reproduces one)\n`);

async function query<T extends RowDataPacket>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await createConnection(url);
  try {
    return (await conn.query<T[]>(sql, params))[0];
  } finally {
    await conn.end();
  }
}

async function healthOf(url: string): Promise<{ code: number; database?: string; redis?: string }> {
  try {
    const res = await request(url).get('/health').timeout(2000);
    return { ...(res.body as object), code: res.status };
  } catch {
    return { code: 0 };
  }
}

async function until(test: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${ms} ms`);
    await sleep(200);
  }
}

describe('fault injection on two nodes', () => {
  let stack: Stack;

  beforeAll(async () => {
    const t0 = Date.now();
    stack = await startStack();
    // one center for every run (each run has counselors and clients of its own); the CLI only once: it is slow on a busy machine
    await stack.cli(['center:create', '--slug', SLUG, '--name', 'Faults', '--admin-email', `admin@${SLUG}.example`, '--admin-password', PASSWORD]);
    await Promise.all(stack.nodes.map((n) => n.start()));
    process.stdout.write(`fault suite: services, centers and two nodes up in ${Date.now() - t0} ms\n`);
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  SEEDS.forEach((seed, i) => {
    it(`should keep every guarantee under every fault (seed ${seed})`, async () => {
      await runOnce(stack, seed, i);
    }, 420_000);
  });
});

async function runOnce(stack: Stack, seed: number, run: number): Promise<void> {
  const slug = SLUG;
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const between = (lo: number, hi: number) => Math.floor(lo + random() * (hi - lo));
  const [A, B] = stack.nodes;
  const urls = [A.url, B.url];
  const rec: Recording = emptyRecording();
  const problems: string[] = [];
  const log = (line: string) => process.stdout.write(`[seed ${seed}] ${line}\n`);
  const centerId = (await query(stack.databaseUrl, 'SELECT id FROM centers WHERE slug = ?', [slug]))[0]!.id as string;

  // ---- people, rooms, threads --------------------------------------------------------------------
  const admin = await loginAt(A.url, slug, `admin@${slug}.example`);
  const staff = async (name: string) => {
    const email = `${name}${run}@${slug}.example`;
    const res = await request(A.url)
      .post(`/api/centers/${slug}/staff`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ email, displayName: `${name} ${run}`, role: 'counselor' });
    if (res.status !== 201 || !(res.body as { password?: string }).password) throw new Error(`staff ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return (
      await request(A.url)
        .post('/api/auth/login')
        .send({ center: slug, login: email, password: (res.body as { password: string }).password })
        .expect(200)
    ).body as typeof admin;
  };
  const [anna, ben, cleo] = [await staff('anna'), await staff('ben'), await staff('cleo')];
  const clients = await Promise.all(Array.from({ length: 6 }, (_, k) => registerAt(k % 2 ? A.url : B.url, slug, `k${k}-r${run}-${seed % 100000}`)));
  const creator = async (token: string, name: string, memberIds: string[]) => {
    const s: TestSocket = io(A.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      return ok(await call(s, 'room.create', { name, memberIds })).roomId;
    } finally {
      s.disconnect();
    }
  };
  const ids = clients.map((c) => c.account.id);
  const rooms = {
    group1: await creator(anna.token, 'Group one', [ids[0]!, ids[1]!, ids[2]!, ids[3]!]),
    oneA: await creator(anna.token, 'Anna and k4', [ids[4]!]),
    group2: await creator(ben.token, 'Group two', [ids[2]!, ids[4]!, ids[5]!]),
    oneB: await creator(ben.token, 'Ben and k0', [ids[0]!]),
  };
  const roomIds = Object.values(rooms);
  const memberRooms: Record<string, string[]> = {
    anna: [rooms.group1, rooms.oneA],
    ben: [rooms.group2, rooms.oneB],
    k0: [rooms.group1, rooms.oneB],
    k1: [rooms.group1],
    k2: [rooms.group1, rooms.group2],
    k3: [rooms.group1],
    k4: [rooms.oneA, rooms.group2],
    k5: [rooms.group2],
  };
  const logins: Record<string, typeof anna> = { anna, ben, ...Object.fromEntries(clients.map((c, k) => [`k${k}`, c])) };
  // the slow-consumer candidates reach the nodes through proxies that can stop reading for them
  const slowProxies = new Map<string, TcpProxy[]>();
  for (const name of ['k1', 'k3', 'k5']) {
    const ps = [new TcpProxy(new URL(A.url)), new TcpProxy(new URL(B.url))];
    await Promise.all(ps.map((p) => p.listen()));
    slowProxies.set(name, ps);
  }
  const urlsOf = (name: string) => {
    const ps = slowProxies.get(name);
    const own = ps ? ps.map((p) => p.url) : urls;
    return random() < 0.5 ? own : [own[1]!, own[0]!];
  };
  const members = Object.entries(memberRooms).map(([name, rs]) => new Member(name, logins[name]!, rs, urlsOf(name), rec));
  await Promise.all(members.map((m) => m.connect()));
  const byName = new Map(members.map((m) => [m.name, m]));

  // threads: three clients' enquiries, posts with a clientPostId (retried on the other node)
  const threads = await Promise.all(
    [0, 1, 2].map(async (k) => {
      const res = await restRetry(urls, (u) =>
        request(u)
          .post('/api/threads')
          .set('Authorization', `Bearer ${clients[k]!.token}`)
          .send({ subject: `Enquiry ${k}`, body: 'hello' }),
      );
      expect(res.status).toBe(201);
      return { k, id: (res.body as { id: string }).id };
    }),
  );
  let postCount = 0;
  const post = async (k: number, threadId: string) => {
    const clientPostId = `post-${k}-${++postCount}`;
    const res = await restRetry(urls, (u) =>
      request(u)
        .post(`/api/threads/${threadId}/posts`)
        .set('Authorization', `Bearer ${clients[k]!.token}`)
        .timeout(15_000)
        .send({ body: `post ${clientPostId}`, clientPostId }),
    );
    if (res.status !== 201) problems.push(`post ${clientPostId} answered ${res.status} ${JSON.stringify(res.body)}`);
    else {
      const body = res.body as { id: string; seq: number };
      rec.postAcks.push({ member: `k${k}`, senderId: clients[k]!.account.id, threadId, clientPostId, id: body.id, seq: body.seq });
    }
  };

  // ---- live queue: cleo on shift (maxChats 2), visitors join one by one ------------------------------
  const counselorChats: string[] = [];
  const cleoSocket = new FailoverSocket('cleo', cleo.token, urls, () => undefined);
  cleoSocket.on('connect', () => {
    const s = cleoSocket.current;
    if (s) void call(s, 'shift.open', { maxChats: MAX_CHATS }, 15_000).catch(() => undefined);
  });
  cleoSocket.on('queue.assigned', (p: { roomId: string }) => counselorChats.push(p.roomId));
  await cleoSocket.open();
  await until(
    async () => (await query(stack.databaseUrl, 'SELECT id FROM shifts WHERE counselor_id = ? AND closed_at IS NULL', [cleo.account.id])).length > 0,
    15_000,
    'on shift',
  );
  const visitors: FailoverSocket[] = [];
  const joinVisitors = async (count: number) => {
    for (let v = 0; v < count; v++) {
      const res = await restRetry(urls, (u) => request(u).post(`/api/centers/${slug}/visitors`).send({}));
      const { token, visitorId } = res.body as { token: string; visitorId: string };
      const vs = new FailoverSocket(`visitor-${v}`, token, random() < 0.5 ? urls : [B.url, A.url], () => undefined);
      rec.positions[visitorId] = [];
      vs.on('queue.position', (p: { position: number }) => rec.positions[visitorId]!.push(p.position));
      vs.on('queue.assigned', (p: { roomId: string }) => rec.assignments.push({ visitorId, roomId: p.roomId, source: 'event' }));
      await vs.open();
      visitors.push(vs);
      const answer = await call(vs.current!, 'queue.join', {}, 15_000).catch(() => null);
      if (answer?.ok) {
        rec.joins.push({ centerId, visitorId, at: Date.now() });
        rec.positions[visitorId].push(answer.data.position);
      }
      await sleep(100);
    }
  };
  await joinVisitors(6);

  // ---- background traffic --------------------------------------------------------------------------
  let running = true;
  const loops: Promise<void>[] = [];
  for (const m of members)
    loops.push(
      (async () => {
        await sleep(between(0, 300));
        while (running) {
          await m.send(pick(m.rooms));
          await sleep(between(300, 900));
        }
      })(),
    );
  for (const t of threads)
    loops.push(
      (async () => {
        while (running) {
          await post(t.k, t.id);
          await sleep(between(400, 1200));
        }
      })(),
    );
  // the counselor ends a live chat now and then (the next visitor gets the seat)
  loops.push(
    (async () => {
      while (running) {
        await sleep(between(1500, 3000));
        const roomId = counselorChats.shift();
        const s = cleoSocket.current;
        if (roomId && s) {
          const answer = await call(s, 'room.close', { roomId }, 15_000).catch(() => null);
          if (!answer?.ok) counselorChats.unshift(roomId);
        }
      }
    })(),
  );
  // samples of each counselor's open live chats, from the database
  loops.push(
    (async () => {
      while (running) {
        try {
          const rows = await query(
            stack.databaseUrl,
            'SELECT counselor_id AS c, COUNT(*) AS n FROM live_chats WHERE center_id = ? AND ended_at IS NULL GROUP BY counselor_id',
            [centerId],
          );
          for (const r of rows) rec.loadSamples.push({ at: Date.now(), counselorId: r.c as string, open: Number(r.n), maxChats: MAX_CHATS });
        } catch {
          // the database is away (the MariaDB restart): no sample
        }
        await sleep(300);
      }
    })(),
  );

  // ---- the faults ------------------------------------------------------------------------------------
  const burst = async (target: Member, count: number, padTo = 0) => {
    const others = members.filter((m) => m !== target && m.rooms.some((r) => target.rooms.includes(r)));
    let sent = 0;
    await Promise.all(
      others.map(async (m) => {
        while (sent < count) {
          sent++;
          const shared = m.rooms.filter((r) => target.rooms.includes(r));
          await m.send(pick(shared), padTo);
        }
      }),
    );
  };
  const restart = async (node: LotseNode) => {
    await node.start();
  };
  const inject = async (fault: Fault) => {
    const t0 = Date.now();
    switch (fault) {
      case 'sigkill': {
        const node = pick([A, B]);
        await node.signal('SIGKILL');
        await sleep(between(500, 2500));
        await restart(node);
        log(`sigkill ${node.name}, restarted`);
        break;
      }
      case 'sigterm': {
        const node = pick([A, B]);
        const ms = await node.signal('SIGTERM');
        const code = node.exits[node.exits.length - 1]!.code;
        if (ms > 10_000) problems.push(`SIGTERM: node ${node.name} took ${ms} ms to exit (limit 10 s)`);
        if (code !== 0) problems.push(`SIGTERM: node ${node.name} exited with code ${code}`);
        await sleep(between(200, 1500));
        await restart(node);
        log(`sigterm ${node.name}: exited in ${ms} ms (code ${code}), restarted`);
        break;
      }
      case 'redis-restart':
        await stack.redis.restart();
        log('redis restarted');
        break;
      case 'redis-down': {
        await stack.redis.stop();
        await sleep(REDIS_DOWN_MS);
        await stack.redis.start();
        log(`redis down for ${REDIS_DOWN_MS} ms`);
        break;
      }
      case 'mariadb-restart': {
        await stack.mariadb.stop();
        const during = await healthOf(pick([A, B]).url);
        if (during.code === 200) problems.push(`MariaDB restart: /health answered 200 while the database was away: ${JSON.stringify(during)}`);
        const ready = await request(pick([A, B]).url)
          .get('/health/ready')
          .timeout(3000)
          .then(
            (r) => r.status,
            () => 0,
          );
        if (ready !== 503) problems.push(`MariaDB restart: /health/ready answered ${ready} while the database was away (expected 503)`);
        await sleep(between(500, 2000));
        await stack.mariadb.start();
        // the pool recovers without restarting Lotse
        for (const n of [A, B]) {
          await until(async () => (await healthOf(n.url)).code === 200, 30_000, `${n.name} healthy after the MariaDB restart`).catch((e: Error) =>
            problems.push(e.message),
          );
        }
        log(`mariadb restarted (health during: ${during.code} ${during.database ?? ''})`);
        break;
      }
      case 'partition': {
        const node = pick([A, B]);
        node.redisProxy.cut();
        await sleep(between(2000, 5000));
        node.redisProxy.restore();
        log(`node ${node.name} cut from Redis, healed`);
        break;
      }
      case 'offline': {
        const target = byName.get(pick(['k0', 'k2', 'k4']))!;
        target.socket.goOffline();
        await burst(target, 200);
        await target.socket.online();
        log(`${target.name} offline while 200 messages were written in its rooms, back`);
        break;
      }
      case 'slow-consumer': {
        const target = byName.get(pick(['k1', 'k3', 'k5']))!;
        const proxies = slowProxies.get(target.name)!;
        const disconnectsBefore = target.socket.disconnects.length;
        for (const p of proxies) p.stall();
        await burst(target, 200, 4000);
        for (const p of proxies) p.flow();
        // Here the checker proves the catch-up afterwards (every message once, in order). That the node
        // cuts a socket whose send buffer passes SOCKET_SEND_BUFFER_BYTES is asserted by
        // test/e2e/reliability-slow-consumer.spec.ts: 800 kB do not always reach the node's own
        // buffer here, because the kernel's loopback buffers (tcp_rmem up to 32 MB) take them first.
        await until(() => target.socket.disconnects.length > disconnectsBefore, 5_000, 'cut').catch(() => undefined);
        const cut = target.socket.disconnects.length > disconnectsBefore;
        log(`${target.name} stopped reading while 200 messages of 4 kB were written (disconnected by the server: ${cut})`);
        break;
      }
    }
    log(`  (${fault} took ${Date.now() - t0} ms)`);
  };

  const order = [...SERVER_FAULTS].sort(() => random() - 0.5);
  log(`fault order: ${order.join(', ')}; client faults at random moments`);
  const clientFaults = CLIENT_FAULTS.map(async (f) => {
    await sleep(between(1000, 20_000));
    await inject(f);
  });
  for (const f of order) {
    await sleep(between(500, 2000));
    await inject(f);
  }
  await Promise.all(clientFaults);

  // ---- settle and check --------------------------------------------------------------------------------
  await until(() => A.alive && B.alive, 5_000, 'both nodes up');
  await joinVisitors(2);
  await sleep(1500);
  running = false;
  // every send settles (acked, or known stored through history): a send that never does is a finding
  const settled = await Promise.race([Promise.all(loops).then(() => true), sleep(60_000).then(() => false)]);
  if (!settled)
    problems.push(
      `sends never settled within 60 s after the faults: ${members
        .filter((m) => m.pendingCount() > 0)
        .map(
          (m) =>
            `${m.name} (${m.pendingCount()} pending, connected: ${m.socket.connected}, unsynced rooms: ${m.rooms.filter((r) => !m.chat.room(r)?.synced).length})`,
        )
        .join(', ')}`,
    );
  const seqs = await lastSeqs(stack.databaseUrl, roomIds);
  await Promise.all(members.map((m) => m.catchUp(seqs).catch((e: Error) => problems.push(e.message))));
  for (const m of members) rec.delivered[m.name] = m.delivered();
  rec.db = await readDatabase(
    stack.databaseUrl,
    roomIds,
    threads.map((t) => t.id),
  );
  const chats = await query(stack.databaseUrl, 'SELECT visitor_id AS v, room_id AS r, assigned_at AS at FROM live_chats WHERE counselor_id = ?', [
    cleo.account.id,
  ]);
  for (const c of chats)
    rec.assignments.push({ visitorId: c.v as string, roomId: c.r as string, source: 'db', centerId, assignedAt: new Date(c.at as string).getTime() });
  log(
    `${rec.messageAcks.length} messages and ${rec.postAcks.length} posts acked, ${chats.length} live chats, ${rec.received.length} receipts, ${rec.loadSamples.length} load samples`,
  );

  for (const m of members) m.close();
  for (const ps of slowProxies.values()) await Promise.all(ps.map((p) => p.close()));
  if (cleoSocket.current) await call(cleoSocket.current, 'shift.close', {}, 15_000).catch(() => undefined);
  cleoSocket.close();
  for (const v of visitors) v.close();

  expect(rec.messageAcks.length).toBeGreaterThan(400);
  expect(rec.postAcks.length).toBeGreaterThan(10);
  expect(chats.length).toBeGreaterThan(2);
  try {
    assertClean(rec, String(seed));
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length > 0) throw new Error(`faults went wrong; reproduce with FAULT_SEED=${seed}\n  ${problems.join('\n  ')}`);
}
