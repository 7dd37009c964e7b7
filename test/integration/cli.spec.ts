import { runCli } from '../../src/cli';
import { login, startApp } from '../harness/app';
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

  it.each(['center:create', 'staff:create', 'center:settings', 'migrate'])('should print usage and exit 0 when %s gets --help', async (command) => {
    const { code, out } = await cli(command, '--help');
    expect(code).toBe(0);
    expect(out).toContain(`Usage: lotse ${command}`);
  });

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
