import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
  failoverSocket,
  lastSeqs,
  loginAt,
  Member,
  PASSWORD,
  readDatabase,
  Recording,
  registerAt,
  restRetry,
  SEND_BUFFER_BYTES,
  sleep,
  Stack,
  startStack,
  storedBodies,
  streams,
} from './workload';

// The fault suite (docs/reliability.md): one workload on two Lotse nodes (private MariaDB and
// Redis, each node behind its own cuttable Redis proxy) per seed, with every fault injected once
// in a seeded order and timing; the checker runs after each. Three seeds per run, side by side,
// each on a stack of its own (its faults stop its own MariaDB and Redis), so every fault runs three
// times; FAULT_SEED=<n> reproduces one run (a failure message names its seed).

const SEEDS = process.env.FAULT_SEED ? [Number(process.env.FAULT_SEED)] : [randomInt(1, 2 ** 31), randomInt(1, 2 ** 31), randomInt(1, 2 ** 31)];
const REDIS_DOWN_MS = Number(process.env.FAULT_REDIS_DOWN_MS ?? 30_000);
const MAX_CHATS = 2;
const SLUG = 'faults';
// in sequence (the slow consumer too: a node killed meanwhile would disconnect it for another reason)
const SERVER_FAULTS = ['sigkill', 'sigterm', 'redis-restart', 'redis-down', 'mariadb-restart', 'partition', 'slow-consumer'] as const;
// at a random moment, beside the others
const CLIENT_FAULTS = ['offline'] as const;
type Fault = (typeof SERVER_FAULTS)[number] | (typeof CLIENT_FAULTS)[number];
const SLOW_CANDIDATES = ['k1', 'k3', 'k5'];
const OFFLINE_CANDIDATES = ['k0', 'k2', 'k4'];

/** One fault of the schedule, with everything random about it drawn in advance. */
interface Planned {
  fault: Fault;
  /** Server faults: the pause before it (after the previous one); the client fault: when it starts after the first. */
  atMs: number;
  node: 'A' | 'B';
  /** How long it holds (the node stays dead, the database away, the partition open). */
  holdMs: number;
  /** The member it strikes (offline, slow consumer). */
  target: string;
  /** The nodes asked for their health while MariaDB is away. */
  probes: ['A' | 'B', 'A' | 'B'];
}

/** The whole fault schedule of a seed, from its own stream: the same seed gives the same schedule. */
function planFaults(schedule: () => number): Planned[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(schedule() * xs.length)]!;
  const between = (lo: number, hi: number) => Math.floor(lo + schedule() * (hi - lo));
  const order: Fault[] = [...SERVER_FAULTS];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(schedule() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const holds: Record<Fault, [number, number]> = {
    sigkill: [500, 2500],
    sigterm: [200, 1500],
    'redis-restart': [0, 0],
    'redis-down': [REDIS_DOWN_MS, REDIS_DOWN_MS],
    'mariadb-restart': [500, 2000],
    partition: [2000, 5000],
    'slow-consumer': [0, 0],
    offline: [0, 0],
  };
  const plan = (fault: Fault, atMs: number): Planned => ({
    fault,
    atMs,
    node: pick(['A', 'B'] as const),
    holdMs: between(...holds[fault]),
    target: pick(fault === 'offline' ? OFFLINE_CANDIDATES : SLOW_CANDIDATES),
    probes: [pick(['A', 'B'] as const), pick(['A', 'B'] as const)],
  });
  const server = order.map((f) => plan(f, between(300, 1200)));
  const client = CLIENT_FAULTS.map((f) => plan(f, between(1000, 20_000)));
  return [...server, ...client];
}

const describePlan = (p: Planned): string => {
  const hold = p.holdMs ? ` ${p.holdMs} ms` : '';
  if (p.fault === 'offline' || p.fault === 'slow-consumer') return `${p.fault} ${p.target} at +${p.atMs} ms`;
  if (p.fault.startsWith('redis')) return `${p.fault}${hold} after ${p.atMs} ms`;
  return `${p.fault} ${p.fault === 'mariadb-restart' ? '' : `${p.node} `}${hold} after ${p.atMs} ms`.replace(/ +/g, ' ');
};

