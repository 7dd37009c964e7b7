import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { emitEvent, STAT_COUNTED, StatMetric } from '../../src/common/events';
import { dayIn } from '../../src/common/zoned-day';
import { CentersService } from '../../src/modules/centers/centers.service';
import type { StatsPeriod, StatsReport } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp, TestSocket } from '../harness/app';
import { TestClock } from '../harness/clock';
import { onMariaDb } from '../harness/env';
import { counselorOnShift, liveVisitor, LiveVisitor } from '../factories/live';

/** A zone in which it is around noon now, so the scripted day never crosses a local midnight. */
function noonZone(now: Date): string {
  const offset = Math.max(-11, Math.min(12, 12 - now.getUTCHours()));
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}
const shiftDay = (d: string, days: number) => new Date(Date.parse(`${d}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe(`statistics (${onMariaDb ? 'MariaDB' : 'SQLite'})`, () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  const clock = new TestClock();
  let c: SeededCenter;
  let other: SeededCenter;
  let zone: string;
  let today: string;
  let yesterday: string;
  /** Every id and name the scripted day used: none may appear in the statistics. */
  const secrets = new Set<string>();

  beforeAll(async () => {
    t = await startApp({ clock });
    c = await seedCenter(t, { counselors: 2, clients: 3, settings: { liveWaitingLimit: 1 } });
    other = await seedCenter(t, { counselors: 0, clients: 0 });
    zone = noonZone(clock.now());
    await t.app.get(CentersService).updateSettings(c.centerId, { timeZone: zone });
    today = dayIn(zone, clock.now());
    yesterday = shiftDay(today, -1);
    for (const p of [c.admin, ...c.counselors, ...c.clients, other.admin]) [p.id, p.displayName, p.login].forEach((s) => secrets.add(s));
    [c.centerId, other.centerId, `Center ${c.slug}`].forEach((s) => secrets.add(s));
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const get = (path: string, token = c.admin.token) => t.http().get(path).set('Authorization', `Bearer ${token}`);
  const report = async (query: string, token = c.admin.token) => (await get(`/api/centers/${c.slug}/stats?${query}`, token).expect(200)).body as StatsReport;
  const emit = (metric: StatMetric, at = clock.now(), centerId = c.centerId, value?: number) =>
    emitEvent(t.app.get(EventEmitter2), STAT_COUNTED, { centerId, metric, at, ...(value === undefined ? {} : { value }) });
  const rowCount = async () => Number((await t.app.get(DataSource).query<{ n: number }[]>('SELECT COUNT(*) AS n FROM stat_counts'))[0]!.n);
  const countSum = async () => Number((await t.app.get(DataSource).query<{ n: number | null }[]>('SELECT SUM(count) AS n FROM stat_counts'))[0]!.n ?? 0);

  /** The counts are written after the commits they count: wait until the table has `n` counted events, then a moment of quiet. */
  async function settled(n: number): Promise<void> {
    const start = Date.now();
    while ((await countSum()) < n && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(await countSum()).toBe(n);
  }

  async function join(v: LiveVisitor) {
    secrets.add(v.id);
    return call(v.socket, 'queue.join', {});
  }

  it('should add up to the events of a scripted day and name nobody', async () => {
    // ---- live chat: one counselor with one seat, a waiting line of one --------------------------
    const counselor: TestSocket = await counselorOnShift(t, c, 0, 1);
    const visitors: LiveVisitor[] = [];
    for (let i = 0; i < 7; i++) visitors.push(await liveVisitor(t, c));
    const [v1, v2, v3, v4, v5, v6, v7] = visitors as [LiveVisitor, LiveVisitor, LiveVisitor, LiveVisitor, LiveVisitor, LiveVisitor, LiveVisitor];
    const assigned = (v: LiveVisitor) => nextEvent(v.socket, 'queue.assigned');

    let next = assigned(v1);
    expect(ok(await join(v1))).toEqual({ position: 0 }); // waited 0 s
    const r1 = (await next).roomId;
    expect(ok(await join(v2))).toEqual({ position: 1 });
    expect(await join(v3)).toMatchObject({ ok: false, error: { code: 'QUEUE_FULL' } });
    expect(await join(v3)).toMatchObject({ ok: false, error: { code: 'QUEUE_FULL' } }); // a retry is the same person
    expect(await join(v2)).toMatchObject({ ok: false, error: { code: 'ALREADY_WAITING' } }); // a duplicate counts nothing
    clock.advance(100_000);
    next = assigned(v2);
    ok(await call(counselor, 'live.end', { roomId: r1 })); // lasted 100 s; v2 waited 100 s
    const r2 = (await next).roomId;
    expect(ok(await join(v4))).toEqual({ position: 1 });
    clock.advance(200_000);
    next = assigned(v4);
    ok(await call(counselor, 'live.end', { roomId: r2 })); // 200 s; v4 waited 200 s
    const r4 = (await next).roomId;
    clock.advance(50_000);
    ok(await call(counselor, 'live.end', { roomId: r4 })); // 50 s
    [r1, r2, r4].forEach((r) => secrets.add(r));
    ok(await call(counselor, 'shift.close', {}));
    for (const v of [v5, v6, v7]) expect(await join(v)).toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    expect(await join(v5)).toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    // started 3 + wait 3 + duration 3 + refused full 1 + refused closed 3
    await settled(13);

    // ---- a topic chat: three participants (a rejoin and the host count nothing) -----------------
    const now = Date.now();
    const topic = await t
      .http()
      .post(`/api/centers/${c.slug}/topic-chats`)
      .set('Authorization', `Bearer ${c.counselors[1]!.token}`)
      .send({
        title: 'Prüfungsangst im Winter',
        description: 'Austausch',
        capacity: 10,
        startsAt: new Date(now - 600_000).toISOString(),
        endsAt: new Date(now + 7_200_000).toISOString(),
      })
      .expect(201);
    const topicChatId = (topic.body as { id: string }).id;
    secrets.add(topicChatId).add('Prüfungsangst im Winter');
    const guests = [await liveVisitor(t, c), await liveVisitor(t, c), await liveVisitor(t, c)];
    const nicknames = ['Mondlicht', 'Sternfahrt', 'Wolkenbruch'];
    for (const [i, g] of guests.entries()) {
      secrets.add(g.id).add(nicknames[i]!);
      const { roomId } = ok(await call(g.socket, 'topic.join', { topicChatId, nickname: nicknames[i]! }));
      secrets.add(roomId);
    }
    ok(await call(guests[0]!.socket, 'topic.join', { topicChatId, nickname: nicknames[0]! }));
    const host = await connect(t.url, c.counselors[1]!.token);
    ok(await call(host, 'topic.join', { topicChatId, nickname: 'Gastgeberin' }));
    await settled(13 + 1 + 3);

    // ---- enquiries and posts: three enquiries (three first posts), two more posts, one duplicate --
    const threadIds: string[] = [];
    for (const [i, client] of c.clients.entries()) {
      const subject = `Sorge Nummer ${i} ${c.slug}`;
      const body = `Ich schreibe zum ersten Mal ${i} ${c.slug}`;
      const res = await t.http().post('/api/threads').set('Authorization', `Bearer ${client.token}`).send({ subject, body }).expect(201);
      threadIds.push((res.body as { id: string }).id);
      secrets.add(subject).add(body);
    }
    threadIds.forEach((id) => secrets.add(id));
    const postOnce = () =>
      t
        .http()
        .post(`/api/threads/${threadIds[0]}/posts`)
        .set('Authorization', `Bearer ${c.clients[0]!.token}`)
        .send({ body: 'Noch eine Frage', clientPostId: 'stats-p1' })
        .expect(201);
    await postOnce();
    await postOnce();
    await t
      .http()
      .post(`/api/threads/${threadIds[0]}/assign`)
      .set('Authorization', `Bearer ${c.admin.token}`)
      .send({ counselorId: c.counselors[0]!.id })
      .expect(200);
    await t
      .http()
      .post(`/api/threads/${threadIds[0]}/posts`)
      .set('Authorization', `Bearer ${c.counselors[0]!.token}`)
      .send({ body: 'Danke für Ihre Nachricht', clientPostId: 'stats-p2' })
      .expect(201);
    await settled(17 + 3 + 5);

    // ---- appointments and video sessions (their modules emit exactly this) ---------------------
    for (const [metric, n] of [
      ['appointment.video', 4],
      ['appointment.chat', 1],
      ['appointment.phone', 3],
      ['video.sessions', 5],
    ] as const)
      for (let i = 0; i < n; i++) await emit(metric);
    const dayBefore = new Date(clock.now().getTime() - 86_400_000);
    for (let i = 0; i < 5; i++) await emit('appointment.mail', dayBefore);
    await settled(25 + 13 + 5);

    const r = await report(`from=${yesterday}&to=${today}`);
    const zero: StatsPeriod = {
      date: yesterday,
      liveStarted: 0,
      liveRefusedFull: 0,
      liveRefusedClosed: 0,
      waitMedianSeconds: null,
      waitP90Seconds: null,
      durationMedianSeconds: null,
      topicChats: 0,
      topicParticipants: 0,
      enquiries: 0,
      posts: 0,
      appointments: { video: 0, chat: 0, mail: 0, phone: 0 },
      videoSessions: 0,
    };
    expect(r).toEqual({
      timeZone: zone,
      by: 'day',
      from: yesterday,
      to: today,
      days: [
        { ...zero, appointments: { ...zero.appointments, mail: 5 } },
        {
          date: today,
          liveStarted: 3,
          liveRefusedFull: '< 3',
          liveRefusedClosed: 3,
          waitMedianSeconds: 120, // 0, 100, 200 s: the middle one is in [60, 120)
          waitP90Seconds: 300, // 200 s is in [180, 300)
          durationMedianSeconds: 300, // 50, 100, 200 s: the middle one is in [60, 300)
          topicChats: '< 3',
          topicParticipants: 3,
          enquiries: 3,
          posts: 5,
          appointments: { video: 4, chat: '< 3', mail: 0, phone: 3 },
          videoSessions: 5,
        },
      ],
    });
    // a week: the two days together (the mails of yesterday and today's counts in one row when they share a week)
    const week = await report(`from=${yesterday}&to=${today}&by=week`);
    const mondayToday = new Date(`${today}T12:00:00Z`).getUTCDay() === 1;
    expect(week.days).toHaveLength(mondayToday ? 2 : 1);
    expect(week.days[week.days.length - 1]!.enquiries).toBe(3);
    if (!mondayToday) expect(week.days[0]!.appointments).toEqual({ video: 4, chat: '< 3', mail: 5, phone: 3 });

    const csv = await get(`/api/centers/${c.slug}/stats.csv?from=${yesterday}&to=${today}`).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="lotse-stats-${yesterday}-${today}.csv"`);
    const text = csv.text;
    expect(text.split('\r\n')).toEqual([
      'date,liveStarted,liveRefusedFull,liveRefusedClosed,waitMedianSeconds,waitP90Seconds,durationMedianSeconds,topicChats,topicParticipants,enquiries,posts,appointmentsVideo,appointmentsChat,appointmentsMail,appointmentsPhone,videoSessions',
      `${yesterday},0,0,0,,,,0,0,0,0,0,0,5,0,0`,
      `${today},3,< 3,3,120,300,300,< 3,3,3,5,4,< 3,0,3,5`,
      '',
    ]);

    // nobody in it: not one id or name of the day
    const json = JSON.stringify(r) + JSON.stringify(week);
    expect(secrets.size).toBeGreaterThan(30);
    for (const s of secrets) {
      expect({ s, inJson: json.includes(s) }).toEqual({ s, inJson: false });
      expect({ s, inCsv: text.includes(s) }).toEqual({ s, inCsv: false });
    }
    // and nothing of the other center
    expect((await get(`/api/centers/${other.slug}/stats?from=${yesterday}&to=${today}`, other.admin.token).expect(200)).body).toMatchObject({
      days: [
        { liveStarted: 0, enquiries: 0, posts: 0 },
        { liveStarted: 0, enquiries: 0, posts: 0 },
      ],
    });
  });

  it('should count visitors turned away outside the opening hours once each', async () => {
    const centers = t.app.get(CentersService);
    const weekday = new Date(`${dayIn(zone, clock.now())}T12:00:00Z`).getUTCDay();
    await centers.updateSettings(other.centerId, { timeZone: zone, openingHours: [{ day: (weekday + 3) % 7, from: '09:00', to: '10:00' }] });
    const guests = [await liveVisitor(t, other), await liveVisitor(t, other), await liveVisitor(t, other)];
    for (const g of [...guests, guests[0]!, guests[1]!])
      expect(await call(g.socket, 'queue.join', {})).toMatchObject({ ok: false, error: { code: 'LIVE_CLOSED' } });
    const start = Date.now();
    const closed = async () =>
      ((await get(`/api/centers/${other.slug}/stats?from=${today}&to=${today}`, other.admin.token).expect(200)).body as StatsReport).days[0]!.liveRefusedClosed;
    while ((await closed()) !== 3 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(await closed()).toBe(3);
    // the retries' counts would come after the first ones: a moment later it is still 3
    await new Promise((r) => setTimeout(r, 300));
    expect(await closed()).toBe(3);
    await centers.updateSettings(other.centerId, { openingHours: [] });
  });

  it('should keep every count when a client who wrote deletes the account', async () => {
    const before = await report(`from=${yesterday}&to=${today}`);
    const client = c.clients[2]!;
    await t.http().delete('/api/accounts/me').set('Authorization', `Bearer ${client.token}`).send({ password: client.password }).expect(204);
    await t.http().get('/api/threads').set('Authorization', `Bearer ${client.token}`).expect(401);
    expect(await report(`from=${yesterday}&to=${today}`)).toEqual(before);
  });

  it('should document both routes with their query in the OpenAPI document', async () => {
    type Op = { tags: string[]; summary: string; parameters: { name: string; in: string }[] };
    const paths = ((await t.http().get('/api/docs/openapi.json').expect(200)).body as { paths: Record<string, { get: Op }> }).paths;
    for (const path of ['/api/centers/{center}/stats', '/api/centers/{center}/stats.csv']) {
      const op = paths[path]!.get;
      expect(op.tags).toEqual(['stats']);
      expect(op.summary).toMatch(/admin/);
      expect(op.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['path:center', 'query:by', 'query:from', 'query:to']);
    }
  });

  it('should lose no count when many are counted at once', async () => {
    const at = new Date('2026-01-15T12:00:00Z');
    const before = await countSum();
    await Promise.all(Array.from({ length: 40 }, (_, i) => emit(i % 2 ? 'video.sessions' : 'live.wait', at, c.centerId, 70)));
    await settled(before + 40);
    const r = await report('from=2026-01-15&to=2026-01-15');
    expect(r.days[0]).toMatchObject({ videoSessions: 20, waitMedianSeconds: 120, waitP90Seconds: 120 });
  });

  it('should refuse bad input with a clear error and change nothing', async () => {
    const rows = await rowCount();
    const sum = await countSum();
    const bad = async (query: string, fields: string[]) => {
      const res = await get(`/api/centers/${c.slug}/stats?${query}`).expect(400);
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', fields } });
      await get(`/api/centers/${c.slug}/stats.csv?${query}`).expect(400);
    };
    await bad('from=2026-02-30&to=2026-03-01', ['from']);
    await bad('from=2026-01-01&to=2026-13-01', ['to']);
    await bad('from=yesterday', ['from']);
    await bad('from=2026-03-02&to=2026-03-01', ['from', 'to']);
    await bad('from=2025-01-01&to=2026-02-05', ['from', 'to']); // 401 days
    await bad('by=month', ['by']);
    await bad('from=2026-01-01&extra=1', ['extra']);
    // 400 days exactly is fine
    expect((await report('from=2025-01-02&to=2026-02-05')).days).toHaveLength(400);
    for (const token of [c.counselors[0]!.token, c.clients[0]!.token]) {
      const res = await get(`/api/centers/${c.slug}/stats`, token).expect(403);
      expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
      await get(`/api/centers/${c.slug}/stats.csv`, token).expect(403);
    }
    expect((await get(`/api/centers/${c.slug}/stats`, other.admin.token).expect(403)).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await get(`/api/centers/${c.slug}/stats.csv`, other.admin.token).expect(403)).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await get('/api/centers/no-such-center/stats').expect(404);
    await t.http().get(`/api/centers/${c.slug}/stats`).expect(401);
    // the default range: 12 weeks up to today
    const d = await report('');
    expect(d.days).toHaveLength(84);
    expect(d.to).toBe(today);
    expect(await rowCount()).toBe(rows);
    expect(await countSum()).toBe(sum);
  });
});
