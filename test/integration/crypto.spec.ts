import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DomainError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { CipherContext, CryptoService } from '../../src/modules/crypto/crypto.service';
import { loadMasterKey } from '../../src/modules/crypto/master-key';
import { startApp, TestApp } from '../harness/app';
import { tempDataDir } from '../harness/env';

describe('CryptoService', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let crypto: CryptoService;
  const centerId = randomUUID();
  const ctx = (over: Partial<CipherContext> = {}): CipherContext => ({ centerId, table: 'messages', column: 'body', rowId: 'row-1', ...over });

  beforeAll(async () => {
    t = await startApp();
    crypto = t.app.get(CryptoService);
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const expectInternal = async (p: Promise<unknown>) => {
    const err = (await p.then(
      () => null,
      (e: unknown) => e,
    )) as DomainError | null;
    expect(err).toBeInstanceOf(DomainError);
    expect(err?.code).toBe('INTERNAL');
  };

  it('should give back the plaintext when a value is encrypted and decrypted', async () => {
    const text = 'Vertraulich: ünïcödé, emoji 🙂 and newlines\n';
    const stored = await crypto.encrypt(ctx(), text);
    expect(stored).not.toContain('Vertraulich');
    expect(stored.split(':')).toHaveLength(5);
    await expect(crypto.decrypt(ctx(), stored)).resolves.toBe(text);
  });

  it('should use a fresh IV when the same plaintext is encrypted twice', async () => {
    const a = await crypto.encrypt(ctx(), 'same');
    const b = await crypto.encrypt(ctx(), 'same');
    expect(a).not.toBe(b);
    expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
  });

  it('should fail with INTERNAL, never garbage, when the ciphertext is tampered with', async () => {
    const stored = await crypto.encrypt(ctx(), 'hello world');
    const parts = stored.split(':');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 0x01;
    parts[4] = ct.toString('base64url');
    await expectInternal(crypto.decrypt(ctx(), parts.join(':')));
    await expectInternal(crypto.decrypt(ctx(), 'not-a-ciphertext'));
    await expectInternal(crypto.decrypt(ctx(), stored.slice(0, -4)));
  });

  it('should fail with INTERNAL when the value is read for another row, column or center', async () => {
    const stored = await crypto.encrypt(ctx(), 'bound to row-1');
    await expectInternal(crypto.decrypt(ctx({ rowId: 'row-2' }), stored));
    await expectInternal(crypto.decrypt(ctx({ column: 'title' }), stored));
    await expectInternal(crypto.decrypt(ctx({ centerId: randomUUID() }), stored));
  });

  it('should make values unreadable when the account key is destroyed', async () => {
    const accountId = randomUUID();
    const own = ctx({ accountId, table: 'accounts', column: 'email_enc', rowId: accountId });
    const stored = await crypto.encrypt(own, 'client@example.org');
    await expect(crypto.decrypt(own, stored)).resolves.toBe('client@example.org');
    const ds = t.app.get(DataSource);
    const count = async () => {
      const rows: { n: string | number }[] = await ds.query('SELECT COUNT(*) AS n FROM data_keys WHERE scope = ?', [`account:${accountId}`]);
      return Number(rows[0]!.n);
    };
    expect(await count()).toBe(1);
    await crypto.destroyAccountKey(centerId, accountId);
    expect(await count()).toBe(0);
    await expectInternal(crypto.decrypt(own, stored));
  });

  it('should keep the data key wrapped when it is stored', async () => {
    await crypto.encrypt(ctx(), 'x');
    const rows: { wrapped_key: string }[] = await t.app.get(DataSource).query('SELECT wrapped_key FROM data_keys WHERE center_id = ?', [centerId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.wrapped_key.split(':')).toHaveLength(3);
  });
});

describe('master key', () => {
  it('should generate a 32-byte key with mode 0600 and reuse it when MASTER_KEY is unset', () => {
    const dataDir = tempDataDir();
    const config = loadConfig({ DATA_DIR: dataDir });
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as unknown as Parameters<typeof loadMasterKey>[1];
    const key = loadMasterKey(config, logger);
    expect(key).toHaveLength(32);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadMasterKey(config, logger).equals(key)).toBe(true);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('MASTER_KEY is not set');
  });

  it('should use MASTER_KEY and write no file when it is set', () => {
    const dataDir = tempDataDir();
    const b64 = Buffer.alloc(32, 9).toString('base64');
    const key = loadMasterKey(loadConfig({ DATA_DIR: dataDir, MASTER_KEY: b64 }));
    expect(key.equals(Buffer.alloc(32, 9))).toBe(true);
    expect(() => statSync(join(dataDir, 'master.key'))).toThrow();
  });
});
