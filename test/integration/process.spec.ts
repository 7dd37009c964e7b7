import { join } from 'node:path';
import request from 'supertest';
import type { LoginResult } from '../../src/realtime/contract';
import { tempDataDir } from '../harness/env';
import { DIST_MAIN, freePort, requireBuild, Spawned, spawnNode } from '../harness/spawn';

/** The built server as an operator starts it (`node dist/main.js`), on the embedded defaults. */
describe('node dist/main.js', () => {
  const running: Spawned[] = [];
  beforeAll(() => requireBuild());
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
  });

  async function start(env: Record<string, string>): Promise<{ p: Spawned; url: string }> {
    const port = await freePort();
    const p = spawnNode(DIST_MAIN, [], { PORT: String(port), DEMO: 'off', CLIENT: 'off', ...env });
    running.push(p);
    await p.waitFor(/Lotse listens on/);
    return { p, url: `http://127.0.0.1:${port}` };
  }

  it('should exit with code 1 and one line naming the variable when PORT is not a number', async () => {
    const p = spawnNode(DIST_MAIN, [], { PORT: 'abc', DATA_DIR: tempDataDir() });
    running.push(p);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toBe('Configuration error: PORT must be an integer number\n');
    expect(p.stdout()).toBe('');
  });

  it('should refuse a second node with a clear message when both use the same SQLite data dir', async () => {
    const dataDir = tempDataDir();
    await start({ DATA_DIR: dataDir });
    const second = spawnNode(DIST_MAIN, [], { PORT: String(await freePort()), DATA_DIR: dataDir, DEMO: 'off' });
    running.push(second);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`another Lotse process`);
    expect(second.stderr()).toContain(join(dataDir, 'lotse.sqlite'));
    expect(second.stderr()).toContain('SQLite runs one node only; set DATABASE_URL');
    expect(second.stderr()).not.toMatch(/\n\s+at /);
  });

  it('should print the demo logins once and let them log in when the database is empty', async () => {
    const dataDir = tempDataDir();
    const { p, url } = await start({ DATA_DIR: dataDir, DEMO: 'on', DEMO_PASSWORD: 'demo-pass-4711' });
    await p.waitFor(/ben@demo\.example/);
    expect(p.stdout()).toMatch(/admin\s+admin@demo\.example\s+demo-pass-4711/);
    expect(p.stdout()).toMatch(/counselor anna@demo\.example\s+demo-pass-4711/);
    const res = await request(url).post('/api/auth/login').send({ center: 'demo', login: 'anna@demo.example', password: 'demo-pass-4711' }).expect(200);
    expect((res.body as LoginResult).account).toMatchObject({ role: 'counselor', displayName: 'Anna' });
    await p.stop();

    const again = await start({ DATA_DIR: dataDir, DEMO: 'on', DEMO_PASSWORD: 'demo-pass-4711' });
    await request(again.url).get('/health').expect(200);
    expect(again.p.stdout()).not.toContain('demo-pass-4711');
  });

  it('should log neither passwords nor tokens nor addresses when LOG_LEVEL is debug', async () => {
    const demoPassword = 'demo-pass-4712';
    const { p, url } = await start({ DATA_DIR: tempDataDir(), LOG_LEVEL: 'debug', DEMO: 'on', DEMO_PASSWORD: demoPassword });
    const password = 'Secret-Log-Probe-8311';
    const reg = await request(url).post('/api/auth/register').send({ center: 'demo', username: 'log-probe', password }).expect(201);
    const login = await request(url).post('/api/auth/login').send({ center: 'demo', login: 'log-probe', password }).expect(200);
    const staff = await request(url).post('/api/auth/login').send({ center: 'demo', login: 'anna@demo.example', password: demoPassword }).expect(200);
    await request(url).post('/api/auth/login').send({ center: 'demo', login: 'log-probe', password: 'Wrong-Log-Probe-9422' }).expect(401);
    await request(url)
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${(login.body as LoginResult).token}`)
      .expect(200);
    await p.waitFor(/"path":"\/api\/auth\/me"/);

    const output = p.stdout() + p.stderr();
    expect(output).toMatch(/"path":"\/api\/auth\/login"/); // requests are logged, just without secrets
    for (const secret of [password, 'Wrong-Log-Probe-9422', ...[reg, login, staff].map((r) => (r.body as LoginResult).token)]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain('127.0.0.1');
    expect(output).not.toContain('::ffff:');
    expect(output).not.toMatch(/authorization/i);
    // the demo passwords appear once, in the banner for the operator, and nowhere else
    const banner = /\nDemo center "demo" created[\s\S]*?\n\n/.exec(p.stdout());
    expect(banner).not.toBeNull();
    expect(output.replace(banner![0], '')).not.toContain(demoPassword);
  });
});
