import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { Clock, IdGenerator } from '../../src/common/clock';
import { ClusterBus } from '../../src/infra/redis/cluster-bus';
import { CryptoService } from '../../src/modules/crypto/crypto.service';
import { DataKeyRepository } from '../../src/modules/crypto/data-key.repository';
import { rotateMasterKey } from '../../src/modules/crypto/key-rotation';
import { loadConfig } from '../../src/config/config';
import { loadMasterKey, masterKeyId } from '../../src/infra/crypto/master-key';
import type { MessageView } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, login, seedCenter, startApp, TestApp } from '../harness/app';
import { createMariaDb, onMariaDb, TEST_MASTER_KEY, tempDataDir } from '../harness/env';
import { DIST_CLI, requireBuild, spawnNode } from '../harness/spawn';

describe('operator CLI', () => {
  const dataDir = tempDataDir();
  let env: Record<string, string>;
  let dropDb = async (): Promise<void> => undefined;

  beforeAll(async () => {
    env = { DATA_DIR: dataDir, MASTER_KEY: TEST_MASTER_KEY };
    if (onMariaDb) {
      const db = await createMariaDb();
      env.DATABASE_URL = db.url;
      dropDb = db.drop;
    }
  });
  afterAll(async () => {
    await dropDb();
  });

  async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const code = await runCli(argv, env, (l) => lines.push(l));
    return { code, out: lines.join('\n') };
  }

  it.each(['center:create', 'staff:create', 'center:settings', 'center:delete', 'migrate', 'key:rotate'])(
    'should print usage and exit 0 when %s gets --help',
    async (command) => {
      const { code, out } = await cli(command, '--help');
      expect(code).toBe(0);
      expect(out).toContain(`Usage: lotse ${command}`);
    },
  );

  it('should create a center and print a generated admin password once when none is given', async () => {
    const { code, out } = await cli('center:create', '--slug', 'north', '--name', 'Beratung Nord', '--admin-email', 'Admin@North.example');
    expect(code).toBe(0);
    expect(out).toContain('Created center "north"');
    const password = /password: (\S+)\s+\(shown only now\)/.exec(out)?.[1];
    expect(password).toBeDefined();

    const t = await startApp({ dataDir, databaseUrl: env.DATABASE_URL });
    try {
      await login(t, 'north', 'admin@north.example', password!);
    } finally {
      await t.close();
    }
  });

  it('should print no password when the admin password is given', async () => {
    const { code, out } = await cli(
      'center:create',
      '--slug',
      'south',
      '--name',
      'Süd',
      '--admin-email',
      'a@south.example',
      '--admin-password',
      'Given-Admin-Pass-1',
    );
    expect(code).toBe(0);
    expect(out).not.toContain('Given-Admin-Pass-1');
    expect(out).not.toContain('shown only now');
  });

  it('should create a counselor with a generated password when staff:create has none', async () => {
    const { code, out } = await cli('staff:create', '--center', 'north', '--email', 'carla@north.example', '--name', 'Carla', '--role', 'counselor');
    expect(code).toBe(0);
    expect(out).toMatch(/Created counselor carla@north\.example \([0-9a-f-]{36}\) in "north"\./);
    expect(out).toMatch(/Password: \S{16,}\s+\(shown only now\)/);
  });

  it('should change and show the settings when center:settings gets values', async () => {
    const { code, out } = await cli(
      'center:settings',
      '--center',
      'north',
      '--live-waiting-limit',
      '5',
      '--live-max-wait-minutes',
      '20',
      '--keep-live-transcripts',
      'on',
    );
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ center: 'north', liveWaitingLimit: 5, liveMaxWaitMinutes: 20, keepLiveTranscripts: true });
    const shown = await cli('center:settings', '--center', 'north');
    expect(JSON.parse(shown.out)).toMatchObject({ liveWaitingLimit: 5, liveMaxWaitMinutes: 20, liveHandover: 'handover', liveWaitingPerAddress: 3 });
    const failures = await cli(
      'center:settings',
      '--center',
      'north',
      '--live-handover',
      'end',
      '--live-block-hours',
      '48',
      '--live-waiting-per-address',
      '2',
      '--quick-exit-url',
      '/neutral',
    );
    expect(JSON.parse(failures.out)).toMatchObject({ liveHandover: 'end', liveBlockHours: 48, liveWaitingPerAddress: 2, quickExitUrl: '/neutral' });
  });

  it.each([
    [['center:settings', '--center', 'north', '--live-waiting-limit', 'abc'], /--live-waiting-limit must be a whole number from 0 to 500/],
    [['center:settings', '--center', 'north', '--live-max-wait-minutes', '9999'], /--live-max-wait-minutes must be a whole number from 1 to 240/],
    [['center:settings', '--center', 'north', '--live-handover', 'transfer'], /must be handover or end/],
    [['center:settings', '--center', 'north', '--quick-exit-url', 'http://plain.example/'], /must be an https URL or a path/],
    [['staff:create', '--center', 'north', '--email', 'x@north.example', '--name', 'X', '--role', 'boss'], /must be counselor or admin/],
    [['staff:create', '--center', 'north', '--email', 'not-an-email', '--name', 'X', '--role', 'admin'], /VALIDATION_FAILED: The email address is not valid/],
    [['staff:create', '--center', 'north', '--email', 'y@north.example', '--name', 'Y', '--role', 'admin', '--password', 'password123'], /too common/],
    [['staff:create', '--center', 'nowhere', '--email', 'y@north.example', '--name', 'Y', '--role', 'admin'], /NOT_FOUND: The center was not found/],
    [['center:create', '--slug', 'Bad Slug!', '--name', 'X', '--admin-email', 'a@x.example'], /VALIDATION_FAILED: The slug/],
    [['center:create', '--slug', 'north', '--name', 'Again', '--admin-email', 'b@north.example'], /CONFLICT: A center with the slug "north" exists already/],
    [['center:create', '--name', 'No slug', '--admin-email', 'a@x.example'], /required option '--slug <slug>' not specified/],
    [['no:such-command'], /unknown command/],
  ])('should exit non-zero with a clear message when called as %j', async (argv, message) => {
    const { code, out } = await cli(...argv);
    expect(code).not.toBe(0);
    expect(out).toMatch(message);
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('should create no center when the admin email or password is refused', async () => {
    const bad = await cli('center:create', '--slug', 'west', '--name', 'West', '--admin-email', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('VALIDATION_FAILED');
    const weak = await cli('center:create', '--slug', 'west', '--name', 'West', '--admin-email', 'a@west.example', '--admin-password', 'short');
    expect(weak.code).toBe(1);
    const settings = await cli('center:settings', '--center', 'west');
    expect(settings.out).toContain('NOT_FOUND');
  });

  it('should not create a second staff account when the email is taken', async () => {
    const { code, out } = await cli('staff:create', '--center', 'north', '--email', 'CARLA@north.example', '--name', 'Carla 2', '--role', 'admin');
    expect(code).toBe(1);
    expect(out).toContain('CONFLICT');
  });

  it('should stop with the config line when the environment is wrong', async () => {
    const lines: string[] = [];
    expect(await runCli(['migrate'], { ...env, DATABASE_URL: 'postgres://x' }, (l) => lines.push(l))).toBe(1);
    expect(lines).toEqual(['Configuration error: DATABASE_URL must be a mysql://user:password@host:port/database URL']);
  });

  it('should work as a spawned process when run as node dist/cli.js', async () => {
    requireBuild();
    const help = spawnNode(DIST_CLI, ['staff:create', '--help'], env);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain('Usage: lotse staff:create');
    const create = spawnNode(DIST_CLI, ['center:create', '--slug', 'east', '--name', 'Ost', '--admin-email', 'a@east.example'], env);
    expect(await create.exited).toBe(0);
    expect(create.stdout()).toMatch(/Created center "east"[\s\S]*password: \S+\s+\(shown only now\)/);
    const bad = spawnNode(DIST_CLI, ['center:settings', '--center', 'east', '--live-waiting-limit', '-1'], env);
    expect(await bad.exited).not.toBe(0);
    expect(bad.stdout() + bad.stderr()).toMatch(/must be a whole number|unknown option/);
  });
});

describe('operator CLI: key:rotate', () => {
  type Started = TestApp & { dropDb: () => Promise<void> };
  let databaseUrl: string | undefined;
  let dropDb = async (): Promise<void> => undefined;

  beforeEach(async () => {
    if (onMariaDb) {
      const db = await createMariaDb();
      databaseUrl = db.url;
      dropDb = db.drop;
    }
  });
  afterEach(async () => {
    closeAllSockets();
    await dropDb();
  });

  async function cli(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const code = await runCli(argv, { ...env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }, (l) => lines.push(l));
    return { code, out: lines.join('\n') };
  }

  /** A center with a room and a message, written with `masterKey` (null: file mode). */
  async function seeded(dataDir: string, masterKey: string | null): Promise<{ t: Started; roomId: string; token: string }> {
    const t = await startApp({ dataDir, databaseUrl, masterKey });
    const c = await seedCenter(t, { counselors: 1, clients: 1 });
    const s = await connect(t.url, c.counselors[0]!.token);
    const { roomId } = ok(await call(s, 'room.create', { name: 'Vor der Rotation', memberIds: [c.clients[0]!.id] }));
    ok(await call(s, 'message.send', { roomId, clientMsgId: 'r1', body: 'Bleibt lesbar' }));
    s.disconnect();
    return { t, roomId, token: c.counselors[0]!.token };
  }

  async function readable(dataDir: string, masterKey: string | null, roomId: string, token: string, also?: (t: Started) => Promise<void>): Promise<void> {
    const t = await startApp({ dataDir, databaseUrl, masterKey });
    try {
      await also?.(t);
      const s = await connect(t.url, token);
      expect(ok(await call(s, 'room.join', { roomId })).name).toBe('Vor der Rotation');
      expect(ok(await call(s, 'room.history', { roomId })).messages.map((m: MessageView) => m.body)).toEqual(['Bleibt lesbar']);
      s.disconnect();
    } finally {
      await t.close();
    }
  }

  it('should replace and shred the key file and keep everything readable when key:rotate runs in file mode', async () => {
    const dataDir = tempDataDir();
    const { t, roomId, token } = await seeded(dataDir, null);
    const keyFile = join(dataDir, 'master.key');
    const before = readFileSync(keyFile, 'utf8');
    if (!onMariaDb) {
      const refused = await cli({ DATA_DIR: dataDir }, 'key:rotate');
      expect(refused).toMatchObject({ code: 1 });
      expect(refused.out).toContain('stop it before key:rotate');
      expect(readFileSync(keyFile, 'utf8')).toBe(before);
    }
    await t.close();
    const { code, out } = await cli({ DATA_DIR: dataDir }, 'key:rotate');
    expect(code).toBe(0);
    const after = readFileSync(keyFile, 'utf8');
    expect(after).not.toBe(before);
    expect(out).toContain(`new master key (id ${masterKeyId(Buffer.from(after.trim(), 'base64'))})`);
    expect(out).toContain('the old key file was overwritten and removed');
    expect(out).not.toContain(after.trim());
    expect(existsSync(join(dataDir, 'master.key.next'))).toBe(false);
    await readable(dataDir, null, roomId, token);
  });

  it('should print the generated key once, and refuse the old MASTER_KEY with a clear error, when key:rotate runs with MASTER_KEY', async () => {
    const dataDir = tempDataDir();
    const { t, roomId, token } = await seeded(dataDir, TEST_MASTER_KEY);
    await t.close();
    const { code, out } = await cli({ DATA_DIR: dataDir, MASTER_KEY: TEST_MASTER_KEY }, 'key:rotate');
    expect(code).toBe(0);
    const newKey = /New MASTER_KEY: (\S+)\s+\(shown only now\)/.exec(out)?.[1];
    expect(newKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(out).toContain('on every node');
    await readable(dataDir, newKey!, roomId, token, async (t) => {
      // a node started with the old key refuses to run (CryptoService at init), naming the key
      const stale = new CryptoService(
        Buffer.from(TEST_MASTER_KEY, 'base64'),
        t.app.get(DataKeyRepository),
        t.app.get(ClusterBus),
        t.app.get(Clock),
        t.app.get(IdGenerator),
      );
      await expect(stale.onModuleInit()).rejects.toThrow(
        `wrapped by another master key than MASTER_KEY (id ${masterKeyId(Buffer.from(TEST_MASTER_KEY, 'base64'))})`,
      );
    });
    // the key can also come from a file (then it is not printed)
    const file = join(dataDir, 'next.key');
    const third = randomBytes(32).toString('base64');
    writeFileSync(file, `${third}\n`);
    const fromFile = await cli({ DATA_DIR: dataDir, MASTER_KEY: newKey! }, 'key:rotate', '--new-key-file', file);
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).not.toContain(third);
    await readable(dataDir, third, roomId, token);
    const same = await cli({ DATA_DIR: dataDir, MASTER_KEY: third }, 'key:rotate', '--new-key-file', file);
    expect(same).toMatchObject({ code: 1, out: 'Error: The new master key equals the current one.' });
  });

  it('should finish or undo an interrupted rotation when key:rotate --resume runs in file mode', async () => {
    const dataDir = tempDataDir();
    const { t, roomId, token } = await seeded(dataDir, null);
    const next = join(dataDir, 'master.key.next');
    const keyFile = join(dataDir, 'master.key');
    const current = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');

    // interrupted before the commit: the database still matches master.key
    writeFileSync(next, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    await t.close();
    expect(() => loadMasterKey(loadConfig({ DATA_DIR: dataDir }))).toThrow('a key:rotate was interrupted');
    expect((await cli({ DATA_DIR: dataDir }, 'key:rotate')).out).toContain('run key:rotate --resume');
    const undone = await cli({ DATA_DIR: dataDir }, 'key:rotate', '--resume');
    expect(undone).toMatchObject({ code: 0 });
    expect(undone.out).toContain('had not been committed');
    expect(existsSync(next)).toBe(false);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').equals(current)).toBe(true);

    // interrupted after the commit: the database matches master.key.next
    const t2 = await startApp({ dataDir, databaseUrl, masterKey: null });
    const newKey = randomBytes(32);
    writeFileSync(next, newKey.toString('base64') + '\n', { mode: 0o600 });
    await rotateMasterKey(t2.app.get(DataKeyRepository), current, newKey);
    await t2.close();
    const finished = await cli({ DATA_DIR: dataDir }, 'key:rotate', '--resume');
    expect(finished).toMatchObject({ code: 0 });
    expect(finished.out).toContain('Finished the rotation');
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').equals(newKey)).toBe(true);
    expect(existsSync(next)).toBe(false);
    await readable(dataDir, null, roomId, token);
  });
});
