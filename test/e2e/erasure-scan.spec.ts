import Redis from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PasswordResetService } from '../../src/modules/auth/password-reset.service';
import { ClientCounselorsService } from '../../src/modules/client-counselors/client-counselors.service';
import { RetentionService } from '../../src/modules/retention/retention.service';
import type { LoginResult, MessageView, ThreadPostView, ThreadView, VideoJoinResult, VideoRoomCreated } from '../../src/realtime/contract';
import { cleanPdf } from '../factories/pdfs';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, login, seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { describeHits, Hit, scanForNeedles, ScanTarget, storedForms } from '../harness/erasure-scan';
import { onMariaDb, REDIS_URL, tempDataDir, TEST_DB } from '../harness/env';
import { readOutbox } from '../harness/outbox';

type Started = TestApp & { dropDb: () => Promise<void> };

const PASSWORD = 'Correct-Horse-9-Battery';
const NEW_PASSWORD = 'Second-Horse-7-Stable';
const iso = (msFromNow: number): string => new Date(Date.now() + msFromNow).toISOString();
const bearer = (token: string) => `Bearer ${token}`;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const JITSI = { JITSI_DOMAIN: 'meet.beratung.example', JITSI_APP_ID: 'lotse-test', JITSI_APP_SECRET: 'a-test-secret-of-at-least-thirty-two-chars' };