/** This process's CPU seconds and those of its children that have ended (nodes, services, CLIs): /proc/self/stat. */
function cpuSeconds(): { self: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const tick = 100;
  return { self: (Number(fields[11]) + Number(fields[12])) / tick, children: (Number(fields[13]) + Number(fields[14])) / tick };
}

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
  // the seeds run side by side; each test waits for its own
  let runs: Map<number, Promise<Error | null>> | null = null;
  const t0 = Date.now();
  const cpu0 = cpuSeconds();
  const all = () =>
    (runs ??= new Map(
      SEEDS.map((seed, i) => [
        seed,
        runSeed(seed, i).then(
          () => null,
          (e: Error) => e,
        ),
      ]),
    ));

  afterAll(async () => {
    await Promise.all(all().values());
    const cpu = cpuSeconds();
    process.stdout.write(
      `fault suite: ${SEEDS.length} seed(s) in ${((Date.now() - t0) / 1000).toFixed(1)} s wall; CPU ${(cpu.self - cpu0.self).toFixed(1)} s in jest, ${(cpu.children - cpu0.children).toFixed(1)} s in the nodes, services and CLIs\n`,
    );
  });

  SEEDS.forEach((seed) => {
    it(`should keep every guarantee under every fault (seed ${seed})`, async () => {
      const failed = await all().get(seed)!;
      if (failed) throw failed;
    }, 900_000);
  });
});

/** One seed: its own private MariaDB and Redis, two nodes, the workload and its faults. */
async function runSeed(seed: number, run: number): Promise<void> {
  const log = (line: string) => process.stdout.write(`[seed ${seed}] ${line}\n`);
  const t0 = Date.now();
  const stack = await startStack();
  try {
    const t1 = Date.now();
    await stack.cli(['center:create', '--slug', SLUG, '--name', 'Faults', '--admin-email', `admin@${SLUG}.example`, '--admin-password', PASSWORD]);
    const t2 = Date.now();
    await Promise.all(stack.nodes.map((n) => n.start()));
    log(`phase services ${t1 - t0} ms, center:create ${t2 - t1} ms, two nodes ${Date.now() - t2} ms`);
    await runOnce(stack, seed, run, log);
    log(`phase total ${Date.now() - t0} ms`);
  } finally {
    await stack.close();
  }
}

