import { ConfigError, loadConfig } from '../../src/config/config';
import { PasswordService } from '../../src/modules/accounts/password.service';

const KEY = Buffer.alloc(32, 7).toString('base64');

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('should use the embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database.kind).toBe('sqlite');
    expect(c.redisUrl).toBeNull();
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.masterKey).toBeNull();
    expect(c.rateLimits).toBe(true);
    expect(c.demo).toBe(true);
    expect(c.serveClient).toBe(true);
    expect(c.logLevel).toBe('info');
    expect(c.passwordHashCost).toBe(12);
  });

  it('should read every variable when all are valid', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'mysql://lotse:secret@db:3306/lotse',
      REDIS_URL: 'redis://redis:6379',
      PUBLIC_URL: 'https://chat.example.org',
      ALLOWED_ORIGINS: 'https://www.example.org,https://example.org',
      MASTER_KEY: KEY,
      RATE_LIMITS: 'off',
      DEMO: 'off',
      DEMO_PASSWORD: 'a-long-demo-pass',
      DATA_DIR: '/tmp/lotse-data',
      SMTP_URL: 'smtp://mail:1025',
      MAIL_FROM: 'Lotse <chat@example.org>',
      LOG_LEVEL: 'debug',
      CLIENT: 'off',
    });
    expect(c).toMatchObject({
      port: 8080,
      database: { kind: 'mysql', url: 'mysql://lotse:secret@db:3306/lotse' },
      redisUrl: 'redis://redis:6379',
      publicUrl: 'https://chat.example.org',
      allowedOrigins: ['https://chat.example.org', 'https://www.example.org', 'https://example.org'],
      masterKey: KEY,
      rateLimits: false,
      demo: false,
      demoPassword: 'a-long-demo-pass',
      dataDir: '/tmp/lotse-data',
      smtpUrl: 'smtp://mail:1025',
      mailFrom: 'Lotse <chat@example.org>',
      logLevel: 'debug',
      serveClient: false,
    });
  });

  it('should treat an empty value like an unset one when a variable is blank', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, database: { kind: 'sqlite' } });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '3.5' }, 'PORT'],
    [{ DATABASE_URL: 'postgres://x@y/z' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ PUBLIC_URL: 'https://chat.example.org/path' }, 'PUBLIC_URL'],
    [{ ALLOWED_ORIGINS: 'https://a.example, https://b.example' }, 'ALLOWED_ORIGINS'],
    [{ MASTER_KEY: 'too-short' }, 'MASTER_KEY'],
    [{ RATE_LIMITS: 'no' }, 'RATE_LIMITS'],
    [{ DEMO: 'yes' }, 'DEMO'],
    [{ DEMO_PASSWORD: 'short' }, 'DEMO_PASSWORD'],
    [{ SMTP_URL: 'mail.example.org' }, 'SMTP_URL'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ CLIENT: 'maybe' }, 'CLIENT'],
    [{ PASSWORD_HASH_COST: '9' }, 'PASSWORD_HASH_COST'],
    [{ PASSWORD_HASH_COST: '16' }, 'PASSWORD_HASH_COST'],
  ])('should stop with one line naming the variable when %j is wrong', (env, name) => {
    const message = errorOf(env);
    expect(message).toMatch(new RegExp(`^Configuration error: ${name} \\S`));
    expect(message).not.toContain('\n');
  });

  it('should name the variable and say what is expected when PORT is not a number', () => {
    expect(errorOf({ PORT: 'abc' })).toBe('Configuration error: PORT must be an integer number');
  });

  it('should hash new passwords with the configured bcrypt cost, 12 unless PASSWORD_HASH_COST says otherwise, and verify hashes of any cost', async () => {
    const byDefault = new PasswordService(loadConfig({}));
    const cheaper = new PasswordService(loadConfig({ PASSWORD_HASH_COST: '10' }));
    const strong = await byDefault.hash('a long passphrase');
    const weak = await cheaper.hash('a long passphrase');
    expect(strong).toMatch(/^\$2b\$12\$/);
    expect(weak).toMatch(/^\$2b\$10\$/);
    expect(await cheaper.verify('a long passphrase', strong)).toBe(true);
    expect(await byDefault.verify('a long passphrase', weak)).toBe(true);
    expect(await byDefault.verify('another passphrase', weak)).toBe(false);
  });
});