describe(`erasure scan (${TEST_DB})`, () => {
  let t: Started;
  let c: SeededCenter;
  let target: ScanTarget;
  const tag = randomBytes(4).toString('hex');

  beforeAll(async () => {
    // the logs go into the data dir, so every scan reads them too
    const dataDir = tempDataDir();
    t = await startApp({ dataDir, logFile: join(dataDir, 'lotse.log'), env: { PUBLIC_URL: 'https://beratung.example', ...JITSI } });
    c = await seedCenter(t, { counselors: 3, clients: 1 });
    target = { ds: t.app.get(DataSource), dataDir: t.config.dataDir, redisUrl: onMariaDb ? REDIS_URL : undefined };
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const places = (hits: Hit[], needle: string) => hits.filter((h) => h.needle === needle).map((h) => `${h.place} ${h.location}`);

  it('should find a needle planted in a new table (text and blob), in a nested file and in Redis keys and values, whatever its case', async () => {
    const needle = `Planted-Ärger-${tag}`;
    const ds = target.ds;
    const blob = onMariaDb ? 'LONGBLOB' : 'BLOB';
    // a table the scan has never heard of: it is listed from the database, not from the entities
    await ds.query(`CREATE TABLE erasure_probe_${tag} (id VARCHAR(36) PRIMARY KEY, note TEXT, data ${blob})`);
    const file = join(t.config.dataDir, 'probe', 'deeper', 'probe.log');
    const redis = onMariaDb ? new Redis(REDIS_URL) : null;
    const redisKeys = [`lotse:probe:${tag}:${needle.toLowerCase()}`, ...['s', 'h', 'l', 'set', 'z', 'x'].map((k) => `lotse:probe:${tag}:${k}`)];
    try {
      await ds.query(`INSERT INTO erasure_probe_${tag} (id, note, data) VALUES (?, ?, ?), (?, ?, ?)`, [
        'text-row',
        `before ${needle.toUpperCase()} after`,
        null,
        'blob-row',
        null,
        Buffer.concat([randomBytes(8), Buffer.from(needle.toLowerCase(), 'utf8'), randomBytes(8)]),
      ]);
      mkdirSync(join(t.config.dataDir, 'probe', 'deeper'), { recursive: true });
      writeFileSync(file, Buffer.concat([randomBytes(64), Buffer.from(`{"msg":"${needle.toUpperCase()}"}`, 'utf8')]));
      if (redis) {
        const [named, s, h, l, set, z, x] = redisKeys as [string, string, string, string, string, string, string];
        await redis.set(named, 'nothing');
        await redis.set(s, `x${needle}x`);
        await redis.hset(h, 'field', needle);
        await redis.rpush(l, 'a', needle);
        await redis.sadd(set, needle);
        await redis.zadd(z, 1, needle);
        await redis.xadd(x, '*', 'f', needle);
      }

      const hits = await scanForNeedles(target, [needle]);
      const where = places(hits, needle);
      expect(where).toEqual(
        expect.arrayContaining([
          `table erasure_probe_${tag}.note (id=text-row)`,
          `table erasure_probe_${tag}.data (id=blob-row)`,
          expect.stringContaining(`file ${file} @`),
        ]),
      );
      if (redis) {
        const [named, s, h, l, set, z, x] = redisKeys as [string, string, string, string, string, string, string];
        expect(where).toEqual(
          expect.arrayContaining([
            `redis key ${named}`,
            `redis value ${s} (string)`,
            `redis value ${h} (hash)`,
            `redis value ${l} (list)`,
            `redis value ${set} (set)`,
            `redis value ${z} (zset)`,
            `redis value ${x} (stream)`,
          ]),
        );
      }
      // and nothing else: no hit without a plant
      expect(await scanForNeedles(target, [`never-written-${tag}`])).toEqual([]);
    } finally {
      await ds.query(`DROP TABLE erasure_probe_${tag}`);
      rmSync(join(t.config.dataDir, 'probe'), { recursive: true, force: true });
      if (redis) {
        await redis.del(...redisKeys);
        redis.disconnect();
      }
    }
  });

  it('should leave no row, file or Redis key naming a client after they delete their account, and still find the client who stays', async () => {
    const counselor = c.counselors[0]!;
    const bystander = c.clients[0]!;
    const username = `Nacht-Fälter_${tag}`;
    const email = `Falter.${tag}@Example.org`;
    const nickname = `Motte_${tag}`;
    const texts = {
      direct: `Mir geht es nicht gut ${tag}`,
      group: `Hallo Gruppe ${tag}`,
      topic: `Ich habe auch Angst ${tag}`,
      canned: `Wir sind für dich da ${tag}`,
    };

    // register with a contact address, confirm it, ask for a reset, fail once, change the password
    const reg = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
    const leaverId = (reg.body as LoginResult).account.id;
    const confirmMail = readOutbox(t.config.dataDir).find((m) => m.includes('confirm-email.html') && m.includes(email.toLowerCase()))!;
    const confirmToken = /[#&]token=([A-Za-z0-9_-]+)/.exec(confirmMail)![1]!;
    await t.http().post('/api/auth/confirm-email').send({ center: c.slug, token: confirmToken }).expect(204);
    await t.http().post('/api/auth/password-reset').send({ center: c.slug, login: username.toUpperCase() }).expect(202);
    await t.app.get(PasswordResetService).settled();
    const resetMail = readOutbox(t.config.dataDir).find((m) => m.includes('/reset#token=') && m.includes(email.toLowerCase()))!;
    const resetToken = /\/reset#token=([A-Za-z0-9_-]+)/.exec(resetMail)![1]!;
    await t.http().post('/api/auth/login').send({ center: c.slug, login: username, password: 'Wrong-Password-1' }).expect(401);
    const first = await login(t, c.slug, username, PASSWORD);
    await t
      .http()
      .post('/api/auth/password')
      .set('Authorization', bearer(first.token))
      .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
      .expect((res) => expect(res.status).toBeLessThan(300));
    const leaver = await login(t, c.slug, username.toLowerCase(), NEW_PASSWORD);
    const spare = await login(t, c.slug, username, NEW_PASSWORD);
    await t
      .http()
      .post('/api/auth/logout')
      .set('Authorization', bearer(spare.token))
      .expect((res) => expect(res.status).toBeLessThan(300));

    // rooms: a 1:1 room, a group room, read marks, typing; a canned response as the counselor's answer
    const cs = await connect(t.url, counselor.token);
    const ls = await connect(t.url, leaver.token);
    const bs = await connect(t.url, bystander.token);
    const direct = ok(await call(cs, 'room.create', { name: `Einzel ${tag}`, memberIds: [leaverId] })).roomId;
    const group = ok(await call(cs, 'room.create', { name: `Gruppe ${tag}`, memberIds: [leaverId, bystander.id] })).roomId;
    for (const s of [ls, cs, bs]) ok(await call(s, 'room.join', { roomId: group }));
    ok(await call(ls, 'room.join', { roomId: direct }));
    const sent = ok(await call(ls, 'message.send', { roomId: direct, clientMsgId: `d1-${tag}`, body: texts.direct }));
    ok(await call(ls, 'room.typing', { roomId: direct, typing: true }));
    const canned = await t
      .http()
      .post('/api/canned-responses')
      .set('Authorization', bearer(counselor.token))
      .send({ title: 'Trost', body: texts.canned })
      .expect(201);
    const cannedBody = (
      (await t.http().get('/api/canned-responses').set('Authorization', bearer(counselor.token)).expect(200)).body as { id: string; body: string }[]
    ).find((r) => r.id === (canned.body as { id: string }).id)!.body;
    const reply = ok(await call(cs, 'message.send', { roomId: direct, clientMsgId: `d2-${tag}`, body: cannedBody }));
    ok(await call(ls, 'room.read', { roomId: direct, seq: reply.seq }));
    ok(await call(ls, 'message.send', { roomId: group, clientMsgId: `g1-${tag}`, body: texts.group }));
    ok(await call(bs, 'message.send', { roomId: group, clientMsgId: `g2-${tag}`, body: `Hallo zurück ${tag}` }));
    expect(sent.seq).toBe(1);

    // a topic chat under a nickname
    const topic = await t
      .http()
      .post(`/api/centers/${c.slug}/topic-chats`)
      .set('Authorization', bearer(counselor.token))
      .send({ title: `Prüfungsangst ${tag}`, description: 'Austausch', capacity: 10, startsAt: iso(-60_000), endsAt: iso(3_600_000) })
      .expect(201);
    const topicChatId = (topic.body as { id: string }).id;
    const topicRoom = ok(await call(ls, 'topic.join', { topicChatId, nickname })).roomId;
    ok(await call(ls, 'message.send', { roomId: topicRoom, clientMsgId: `t1-${tag}`, body: texts.topic }));
    ok(await call(cs, 'topic.join', { topicChatId, nickname: `Host_${tag}` }));
    ok(await call(cs, 'topic.mute', { roomId: topicRoom, participantId: leaverId }));

    // the scan sees the client before the deletion (the test of the test)
    const needles = [
      leaverId,
      ...storedForms(username),
      email,
      ...storedForms(nickname),
      ...Object.values(texts),
      leaver.token,
      sha256(leaver.token),
      sha256(confirmToken),
      sha256(resetToken),
    ];
    const before = await scanForNeedles(target, needles);
    expect(places(before, leaverId).length).toBeGreaterThan(0);
    expect(places(before, email).length).toBeGreaterThan(0); // the outbox

    await t.http().delete('/api/accounts/me').set('Authorization', bearer(leaver.token)).send({ password: NEW_PASSWORD }).expect(204);

    const after = await scanForNeedles(target, [...needles, bystander.id, bystander.login]);
    // the control: the client who stays is still found, in the rows that name them
    expect(places(after, bystander.id)).toEqual(expect.arrayContaining([`table accounts.id (id=${bystander.id})`]));
    expect(places(after, bystander.login)).toEqual(expect.arrayContaining([`table accounts.login (id=${bystander.id})`]));
    expect(describeHits(after.filter((h) => needles.includes(h.needle)))).toEqual([]);

    // and the others keep their conversation
    const cs2 = await connect(t.url, counselor.token);
    const history = ok(await call(cs2, 'room.history', { roomId: group })).messages.map((m: MessageView) => m.body);
    expect(history).toEqual([`Hallo zurück ${tag}`]);
  });

  it('should leave no row, file, log line or Redis key naming a client after the admin removes them as inactive', async () => {
    const username = `Stille.Eule_${tag}`;
    const email = `eule.${tag}@example.org`;
    const reg = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
    const { account, token } = reg.body as LoginResult;
    await t.http().get('/api/auth/me').set('Authorization', bearer(token)).expect(200);
    const inactive = (await t.http().get(`/api/centers/${c.slug}/clients/inactive`).set('Authorization', bearer(c.admin.token)).expect(200)).body as {
      id: string;
    }[];
    expect(inactive.map((i) => i.id)).toContain(account.id);
    const needles = [account.id, ...storedForms(username), email, token, sha256(token)];
    expect((await scanForNeedles(target, needles)).length).toBeGreaterThan(0);

    await t.http().delete(`/api/centers/${c.slug}/clients/${account.id}`).set('Authorization', bearer(c.admin.token)).expect(204);

    expect(describeHits(await scanForNeedles(target, needles))).toEqual([]);
    // the log is there and names the route (the test of the test)
    expect(readFileSync(join(t.config.dataDir, 'lotse.log'), 'utf8')).toContain(`/api/centers/${c.slug}/clients/`);
  });

  it('should leave nothing of a client of mail counseling after they delete their account, and keep a group thread with them as a tombstone', async () => {
    const [counselor, successor] = [c.counselors[0]!, c.counselors[1]!];
    const bystander = c.clients[0]!;
    const username = `Grau.Reiher_${tag}`;
    const email = `reiher.${tag}@example.org`;
    const texts = {
      subject: `Streit zu Hause ${tag}`,
      enquiry: `Meine Eltern streiten jeden Abend ${tag}`,
      reply: `Danke für die Antwort ${tag}`,
      group: `Ich bin auch in der Gruppe ${tag}`,
      absent: `Bist du da ${tag}`,
      clientNote: `Wirkt erschöpft ${tag}`,
      threadNote: `Nächstes Mal nach der Schule fragen ${tag}`,
      pdfText: `Zeugnis von ${tag}`,
      pdfName: `Zeugnis_${tag}.pdf`,
      groupPdfName: `Brief_${tag}.pdf`,
    };
    const as = (token: string) => ({ Authorization: bearer(token) });
    const reg = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
    const { account: leaverAccount } = reg.body as LoginResult;
    const confirmMail = readOutbox(t.config.dataDir).find((m) => m.includes('confirm-email.html') && m.includes(email))!;
    await t
      .http()
      .post('/api/auth/confirm-email')
      .send({ center: c.slug, token: /[#&]token=([A-Za-z0-9_-]+)/.exec(confirmMail)![1]! })
      .expect(204);
    const leaver = await login(t, c.slug, username, PASSWORD);
    const upload = async (token: string, threadId: string, bytes: Buffer, filename: string) =>
      (
        (
          await t
            .http()
            .post(`/api/threads/${threadId}/documents`)
            .set(as(token))
            .attach('file', bytes, { filename, contentType: 'application/pdf' })
            .expect(201)
        ).body as { id: string }
      ).id;
    const post = async (token: string, threadId: string, body: string, clientPostId: string, documentIds?: string[]) =>
      (
        await t
          .http()
          .post(`/api/threads/${threadId}/posts`)
          .set(as(token))
          .send({ body, clientPostId, ...(documentIds ? { documentIds } : {}) })
          .expect(201)
      ).body as { id: string; seq: number };
    const posts = async (token: string, threadId: string) =>
      ((await t.http().get(`/api/threads/${threadId}/posts?afterSeq=0`).set(as(token)).expect(200)).body as { posts: ThreadPostView[] }).posts;
    const enquiry = async (token: string, subject: string, body: string, counselorId: string) => {
      const id = ((await t.http().post('/api/threads').set(as(token)).send({ subject, body }).expect(201)).body as { id: string }).id;
      await t.http().post(`/api/threads/${id}/assign`).set(as(c.admin.token)).send({ counselorId }).expect(200);
      return id;
    };

    // the enquiry, assigned; the counselor answers with a PDF, the client reads, downloads and answers with one
    const direct = await enquiry(leaver.token, texts.subject, texts.enquiry, counselor.id);
    const answerPdf = await upload(counselor.token, direct, await cleanPdf(`Merkblatt ${tag}`), `Merkblatt.pdf`);
    await post(counselor.token, direct, 'Anbei ein Merkblatt', `a1-${tag}`, [answerPdf]);
    const seen = await posts(leaver.token, direct);
    await t
      .http()
      .post(`/api/threads/${direct}/read`)
      .set(as(leaver.token))
      .send({ seq: seen[seen.length - 1]!.seq })
      .expect(200);
    await t.http().get(`/api/documents/${answerPdf}`).set(as(leaver.token)).expect(200);
    const ownPdf = await upload(leaver.token, direct, await cleanPdf(texts.pdfText), texts.pdfName);
    await post(leaver.token, direct, texts.reply, `r1-${tag}`, [ownPdf]);
    // notes about the client and about the thread
    await t.http().post(`/api/clients/${leaverAccount.id}/notes`).set(as(counselor.token)).send({ body: texts.clientNote }).expect(201);
    await t.http().post(`/api/threads/${direct}/notes`).set(as(counselor.token)).send({ body: texts.threadNote }).expect(201);

    // a group thread with the client who stays
    await enquiry(bystander.token, `Frage ${tag}`, 'Hallo', counselor.id);
    const group = (
      (
        await t
          .http()
          .post('/api/threads')
          .set(as(counselor.token))
          .send({ subject: `Eltern ${tag}`, body: 'Willkommen', clientIds: [leaverAccount.id, bystander.id] })
          .expect(201)
      ).body as { id: string }
    ).id;
    const groupPdf = await upload(leaver.token, group, await cleanPdf(`Gruppenbrief ${tag}`), texts.groupPdfName);
    await post(leaver.token, group, texts.group, `g1-${tag}`, [groupPdf]);
    await post(bystander.token, group, `Ich auch ${tag}`, `g2-${tag}`);
    await post(counselor.token, group, `Gut, dass ihr da seid ${tag}`, `g3-${tag}`);

    // an absence: the admin answers in the client's thread; then the thread moves to another counselor
    await t
      .http()
      .put('/api/absence')
      .set(as(counselor.token))
      .send({ startsAt: iso(-60_000), endsAt: iso(86_400_000), text: 'Bis morgen krank.' })
      .expect(200);
    await post(leaver.token, direct, texts.absent, `r2-${tag}`);
    await t.http().post(`/api/threads/${direct}/notices`).set(as(c.admin.token)).send({ body: 'Die Beratungsstelle meldet sich morgen.' }).expect(201);
    await t
      .http()
      .delete('/api/absence')
      .set(as(counselor.token))
      .expect((res) => expect(res.status).toBeLessThan(300));
    await t.http().post(`/api/threads/${direct}/assign`).set(as(c.admin.token)).send({ counselorId: successor.id }).expect(200);
    await post(successor.token, direct, 'Ich übernehme', `s1-${tag}`);

    const needles = [leaverAccount.id, ...storedForms(username), email, leaver.token, sha256(leaver.token), ...Object.values(texts)];
    const before = await scanForNeedles(target, needles);
    expect(places(before, leaverAccount.id).length).toBeGreaterThan(0);

    await t.http().delete('/api/accounts/me').set(as(leaver.token)).send({ password: PASSWORD }).expect(204);

    expect(describeHits(await scanForNeedles(target, needles))).toEqual([]);
    // the 1:1 thread is gone for everybody; the notes about the client too
    for (const who of [counselor, successor]) await t.http().get(`/api/threads/${direct}`).set(as(who.token)).expect(404);
    await t.http().get(`/api/documents/${groupPdf}`).set(as(bystander.token)).expect(404);
    // the group thread keeps the others' posts, the deleted member shown as a tombstone
    const kept = await posts(bystander.token, group);
    expect(kept.map((p) => [p.kind, p.sender?.id ?? null, p.body, p.documents])).toEqual([
      ['post', counselor.id, 'Willkommen', []],
      ['deleted', null, null, []],
      ['post', bystander.id, `Ich auch ${tag}`, []],
      ['post', counselor.id, `Gut, dass ihr da seid ${tag}`, []],
    ]);
    const header = (await t.http().get(`/api/threads/${group}`).set(as(bystander.token)).expect(200)).body as ThreadView;
    expect(header.members).toEqual(expect.arrayContaining([{ id: null, displayName: null, role: 'client', deleted: true }]));
    expect(header.members.map((m) => m.id)).toEqual(expect.arrayContaining([bystander.id, counselor.id]));
  });

  it('should leave no row or file naming a closed thread, its posts, documents or notes after the retention sweep deletes it', async () => {
    const counselor = c.counselors[0]!;
    const client = await createClientLogin(`Spaete.Lerche_${tag}`);
    const as = (token: string) => ({ Authorization: bearer(token) });
    const threadId = (
      (
        await t
          .http()
          .post('/api/threads')
          .set(as(client.token))
          .send({ subject: `Alt ${tag}`, body: 'Frage' })
          .expect(201)
      ).body as { id: string }
    ).id;
    await t.http().post(`/api/threads/${threadId}/assign`).set(as(c.admin.token)).send({ counselorId: counselor.id }).expect(200);
    const ids: string[] = [threadId];
    for (const who of [counselor, client]) {
      const doc = await t
        .http()
        .post(`/api/threads/${threadId}/documents`)
        .set(as(who.token))
        .attach('file', await cleanPdf(`Alt ${who.id}`), { filename: 'alt.pdf', contentType: 'application/pdf' })
        .expect(201);
      const docId = (doc.body as { id: string }).id;
      const made = await t
        .http()
        .post(`/api/threads/${threadId}/posts`)
        .set(as(who.token))
        .send({ body: 'Anbei', clientPostId: `old-${who.id}`, documentIds: [docId] })
        .expect(201);
      ids.push(docId, (made.body as { id: string }).id);
    }
    const note = await t
      .http()
      .post(`/api/threads/${threadId}/notes`)
      .set(as(counselor.token))
      .send({ body: `Alte Notiz ${tag}` })
      .expect(201);
    ids.push((note.body as { id: string }).id);
    await t.http().post(`/api/threads/${threadId}/close`).set(as(counselor.token)).expect(200);
    // a second, waiting enquiry keeps the client's account in use: only the thread expires
    await t
      .http()
      .post('/api/threads')
      .set(as(client.token))
      .send({ subject: `Neu ${tag}`, body: 'Noch eine Frage' })
      .expect(201);
    expect(places(await scanForNeedles(target, [threadId]), threadId).length).toBeGreaterThan(0);

    // a day's retention and a sweep two days on: the thread is due, no account is (the sweep deletes nothing else)
    await t.http().patch(`/api/centers/${c.slug}/settings`).set(as(c.admin.token)).send({ threadRetentionDays: 1 }).expect(200);
    const runs = await t.app.get(RetentionService).sweep(new Date(Date.now() + 2 * 24 * 60 * 60 * 1000));
    expect(runs.map((r) => [r.threads, r.unconfirmedRegistrations, r.unusedAccounts])).toEqual([[1, 0, 0]]);

    expect(describeHits(await scanForNeedles(target, ids))).toEqual([]);
    await t.http().get(`/api/threads/${threadId}`).set(as(client.token)).expect(404);
    await t.http().get('/api/auth/me').set(as(client.token)).expect(200);
  });

  it('should leave nothing of a video room’s client after they delete their account, nothing of the room after its counselor goes, and never a guest’s name or token', async () => {
    const counselor = c.counselors[2]!;
    const username = `Video.Kauz_${tag}`;
    const client = await createClientLogin(username);
    await t.app.get(ClientCounselorsService).assignIfNone(c.centerId, client.id, counselor.id, 'admin');
    const roomName = `Videoraum ${tag}`;
    const room = (await t.http().post('/api/video-rooms').set('Authorization', bearer(counselor.token)).send({ name: roomName }).expect(201))
      .body as VideoRoomCreated;
    const token = room.inviteUrl.split('#')[1]!;
    await t.http().post(`/api/video-rooms/${room.id}/clients`).set('Authorization', bearer(counselor.token)).send({ clientId: client.id }).expect(204);
    const { version } = (await t.http().get(`/api/centers/${c.slug}/video-consent`).expect(200)).body as { version: number };
    const joined = (
      await t.http().post(`/api/video-rooms/${room.id}/join`).set('Authorization', bearer(client.token)).send({ consentVersion: version }).expect(200)
    ).body as VideoJoinResult;
    const jitsiName = joined.url.split('/').pop()!;
    const guestName = `Gast Fachdienst ${tag}`;
    await t.http().get(`/api/video-invites/${token}`).expect(200);
    await t.http().post(`/api/video-invites/${token}/join`).send({ displayName: guestName, consentVersion: version }).expect(200);
    const noteText = `Notiz zum Videoraum ${tag}`;
    await t.http().post(`/api/video-rooms/${room.id}/notes`).set('Authorization', bearer(counselor.token)).send({ body: noteText }).expect(201);

    // never stored anywhere, not even in the log: the guest's name, the token, the plain room name and note
    expect(describeHits(await scanForNeedles(target, [guestName, token, roomName, noteText]))).toEqual([]);
    // the log is there and names the invitation route, without its token (the test of the test)
    expect(readFileSync(join(t.config.dataDir, 'lotse.log'), 'utf8')).toContain('/api/video-invites/:token/join');
    const clientNeedles = [client.id, ...storedForms(username)];
    expect(places(await scanForNeedles(target, [client.id]), client.id)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^table video_room_clients\.client_id/),
        expect.stringMatching(/^table video_consent_confirmations\.account_id/),
      ]),
    );
    await t.http().delete('/api/accounts/me').set('Authorization', bearer(client.token)).send({ password: PASSWORD }).expect(204);
    expect(describeHits(await scanForNeedles(target, clientNeedles))).toEqual([]);

    const roomNeedles = [room.id, jitsiName, sha256(token)];
    expect(places(await scanForNeedles(target, [jitsiName]), jitsiName).length).toBeGreaterThan(0);
    await t.http().delete(`/api/centers/${c.slug}/staff/${counselor.id}`).set('Authorization', bearer(c.admin.token)).expect(204);
    expect(describeHits(await scanForNeedles(target, roomNeedles))).toEqual([]);
    await t.http().get(`/api/video-invites/${token}`).expect(404);
  });

  /** A registered client without email, logged in. */
  async function createClientLogin(username: string) {
    await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD }).expect(201);
    return login(t, c.slug, username, PASSWORD);
  }
  it('should leave no row, file or Redis key naming a client with a booked appointment after they delete their account, and offer the slot again', async () => {
    const username = `Blaue.Meise_${tag}`;
    const reg = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD }).expect(201);
    const { account, token } = reg.body as LoginResult;
    const counselor = c.counselors[1]!;
    const slot = (
      (
        await t
          .http()
          .post('/api/slots')
          .set('Authorization', bearer(counselor.token))
          .send({ startsAt: iso(3 * 24 * 3600_000), endsAt: iso(3 * 24 * 3600_000 + 3600_000), forms: ['video'] })
          .expect(201)
      ).body as { id: string }
    ).id;
    await t.http().post(`/api/slots/${slot}/book`).set('Authorization', bearer(token)).send({ form: 'video' }).expect(201);
    await t.http().get('/api/appointments').set('Authorization', bearer(token)).expect(200);
    const needles = [account.id, ...storedForms(username)];
    // the appointment and the client's counselor name the client before
    expect(places(await scanForNeedles(target, needles), account.id).some((p) => p.startsWith('table appointments.client_id'))).toBe(true);

    await t.http().delete('/api/accounts/me').set('Authorization', bearer(token)).send({ password: PASSWORD }).expect(204);

    expect(describeHits(await scanForNeedles(target, needles))).toEqual([]);
    const free = (await t.http().get('/api/slots').set('Authorization', bearer(counselor.token)).expect(200)).body as { id: string; status: string }[];
    expect(free.find((s) => s.id === slot)?.status).toBe('free');
  });
});