async function runOnce(stack: Stack, seed: number, run: number, log: (line: string) => void): Promise<void> {
  const slug = SLUG;
  const { schedule, traffic: random } = streams(seed);
  const plan = planFaults(schedule);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const between = (lo: number, hi: number) => Math.floor(lo + random() * (hi - lo));
  const [A, B] = stack.nodes;
  const nodeOf = (n: 'A' | 'B') => (n === 'A' ? A : B);
  const urls = [A.url, B.url];
  const rec: Recording = emptyRecording();
  const problems: string[] = [];
  let phase = Date.now();
  const lap = (what: string) => {
    log(`phase ${what} ${Date.now() - phase} ms`);
    phase = Date.now();
  };
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
  /** One command on a socket of its own (set-up steps). */
  const once = async <T>(token: string, run: (s: TestSocket) => Promise<T>): Promise<T> => {
    const s: TestSocket = io(A.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      return await run(s);
    } finally {
      s.disconnect();
    }
  };
  const creator = (token: string, name: string, memberIds: string[]) =>
    once(token, async (s) => ok(await call(s, 'room.create', { name, memberIds }, 30_000)).roomId);
  const ids = clients.map((c) => c.account.id);
  const rooms = {
    group1: await creator(anna.token, 'Group one', [ids[0]!, ids[1]!, ids[2]!, ids[3]!]),
    oneA: await creator(anna.token, 'Anna and k4', [ids[4]!]),
    group2: await creator(ben.token, 'Group two', [ids[2]!, ids[4]!, ids[5]!]),
    oneB: await creator(ben.token, 'Ben and k0', [ids[0]!]),
  };

  // a topic chat that anna schedules to open in two seconds; three visitors join it under a
  // nickname once it has opened (topic.join answers TOPIC_NOT_OPEN before), anna joins as its host
  const topic = await request(A.url)
    .post(`/api/centers/${slug}/topic-chats`)
    .set('Authorization', `Bearer ${anna.token}`)
    .send({
      title: `Exam nerves ${run}`,
      description: 'An open evening chat',
      startsAt: new Date(Date.now() + 2000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      capacity: 10,
    })
    .expect(201);
  const topicChatId = (topic.body as { id: string }).id;
  const topicJoin = (token: string, nickname: string) =>
    once(token, async (s) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const answer = await call(s, 'topic.join', { topicChatId, nickname }, 30_000);
        if (answer.ok) return answer.data.roomId;
        if (answer.error.code !== 'TOPIC_NOT_OPEN' || Date.now() > deadline) throw new Error(`topic.join: ${JSON.stringify(answer.error)}`);
        await sleep(250);
      }
    });
  const topicVisitors = await Promise.all(
    [0, 1, 2].map(async (t) => {
      const res = await restRetry(urls, (u) => request(u).post(`/api/centers/${slug}/visitors`).send({}));
      const { token, visitorId } = res.body as { token: string; visitorId: string };
      const roomId = await topicJoin(token, `Motte${t}${(seed % 46656).toString(36)}`);
      return { name: `t${t}`, login: { token, account: { id: visitorId } }, roomId };
    }),
  );
  const topicRoom = topicVisitors[0]!.roomId;
  if (topicVisitors.some((v) => v.roomId !== topicRoom)) throw new Error('the topic chat has more than one room');
  expect(await topicJoin(anna.token, 'Anna')).toBe(topicRoom);

  const roomIds = [...Object.values(rooms), topicRoom];
  const memberRooms: Record<string, string[]> = {
    anna: [rooms.group1, rooms.oneA, topicRoom],
    ben: [rooms.group2, rooms.oneB],
    k0: [rooms.group1, rooms.oneB],
    k1: [rooms.group1],
    k2: [rooms.group1, rooms.group2],
    k3: [rooms.group1],
    k4: [rooms.oneA, rooms.group2],
    k5: [rooms.group2],
    ...Object.fromEntries(topicVisitors.map((v) => [v.name, [topicRoom]])),
  };
  const logins: Record<string, { token: string; account: { id: string } }> = {
    anna,
    ben,
    ...Object.fromEntries(clients.map((c, k) => [`k${k}`, c])),
    ...Object.fromEntries(topicVisitors.map((v) => [v.name, v.login])),
  };
  // the slow-consumer candidates reach the nodes through proxies that can stop reading for them
  const slowProxies = new Map<string, TcpProxy[]>();
  for (const name of SLOW_CANDIDATES) {
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
    const body = `post ${clientPostId} from k${k}`;
    rec.sentPosts.push({ member: `k${k}`, senderId: clients[k]!.account.id, threadId, clientPostId, body });
    const res = await restRetry(urls, (u) =>
      request(u).post(`/api/threads/${threadId}/posts`).set('Authorization', `Bearer ${clients[k]!.token}`).timeout(15_000).send({ body, clientPostId }),
    );
    if (res.status !== 201) problems.push(`post ${clientPostId} answered ${res.status} ${JSON.stringify(res.body)}`);
    else {
      const answer = res.body as { id: string; seq: number };
      rec.postAcks.push({ member: `k${k}`, senderId: clients[k]!.account.id, threadId, clientPostId, id: answer.id, seq: answer.seq });
    }
  };

  // ---- live queue: cleo on shift (maxChats 2), visitors join one by one ------------------------------
  const cleoSocket = failoverSocket('cleo', cleo.token, urls);
  cleoSocket.on('connect', () => {
    const s = cleoSocket.current;
    if (s) void call(s, 'shift.open', { maxChats: MAX_CHATS }, 15_000).catch(() => undefined);
  });
  await cleoSocket.open();
  await until(
    async () => (await query(stack.databaseUrl, 'SELECT id FROM shifts WHERE counselor_id = ? AND closed_at IS NULL', [cleo.account.id])).length > 0,
    15_000,
    'on shift',
  );
  const visitors: FailoverSocket[] = [];
  const outcome = (a: { ok: boolean; error?: { code: string } } | null) => (a === null ? 'no answer' : a.ok ? 'ok' : a.error!.code);
  const joinOutcomes: Record<string, number> = {};
  const joinVisitors = async (count: number) => {
    for (let v = 0; v < count; v++) {
      const res = await restRetry(urls, (u) => request(u).post(`/api/centers/${slug}/visitors`).send({}));
      const { token, visitorId } = res.body as { token: string; visitorId: string };
      const vs = failoverSocket(`visitor-${v}`, token, random() < 0.5 ? urls : [B.url, A.url]);
      rec.positions[visitorId] = [];
      vs.on('queue.position', (p: { position: number }) => rec.positions[visitorId]!.push(p.position));
      vs.on('queue.assigned', (p: { roomId: string }) => rec.assignments.push({ visitorId, roomId: p.roomId, source: 'event' }));
      await vs.open();
      visitors.push(vs);
      // right after a Redis outage the queue reads closed until a node's sweep (5 s) has rebuilt the
      // shifts from the database: like a person told "try again in a minute", try again (sooner)
      let answer = await call(vs.current!, 'queue.join', {}, 15_000).catch(() => null);
      for (let tries = 0; answer && !answer.ok && answer.error.code === 'LIVE_CLOSED' && tries < 20; tries++) {
        await sleep(1000);
        answer = await call(vs.current!, 'queue.join', {}, 15_000).catch(() => null);
      }
      joinOutcomes[outcome(answer)] = (joinOutcomes[outcome(answer)] ?? 0) + 1;
      if (answer?.ok) {
        rec.joins.push({ centerId, visitorId, at: Date.now() });
        rec.positions[visitorId].push(answer.data.position);
      }
      await sleep(100);
    }
  };
  await joinVisitors(6);
  lap('set-up (people, rooms, topic chat, threads, queue)');

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
  // the counselor ends her oldest live chat now and then (the next visitor gets the seat); like the
  // console, she learns her chats from live.sync, so an assignment whose event she missed while
  // disconnected, or a chat that ended otherwise, cannot leave her seats full for good
  // what her loop saw, for the message when the workload falls short (outcome -> count)
  const cleoSaw: Record<string, number> = {};
  const saw = (what: string) => (cleoSaw[what] = (cleoSaw[what] ?? 0) + 1);
  loops.push(
    (async () => {
      while (running) {
        await sleep(between(1500, 3000));
        const s = cleoSocket.current;
        if (!s?.connected) {
          saw('not connected');
          continue;
        }
        const sync = await call(s, 'live.sync', {}, 15_000).catch(() => null);
        saw(`sync ${outcome(sync)}${sync?.ok ? ` (${sync.data.chats.length} chats)` : ''}`);
        const oldest = sync?.ok ? [...sync.data.chats].sort((x, y) => x.assignedAt.localeCompare(y.assignedAt))[0] : undefined;
        if (oldest) saw(`close ${outcome(await call(s, 'room.close', { roomId: oldest.roomId }, 15_000).catch(() => null))}`);
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
  /** `count` messages into the target's rooms from the others there, ten at a time per sender (each resolves when stored). */
  const burst = async (target: Member, count: number, padTo = 0) => {
    const others = members.filter((m) => m !== target && m.rooms.some((r) => target.rooms.includes(r)));
    let sent = 0;
    await Promise.all(
      others.map(async (m) => {
        const shared = m.rooms.filter((r) => target.rooms.includes(r));
        while (sent < count) {
          const batch = Math.min(10, count - sent);
          sent += batch;
          await Promise.all(Array.from({ length: batch }, () => m.send(pick(shared), padTo)));
        }
      }),
    );
  };
  const overflowWarnings = () => (A.output() + B.output()).split('a socket stopped reading').length - 1;
  const inject = async (p: Planned) => {
    const t0 = Date.now();
    const node = nodeOf(p.node);
    switch (p.fault) {
      case 'sigkill': {
        await node.signal('SIGKILL');
        await sleep(p.holdMs);
        const t1 = Date.now();
        await node.start();
        log(`sigkill ${node.name}, restarted (start took ${Date.now() - t1} ms)`);
        break;
      }
      case 'sigterm': {
        const ms = await node.signal('SIGTERM');
        const code = node.exits[node.exits.length - 1]!.code;
        if (ms > 10_000) problems.push(`SIGTERM: node ${node.name} took ${ms} ms to exit (limit 10 s)`);
        if (code !== 0) problems.push(`SIGTERM: node ${node.name} exited with code ${code}`);
        await sleep(p.holdMs);
        const t1 = Date.now();
        await node.start();
        log(`sigterm ${node.name}: exited in ${ms} ms (code ${code}), restarted (start took ${Date.now() - t1} ms)`);
        break;
      }
      case 'redis-restart':
        await stack.redis.restart();
        log('redis restarted');
        break;
      case 'redis-down': {
        await stack.redis.stop();
        await sleep(p.holdMs);
        await stack.redis.start();
        log(`redis down for ${p.holdMs} ms`);
        break;
      }
      case 'mariadb-restart': {
        await stack.mariadb.stop();
        const during = await healthOf(nodeOf(p.probes[0]).url);
        if (during.code === 200) problems.push(`MariaDB restart: /health answered 200 while the database was away: ${JSON.stringify(during)}`);
        const ready = await request(nodeOf(p.probes[1]).url)
          .get('/health/ready')
          .timeout(3000)
          .then(
            (r) => r.status,
            () => 0,
          );
        if (ready !== 503) problems.push(`MariaDB restart: /health/ready answered ${ready} while the database was away (expected 503)`);
        await sleep(p.holdMs);
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
        node.redisProxy.cut();
        await sleep(p.holdMs);
        node.redisProxy.restore();
        log(`node ${node.name} cut from Redis for ${p.holdMs} ms, healed`);
        break;
      }
      case 'offline': {
        const target = byName.get(p.target)!;
        target.socket.goOffline();
        await burst(target, 200);
        await target.socket.online();
        log(`${target.name} offline while 200 messages were written in its rooms, back`);
        break;
      }
      case 'slow-consumer': {
        const target = byName.get(p.target)!;
        const proxies = slowProxies.get(target.name)!;
        const disconnectsBefore = target.socket.disconnects.length;
        const warningsBefore = overflowWarnings();
        for (const px of proxies) px.stall();
        const stalledAt = Date.now();
        let warnedAt = 0;
        const burstDone = burst(target, 200, 4000);
        // while 200 messages of 4 kB are written in its rooms it keeps asking for their newest
        // history page (up to 100 such messages, ~450 kB) and reads nothing: the kernel's loopback
        // buffers take ~4 MB, then engine.io's write buffer passes SOCKET_SEND_BUFFER_BYTES and the
        // node cuts the connection; the client notices on its next write (the proxy's write to the
        // closed connection fails). All within a few seconds: the ping timeout (10 s + 8 s) would
        // disconnect it too, but without the node's warning, which is asserted below.
        let asked = 0;
        while (target.socket.disconnects.length === disconnectsBefore && Date.now() - stalledAt < 20_000) {
          for (const r of target.rooms) target.socket.emit('room.history', { roomId: r, limit: 100 }, () => undefined);
          asked++;
          await sleep(100);
          if (!warnedAt && overflowWarnings() > warningsBefore) warnedAt = Date.now();
        }
        await until(() => target.socket.disconnects.length > disconnectsBefore, 5_000, 'cut').catch(() => undefined);
        const stalledMs = Date.now() - stalledAt;
        for (const px of proxies) px.flow();
        await burstDone;
        const cut = target.socket.disconnects.length > disconnectsBefore;
        if (!cut) problems.push(`slow consumer: ${target.name} read nothing for ${stalledMs} ms (${asked} history pages asked) and was not disconnected`);
        await until(() => overflowWarnings() > warningsBefore, 5_000, 'warned').catch(() => undefined);
        if (!warnedAt && overflowWarnings() > warningsBefore) warnedAt = Date.now();
        if (overflowWarnings() === warningsBefore)
          problems.push(`slow consumer: no node logged the cut past SOCKET_SEND_BUFFER_BYTES (${SEND_BUFFER_BYTES}) for ${target.name}`);
        // back, it catches up with everything of its rooms (the checker proves each message once, in order, as sent)
        const t1 = Date.now();
        await target.catchUp(await lastSeqs(stack.databaseUrl, target.rooms), 30_000).catch((e: Error) => problems.push(`slow consumer: ${e.message}`));
        log(
          `${target.name} stopped reading while 200 pushes of 4 kB and ${asked} newest history page(s) per room were due: the node logged the cut ${warnedAt ? `after ${warnedAt - stalledAt} ms` : 'never'}, the client saw a disconnect after ${stalledMs} ms (${target.socket.disconnects.at(-1) ?? '-'}), caught up in ${Date.now() - t1} ms`,
        );
        break;
      }
    }
    log(`  (${p.fault} took ${Date.now() - t0} ms)`);
  };

  log(`fault schedule: ${plan.map(describePlan).join(', ')}`);
  const server = plan.filter((p) => (SERVER_FAULTS as readonly string[]).includes(p.fault));
  const clientFaults = plan
    .filter((p) => !server.includes(p))
    .map(async (p) => {
      await sleep(p.atMs);
      await inject(p);
    });
  for (const p of server) {
    await sleep(p.atMs);
    await inject(p);
  }
  await Promise.all(clientFaults);
  lap('faults');

  // ---- settle and check --------------------------------------------------------------------------------
  await until(() => A.alive && B.alive, 5_000, 'both nodes up');
  await joinVisitors(2);
  // traffic goes on until every member is connected and in sync again after the last fault
  await until(() => members.every((m) => m.socket.connected && m.rooms.every((r) => m.chat.room(r)?.synced)), 30_000, 'every member in sync').catch(
    (e: Error) => problems.push(e.message),
  );
  running = false;
  // every send settles (acked, or known stored through history): a send that never does is a finding
  let giveUp: NodeJS.Timeout | undefined;
  const settled = await Promise.race([Promise.all(loops).then(() => true), new Promise<false>((r) => (giveUp = setTimeout(() => r(false), 60_000)))]);
  // (a pending timer would hold jest's process open for the rest of the minute)
  clearTimeout(giveUp);
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
  lap('settle');
  for (const m of members) rec.delivered[m.name] = m.delivered();
  // the stored bodies as the server decrypts them (each room read by one of its members, each thread by its client)
  const bodies = await storedBodies(
    A.url,
    roomIds.map((roomId) => ({ roomId, token: logins[Object.keys(memberRooms).find((n) => memberRooms[n]!.includes(roomId))!]!.token })),
    threads.map((t) => ({ threadId: t.id, token: clients[t.k]!.token })),
  );
  rec.db = await readDatabase(
    stack.databaseUrl,
    roomIds,
    threads.map((t) => t.id),
    bodies,
  );
  const chats = await query(stack.databaseUrl, 'SELECT visitor_id AS v, room_id AS r, assigned_at AS at FROM live_chats WHERE counselor_id = ?', [
    cleo.account.id,
  ]);
  for (const c of chats)
    rec.assignments.push({ visitorId: c.v as string, roomId: c.r as string, source: 'db', centerId, assignedAt: new Date(c.at as string).getTime() });
  const topicMessages = rec.db.messages.filter((m) => m.roomId === topicRoom).length;
  log(
    `${rec.messageAcks.length} messages (${topicMessages} in the topic chat) and ${rec.postAcks.length} posts acked, ${chats.length} live chats, ${rec.received.length} receipts, ${rec.loadSamples.length} load samples; joins ${JSON.stringify(joinOutcomes)}; counselor ${JSON.stringify(cleoSaw)}`,
  );

  for (const m of members) m.close();
  for (const ps of slowProxies.values()) await Promise.all(ps.map((p) => p.close()));
  if (cleoSocket.current) await call(cleoSocket.current, 'shift.close', {}, 15_000).catch(() => undefined);
  cleoSocket.close();
  for (const v of visitors) v.close();

  expect(rec.messageAcks.length).toBeGreaterThan(400);
  expect(topicMessages).toBeGreaterThan(30);
  expect(rec.postAcks.length).toBeGreaterThan(10);
  if (chats.length <= 2)
    problems.push(
      `the workload fell short: ${chats.length} live chats (more than 2 expected); visitors' joins ${JSON.stringify(joinOutcomes)}; the counselor's loop saw ${JSON.stringify(cleoSaw)}`,
    );
  try {
    assertClean(rec, String(seed));
  } catch (err) {
    problems.push((err as Error).message);
  }
  lap('check');
  if (problems.length > 0) throw new Error(`faults went wrong; reproduce with FAULT_SEED=${seed}\n  ${problems.join('\n  ')}`);
}
