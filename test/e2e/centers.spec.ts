import { seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';

describe('center info and settings', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 1, clients: 1 });
    other = await seedCenter(t, { counselors: 0, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const settings = (token: string) => t.http().get(`/api/centers/${c.slug}/settings`).set('Authorization', `Bearer ${token}`);
  const patch = (token: string, body: object) => t.http().patch(`/api/centers/${c.slug}/settings`).set('Authorization', `Bearer ${token}`).send(body);

  it('should show the public info without a token and nothing of the internal settings', async () => {
    const res = await t.http().get(`/api/centers/${c.slug}`).expect(200);
    expect(res.body).toEqual({
      slug: c.slug,
      name: `Center ${c.slug}`,
      privacyText: null,
      emergencyText: null,
      openingHours: [],
      timeZone: 'Europe/Berlin',
      quickExitUrl: 'https://www.wikipedia.org/',
      imprintUrl: null,
      privacyUrl: null,
      video: false,
    });
    await t.http().get('/api/centers/no-such-center').expect(404);
  });

  it('should let the center admin change the settings, and show the texts and hours to visitors', async () => {
    const body = {
      liveWaitingLimit: 5,
      privacyText: 'Wir speichern nichts.',
      emergencyText: 'Notruf 112. Krisendienst Musterstadt: 0800 000 000.',
      openingHours: [{ day: 1, from: '10:00', to: '14:00' }],
    };
    const res = await patch(c.admin.token, body).expect(200);
    expect(res.body).toMatchObject(body);
    await expect(
      settings(c.admin.token)
        .expect(200)
        .then((r) => r.body as object),
    ).resolves.toMatchObject(body);
    const info = await t.http().get(`/api/centers/${c.slug}`).expect(200);
    expect(info.body).toMatchObject({ privacyText: body.privacyText, emergencyText: body.emergencyText, openingHours: body.openingHours });
  });

  it('should default and change the live chat failure settings, and show only the quick-exit page to visitors', async () => {
    const defaults = (await settings(c.admin.token).expect(200)).body as object;
    expect(defaults).toMatchObject({ liveHandover: 'handover', liveBlockHours: 24, liveWaitingPerAddress: 3, quickExitUrl: 'https://www.wikipedia.org/' });
    const body = { liveHandover: 'end', liveBlockHours: 720, liveWaitingPerAddress: 1, quickExitUrl: '/neutral/page?x=1' };
    expect((await patch(c.admin.token, body).expect(200)).body).toMatchObject(body);
    const info = (await t.http().get(`/api/centers/${c.slug}`).expect(200)).body as Record<string, unknown>;
    expect(info.quickExitUrl).toBe('/neutral/page?x=1');
    for (const internal of ['liveHandover', 'liveBlockHours', 'liveWaitingPerAddress']) expect(info).not.toHaveProperty(internal);
    await patch(c.admin.token, { quickExitUrl: 'https://www.google.com/search' }).expect(200);
  });

  it('should refuse counselors, other centers’ admins and callers without a token, and change nothing', async () => {
    const before = (await settings(c.admin.token).expect(200)).body as object;
    await patch(c.counselors[0]!.token, { liveWaitingLimit: 99 }).expect(403);
    await patch(c.clients[0]!.token, { liveWaitingLimit: 99 }).expect(403);
    await patch(other.admin.token, { liveWaitingLimit: 99 }).expect(403);
    await t.http().patch(`/api/centers/${c.slug}/settings`).send({ liveWaitingLimit: 99 }).expect(401);
    await settings(c.counselors[0]!.token).expect(403);
    expect((await settings(c.admin.token).expect(200)).body).toEqual(before);
  });

  it('should answer VALIDATION_FAILED with the field for bad values, and change nothing', async () => {
    const before = (await settings(c.admin.token).expect(200)).body as object;
    const cases: [object, string][] = [
      [{ liveWaitingLimit: -1 }, 'liveWaitingLimit'],
      [{ liveWaitingLimit: '5' }, 'liveWaitingLimit'],
      [{ emergencyText: 'x'.repeat(2001) }, 'emergencyText'],
      [{ openingHours: [{ day: 7, from: '10:00', to: '11:00' }] }, 'openingHours.0.day'],
      [{ widgetOrigins: ['https://ok.example/path'] }, 'widgetOrigins'],
      [{ widgetOrigins: ["https://ok.example; script-src 'unsafe-inline'"] }, 'widgetOrigins'],
      [{ shiftGraceSeconds: 60, unknown: 1 }, 'unknown'],
      [{ liveHandover: 'transfer' }, 'liveHandover'],
      [{ liveBlockHours: 0 }, 'liveBlockHours'],
      [{ liveBlockHours: 721 }, 'liveBlockHours'],
      [{ liveWaitingPerAddress: 0 }, 'liveWaitingPerAddress'],
      [{ liveWaitingPerAddress: 21 }, 'liveWaitingPerAddress'],
      [{ quickExitUrl: 'http://plain.example/' }, 'quickExitUrl'],
      [{ quickExitUrl: 'javascript:alert(1)' }, 'quickExitUrl'],
      [{ quickExitUrl: '//evil.example/' }, 'quickExitUrl'],
      [{ quickExitUrl: '/\\evil.example/' }, 'quickExitUrl'],
      [{ quickExitUrl: 'https://ok.example/ with space' }, 'quickExitUrl'],
      [{ imprintUrl: 'http://plain.example/impressum' }, 'imprintUrl'],
      [{ privacyUrl: '//evil.example/' }, 'privacyUrl'],
      [{ privacyUrl: 5 }, 'privacyUrl'],
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ liveWaitingLimit: null }, 'liveWaitingLimit'],
      [
        {
          openingHours: [
            { day: 1, from: '10:00', to: '11:00' },
            { day: 2, from: '14:00', to: '09:00' },
          ],
        },
        'openingHours.1.to',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await patch(c.admin.token, body).expect(400);
      expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', fields: expect.arrayContaining([field]) as string[] } });
    }
    expect((await settings(c.admin.token).expect(200)).body).toEqual(before);
  });

  it('should change the name, imprint and privacy links and show them to everybody when the admin sets them', async () => {
    const body = { name: 'Beratungsstelle Nord', imprintUrl: 'https://www.example.org/impressum', privacyUrl: '/datenschutz' };
    expect((await patch(c.admin.token, body).expect(200)).body).toMatchObject(body);
    expect((await t.http().get(`/api/centers/${c.slug}`).expect(200)).body).toMatchObject(body);
    expect((await patch(c.admin.token, { imprintUrl: null, privacyUrl: null }).expect(200)).body).toMatchObject({ imprintUrl: null, privacyUrl: null });
    expect((await t.http().get(`/api/centers/${c.slug}`).expect(200)).body).toMatchObject({ imprintUrl: null, privacyUrl: null });
  });
});
