import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Clock, IdGenerator } from '../../src/common/clock';
import { DomainError } from '../../src/common/errors';
import { ClusterBus } from '../../src/infra/redis/cluster-bus';
import { loadConfig } from '../../src/config/config';
import { CipherContext, CryptoService, unwrapDataKey } from '../../src/modules/crypto/crypto.service';
import { DataKeyRepository } from '../../src/modules/crypto/data-key.repository';
import { rotateMasterKey } from '../../src/modules/crypto/key-rotation';
import { loadMasterKey, masterKeyId } from '../../src/infra/crypto/master-key';
import { startApp, TestApp } from '../harness/app';
import { onMariaDb, tempDataDir, TEST_MASTER_KEY } from '../harness/env';
import { Transactions } from '../../src/infra/database/transactions';

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

  it('should destroy every key of a room and only it when the room is deleted', async () => {
    const [roomId, otherRoom, member] = [randomUUID(), randomUUID(), randomUUID()];
    const name = ctx({ roomId, table: 'rooms', column: 'name', rowId: roomId });
    const body = ctx({ roomId, memberId: member, rowId: 'm-1' });
    const elsewhere = ctx({ roomId: otherRoom, memberId: member, rowId: 'm-2' });
    const [n, b, e] = [await crypto.encrypt(name, 'Gruppe'), await crypto.encrypt(body, 'Hallo'), await crypto.encrypt(elsewhere, 'Dort')];
    expect(n.split(':')[1]).not.toBe(b.split(':')[1]);
    await crypto.destroyRoomKeys(centerId, roomId);
    await expectInternal(crypto.decrypt(name, n));
    await expectInternal(crypto.decrypt(body, b));
    await expect(crypto.decrypt(elsewhere, e)).resolves.toBe('Dort');
  });

  it("should drop the key from every node's cache when another node destroys it", async () => {
    const other = new CryptoService(
      Buffer.from(TEST_MASTER_KEY, 'base64'),
      t.app.get(DataKeyRepository),
      t.app.get(ClusterBus),
      t.app.get(Clock),
      t.app.get(IdGenerator),
    );
    await other.onModuleInit();
    const roomId = randomUUID();
    const c1 = ctx({ roomId, memberId: randomUUID(), rowId: 'n-1' });
    const sealed = await other.encrypt(c1, 'zwischengespeichert');
    await expect(other.decrypt(c1, sealed)).resolves.toBe('zwischengespeichert'); // cached on the other node now
    // the notice goes through Redis on MariaDB runs: wait for it (handlers run in order, the other node's first)
    const delivered = new Promise<void>((resolve) =>
      t.app.get(ClusterBus).on('crypto.keys-destroyed', (p) => {
        if ((p as { scope: string }).scope === `room:${roomId}:${c1.memberId}`) resolve();
      }),
    );
    await crypto.destroyRoomKeys(centerId, roomId);
    await delivered;
    await expectInternal(other.decrypt(c1, sealed));
  });

  it("should destroy a member's keys in every room but not the others' when the member's account is deleted", async () => {
    const [r1, r2, leaver, stays] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const own = [ctx({ roomId: r1, memberId: leaver, rowId: 'a' }), ctx({ roomId: r2, memberId: leaver, rowId: 'b' })];
    const other = ctx({ roomId: r1, memberId: stays, rowId: 'c' });
    const sealed = await Promise.all(own.map((c) => crypto.encrypt(c, 'mine')));
    const kept = await crypto.encrypt(other, 'theirs');
    await crypto.destroyMemberKeys(centerId, leaver);
    for (const [i, c] of own.entries()) await expectInternal(crypto.decrypt(c, sealed[i]!));
    await expect(crypto.decrypt(other, kept)).resolves.toBe('theirs');
  });

  it('should still decrypt a room message when it was written with the center key before rooms had keys', async () => {
    const roomId = randomUUID();
    const legacy = await crypto.encrypt(ctx({ rowId: 'old-1' }), 'vor dem Update');
    await expect(crypto.decrypt(ctx({ roomId, memberId: randomUUID(), rowId: 'old-1' }), legacy)).resolves.toBe('vor dem Update');
    // but never with another room's or a client's key named in the envelope
    const foreign = await crypto.encrypt(ctx({ roomId: randomUUID(), rowId: 'old-2' }), 'fremd');
    await expectInternal(crypto.decrypt(ctx({ roomId, rowId: 'old-2' }), foreign));
  });

  it('should name both master keys, not fail with garbage, when a data key is opened with another master key', async () => {
    await crypto.encrypt(ctx(), 'x');
    const [row] = await t.app
      .get(DataSource)
      .query<Record<string, string | number | null>[]>(
        "SELECT id, center_id, scope, version, wrapped_key, master_key_id FROM data_keys WHERE center_id = ? AND scope = 'center'",
        [centerId],
      );
    const stored = {
      id: String(row!.id),
      centerId,
      scope: 'center',
      version: Number(row!.version),
      wrappedKey: String(row!.wrapped_key),
      masterKeyId: row!.master_key_id as string | null,
    };
    expect(stored.masterKeyId).toBe(masterKeyId(Buffer.from(TEST_MASTER_KEY, 'base64')));
    const other = randomBytes(32);
    expect(() => unwrapDataKey(other, stored)).toThrow(`was wrapped by master key ${stored.masterKeyId}, not by the configured one (${masterKeyId(other)})`);
    expect(unwrapDataKey(Buffer.from(TEST_MASTER_KEY, 'base64'), stored)).toHaveLength(32);
  });

  it('should re-wrap every key in one step and refuse to start with the old master key when the master key is rotated', async () => {
    const sealed = await crypto.encrypt(ctx({ rowId: 'rot' }), 'über die Rotation');
    const repo = t.app.get(DataKeyRepository);
    const next = randomBytes(32);
    const n = await rotateMasterKey(repo, Buffer.from(TEST_MASTER_KEY, 'base64'), next);
    expect(n).toBeGreaterThan(0);
    expect(await repo.masterKeyIds()).toEqual([masterKeyId(next)]);
    // a running node with the old key: its cached keys still work, but it wraps no new key with the old one
    await expect(crypto.decrypt(ctx({ rowId: 'rot' }), sealed)).resolves.toBe('über die Rotation');
    const fresh = new CryptoService(Buffer.from(TEST_MASTER_KEY, 'base64'), repo, t.app.get(ClusterBus), t.app.get(Clock), t.app.get(IdGenerator));
    await expect(fresh.onModuleInit()).rejects.toThrow('wrapped by another master key than MASTER_KEY');
    const rotated = new CryptoService(next, repo, t.app.get(ClusterBus), t.app.get(Clock), t.app.get(IdGenerator));
    await rotated.onModuleInit();
    await expect(rotated.decrypt(ctx({ rowId: 'rot' }), sealed)).resolves.toBe('über die Rotation');
    // a rotation that meets a key the old master key cannot open writes nothing
    await expect(rotateMasterKey(repo, randomBytes(32), randomBytes(32))).rejects.toThrow('was wrapped by master key');
    expect(await repo.masterKeyIds()).toEqual([masterKeyId(next)]);
    await rotateMasterKey(repo, next, Buffer.from(TEST_MASTER_KEY, 'base64'));
  });

  it('should make a new room’s keys in one insert, serve them inside the transaction without a read, and keep none a rollback took back', async () => {
    const tx = t.app.get(Transactions);
    const keys = t.app.get(DataKeyRepository);
    const ds = t.app.get(DataSource);
    const countScopes = async (roomId: string) =>
      Number(
        (await ds.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM data_keys WHERE center_id = ? AND scope LIKE ?', [centerId, `room:${roomId}%`]))[0]!.n,
      );
    const room = (roomId: string, memberId?: string): CipherContext => ({ ...ctx({ roomId, memberId, rowId: roomId }), fresh: true });
    const many = jest.spyOn(keys, 'insertNewMany');
    const one = jest.spyOn(keys, 'insertNew');
    const read = jest.spyOn(keys, 'findCurrent');
    try {
      const kept = randomUUID();
      const sealed = await tx.run(async () => {
        await crypto.createFreshKeys([room(kept), room(kept, 'a'), room(kept, 'b')]);
        const values = [await crypto.encrypt(room(kept), 'Raum'), await crypto.encrypt(room(kept, 'a'), 'A')];
        // the first message of a member, later in the same transaction: not `fresh`, still no read
        values.push(await crypto.encrypt({ ...room(kept, 'b'), fresh: false }, 'B'));
        return values;
      });
      expect([many.mock.calls.length, many.mock.calls[0]![0].length, one.mock.calls.length, read.mock.calls.length]).toEqual([1, 3, 0, 0]);
      expect(await countScopes(kept)).toBe(3);
      expect(
        await Promise.all([crypto.decrypt(room(kept), sealed[0]!), crypto.decrypt(room(kept, 'a'), sealed[1]!), crypto.decrypt(room(kept, 'b'), sealed[2]!)]),
      ).toEqual(['Raum', 'A', 'B']);

      const gone = randomUUID();
      await expect(
        tx.run(async () => {
          await crypto.createFreshKeys([room(gone)]);
          await crypto.encrypt(room(gone), 'weg');
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      // SQLite: the key rolled back with the transaction (MariaDB writes keys outside it); never cached either way
      if (!onMariaDb) expect(await countScopes(gone)).toBe(0);
      read.mockClear();
      const again = await crypto.encrypt({ ...room(gone), fresh: false }, 'neu');
      expect(read).toHaveBeenCalled();
      await expect(crypto.decrypt(room(gone), again)).resolves.toBe('neu');
    } finally {
      many.mockRestore();
      one.mockRestore();
      read.mockRestore();
    }
  });

  it('should keep the data key wrapped when it is stored', async () => {
    await crypto.encrypt(ctx(), 'x');
    const rows: { wrapped_key: string }[] = await t.app
      .get(DataSource)
      .query("SELECT wrapped_key FROM data_keys WHERE center_id = ? AND scope = 'center'", [centerId]);
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
