import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Clock, IdGenerator } from '../../common/clock';
import { DomainError } from '../../common/errors';
import { Transactions } from '../../infra/database/transactions';
import { ClusterBus } from '../../infra/redis/cluster-bus';
import { DataKey } from './data-key.entity';
import { DataKeyRepository } from './data-key.repository';
import { MASTER_KEY, MASTER_KEY_PREVIOUS, masterKeyId } from '../../infra/crypto/master-key';

/** Where a value lives; bound into the ciphertext as associated data so it cannot be moved. */
export interface CipherContext {
  centerId: string;
  /** Encrypt with the client's own key (deleted with the account) instead of the center key. */
  accountId?: string;
  /** Encrypt with the conversation's own key (deleted with the room). */
  roomId?: string;
  /** With roomId: the key of this member in this conversation (deleted with the room or with the member's account). */
  memberId?: string;
  /** Encrypt with a group thread's own key (deleted with the thread). */
  threadId?: string;
  table: string;
  column: string;
  rowId: string;
  /**
   * The scope was made a moment ago (a new room's id, not yet committed): no key can exist for it,
   * so the key is created without looking first (should one exist after all, the insert fails on
   * the unique index and the usual path reads it).
   */
  fresh?: boolean;
}

interface LoadedKey {
  id: string;
  /** `center|scope`: the key of the current-key cache. */
  slot: string;
  scope: string;
  version: number;
  key: Buffer;
}

const FORMAT = 'v1';
const BINARY_FORMAT = 1;
/** format byte, key id (a uuid), iv, tag */
const BINARY_HEADER = 1 + 36 + 12 + 16;
/** Bus message: a center's keys of a scope were deleted; every node drops them from its cache. */
export const KEYS_DESTROYED = 'crypto.keys-destroyed';
/** How often a node re-checks, before it creates a data key, that nobody rotated the master key under it. */
const STALE_CHECK_MS = 10_000;
/** Unwrapped keys kept in memory (a key per room member adds up); the least recently loaded go first. */
const MAX_CACHED_KEYS = 20_000;
/**
 * During a rotation (MASTER_KEY_PREVIOUS set): how long a node trusts its last look at whether
 * `key:rotate` has begun (a data key wrapped by MASTER_KEY exists). key:rotate waits longer than this
 * before its last pass, so a key a node wrapped with the previous key just before is re-wrapped too.
 */
export const ROTATION_CHECK_MS = 1000;

/**
 * AES-256-GCM at rest: a fresh 12-byte IV per value, a 16-byte tag, associated data
 * `center|table|column|row|key version`, stored as `v1:keyId:iv:tag:ciphertext` (base64url).
 * Data keys (one per center, per client account, per room, per group thread) are wrapped by MASTER_KEY, record the
 * id of the master key that wrapped them, and are cached unwrapped; destroying a scope drops its
 * rows and every node's cache.
 */
@Injectable()
export class CryptoService implements OnModuleInit {
  private readonly logger = new Logger(CryptoService.name);
  private readonly cache = new Map<string, LoadedKey>();
  /** Keys made inside a transaction that has not committed yet, by that transaction (they join `cache` once it commits). */
  private readonly madeInTx = new WeakMap<object, Map<string, LoadedKey>>();
  private readonly byId = new Map<string, LoadedKey>();
  private readonly keyId: string;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private readonly previousKey: Buffer | null;
  private readonly previousId: string | null;
  private rotationBegun = false;
  private rotationCheckedAt = Number.NEGATIVE_INFINITY;

  constructor(
    @Inject(MASTER_KEY) private readonly masterKey: Buffer,
    private readonly keys: DataKeyRepository,
    private readonly bus: ClusterBus,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    @Optional() private readonly tx?: Transactions,
    /** MASTER_KEY_PREVIOUS during a rotation: data keys it wrapped still open (docs/operator-tools.md). */
    @Optional() @Inject(MASTER_KEY_PREVIOUS) previousKey?: Buffer | null,
  ) {
    this.keyId = masterKeyId(masterKey);
    this.previousKey = previousKey ?? null;
    this.previousId = this.previousKey ? masterKeyId(this.previousKey) : null;
  }

  /** Refuses to start with a master key that did not wrap the stored data keys. */
  async onModuleInit(): Promise<void> {
    this.bus.on(KEYS_DESTROYED, (payload) => {
      const { centerId, scope } = payload as { centerId: string; scope: string };
      this.forget(centerId, scope);
    });
    await this.assertMasterKeyCurrent();
  }

  async encrypt(ctx: CipherContext, plaintext: string): Promise<string> {
    const key = await this.currentKey(ctx.centerId, scopeOf(ctx), ctx.fresh === true);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.key, iv);
    cipher.setAAD(aad(ctx, key.version));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, key.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
  }

  async decrypt(ctx: CipherContext, stored: string): Promise<string> {
    const parts = stored.split(':');
    const [format, keyId, iv, tag, ct] = parts;
    try {
      if (parts.length !== 5 || format !== FORMAT || !keyId || iv === undefined || tag === undefined || ct === undefined) {
        throw new Error('malformed ciphertext');
      }
      const key = await this.keyById(ctx.centerId, acceptedScopes(ctx), keyId);
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(aad(ctx, key.version));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      this.logger.error({ table: ctx.table, column: ctx.column, rowId: ctx.rowId, err: (err as Error).message }, 'decryption failed');
      throw new DomainError('INTERNAL', 'A stored value could not be decrypted.');
    }
  }

  /**
   * Binary values (document bytes), the same AES-256-GCM and associated data as `encrypt`, stored
   * as bytes: `1 | keyId (36 ASCII) | iv (12) | tag (16) | ciphertext`, 65 bytes more than the plaintext.
   */
  async encryptBytes(ctx: CipherContext, plaintext: Uint8Array): Promise<Buffer> {
    const key = await this.currentKey(ctx.centerId, scopeOf(ctx));
    if (key.id.length !== 36) throw new DomainError('INTERNAL', 'A data key id is not a uuid.');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.key, iv);
    cipher.setAAD(aad(ctx, key.version));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([BINARY_FORMAT]), Buffer.from(key.id, 'latin1'), iv, cipher.getAuthTag(), ct]);
  }

  async decryptBytes(ctx: CipherContext, stored: Uint8Array): Promise<Buffer> {
    const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.length);
    try {
      if (buf.length < BINARY_HEADER || buf[0] !== BINARY_FORMAT) throw new Error('malformed ciphertext');
      const key = await this.keyById(ctx.centerId, acceptedScopes(ctx), buf.subarray(1, 37).toString('latin1'));
      const decipher = createDecipheriv('aes-256-gcm', key.key, buf.subarray(37, 49));
      decipher.setAAD(aad(ctx, key.version));
      decipher.setAuthTag(buf.subarray(49, BINARY_HEADER));
      return Buffer.concat([decipher.update(buf.subarray(BINARY_HEADER)), decipher.final()]);
    } catch (err) {
      this.logger.error({ table: ctx.table, column: ctx.column, rowId: ctx.rowId, err: (err as Error).message }, 'decryption failed');
      throw new DomainError('INTERNAL', 'A stored value could not be decrypted.');
    }
  }

  /** Destroys a client's own key: what was encrypted with it (also in backups) becomes unreadable. */
  async destroyAccountKey(centerId: string, accountId: string): Promise<void> {
    await this.destroyScope(centerId, `account:${accountId}`);
  }

  /** Destroys a group thread's key (the thread is deleted): its subject and its staff posts become unreadable. */
  async destroyThreadKeys(centerId: string, threadId: string): Promise<void> {
    await this.destroyScope(centerId, `thread:${threadId}`);
  }

  /** Destroys a conversation's keys (the room is deleted): its messages and names become unreadable. */
  async destroyRoomKeys(centerId: string, roomId: string): Promise<void> {
    await this.destroyScope(centerId, `room:${roomId}`);
    await this.destroyScopesLike(centerId, `room:${roomId}:%`);
  }

  /** Destroys the member keys of a room whose messages and members are gone (the room key, for its name, stays). */
  async destroyRoomMemberKeys(centerId: string, roomId: string): Promise<void> {
    await this.destroyScopesLike(centerId, `room:${roomId}:%`);
  }

  /** Destroys a member's keys in every conversation (their account is deleted): what they wrote there becomes unreadable. */
  async destroyMemberKeys(centerId: string, subjectId: string): Promise<void> {
    await this.destroyScopesLike(centerId, `room:%:${subjectId}`);
  }

  private async destroyScope(centerId: string, scope: string): Promise<void> {
    await this.keys.deleteScope(centerId, scope);
    await this.afterCommit(() => this.forgetEverywhere(centerId, scope));
  }

  private async destroyScopesLike(centerId: string, pattern: string): Promise<void> {
    const scopes = await this.keys.deleteScopesLike(centerId, pattern);
    await this.afterCommit(() => scopes.forEach((scope) => this.forgetEverywhere(centerId, scope)));
  }

  /** Inside a transaction the caches keep a key until its deletion is committed (a rollback keeps it, and nobody reloads it early). */
  private afterCommit(fn: () => void): Promise<void> {
    if (this.tx) return this.tx.afterCommit(fn);
    fn();
    return Promise.resolve();
  }

  private forgetEverywhere(centerId: string, scope: string): void {
    this.forget(centerId, scope);
    this.bus.publish(KEYS_DESTROYED, { centerId, scope });
  }

  private forget(centerId: string, scope: string): void {
    const cached = this.cache.get(`${centerId}|${scope}`);
    if (cached) cached.key.fill(0);
    this.cache.delete(`${centerId}|${scope}`);
    for (const [id, v] of this.byId) {
      if (v.scope === scope) {
        v.key.fill(0);
        this.byId.delete(id);
      }
    }
  }

  private async assertMasterKeyCurrent(): Promise<void> {
    const stale = this.previousId ? await this.keys.countWrappedByNone([this.keyId, this.previousId]) : await this.keys.countWrappedByOther(this.keyId);
    if (stale > 0) {
      throw new Error(
        `${stale} data key(s) in the database were wrapped by another master key than MASTER_KEY (id ${this.keyId})` +
          (this.previousId ? ` or MASTER_KEY_PREVIOUS (id ${this.previousId})` : '') +
          '. Set MASTER_KEY to the key of the last `key:rotate` on every node (in file mode: restore data/master.key); ' +
          'during a rotation that is not finished, set MASTER_KEY_PREVIOUS to the old key and run `key:rotate` again.',
      );
    }
    this.checkedAt = this.clock.now().getTime();
  }

  private async currentKey(centerId: string, scope: string, fresh = false): Promise<LoadedKey> {
    const cacheKey = `${centerId}|${scope}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    // made earlier in the open transaction (a new live chat's member key, then its first message)
    const open = this.tx?.scope;
    const madeInThisTx = open ? this.madeInTx.get(open)?.get(cacheKey) : undefined;
    if (madeInThisTx) return madeInThisTx;
    let row = fresh ? null : await this.keys.findCurrent(centerId, scope);
    const creating = !row;
    if (!row) {
      const candidate = await this.newKey(centerId, scope);
      // a fresh scope: nobody else can know it yet, our row is the key (a unique violation falls back below)
      if (fresh && (await this.keys.insertNew(candidate))) row = candidate;
      else {
        // Another node may create it at the same moment: the unique index decides, we re-read.
        await this.keys.insertIfAbsent(candidate);
        row = await this.keys.findCurrent(centerId, scope);
      }
      if (!row) throw new DomainError('INTERNAL', 'A data key could not be created.');
    }
    const loaded = this.load(row);
    if (creating) await this.keep(cacheKey, loaded);
    else {
      this.cache.set(cacheKey, loaded);
      this.remember(loaded);
    }
    return loaded;
  }

  /**
   * The keys of scopes made a moment ago (a new room's name and members), created together: one
   * multi-row insert instead of one per scope. The encryptions with `fresh` that follow find them.
   * Should one of them exist after all (the unique index refuses the insert), nothing is kept here
   * and each encryption takes the usual path.
   */
  async createFreshKeys(contexts: CipherContext[]): Promise<void> {
    const wanted = new Map<string, { centerId: string; scope: string }>();
    for (const ctx of contexts) {
      const scope = scopeOf(ctx);
      const cacheKey = `${ctx.centerId}|${scope}`;
      if (!this.cache.has(cacheKey)) wanted.set(cacheKey, { centerId: ctx.centerId, scope });
    }
    if (wanted.size === 0) return;
    const rows: DataKey[] = [];
    for (const { centerId, scope } of wanted.values()) rows.push(await this.newKey(centerId, scope));
    if (!(await this.keys.insertNewMany(rows))) return;
    for (const row of rows) await this.keep(`${row.centerId}|${row.scope}`, this.load(row));
  }

  /** A new data key for a scope, wrapped by the current master key (not stored yet). */
  private async newKey(centerId: string, scope: string): Promise<DataKey> {
    // A node still holding the old master key after a key:rotate must not wrap new keys with it.
    if (this.clock.now().getTime() - this.checkedAt > STALE_CHECK_MS) await this.assertMasterKeyCurrent();
    const raw = randomBytes(32);
    const wrapper = await this.wrappingKey();
    const wrapped = wrapDataKey(wrapper.key, raw, { centerId, scope, version: 1 });
    raw.fill(0);
    return { id: this.ids.uuid(), centerId, scope, version: 1, wrappedKey: wrapped, masterKeyId: wrapper.id, createdAt: this.clock.now() };
  }

  /**
   * A key this node just created. Inside a transaction (on SQLite part of it) it may roll back with
   * it: cached only once that committed (a rollback never caches it), and until then known to that
   * transaction alone (a new live chat's member key serves its first message without a read).
   */
  private async keep(cacheKey: string, loaded: LoadedKey): Promise<void> {
    const open = this.tx?.scope;
    if (!this.tx || !open) {
      this.cache.set(cacheKey, loaded);
      this.remember(loaded);
      return;
    }
    const made = this.madeInTx.get(open) ?? new Map<string, LoadedKey>();
    made.set(cacheKey, loaded);
    this.madeInTx.set(open, made);
    await this.tx.afterCommit(() => {
      if (this.cache.has(cacheKey)) return;
      this.cache.set(cacheKey, loaded);
      this.remember(loaded);
    });
  }

  private async keyById(centerId: string, scopes: string[], id: string): Promise<LoadedKey> {
    const cached = this.byId.get(id);
    if (cached && scopes.includes(cached.scope)) return cached;
    const row = await this.keys.findById(centerId, id);
    if (!row || !scopes.includes(row.scope)) throw new Error('data key not found');
    const loaded = this.load(row);
    this.remember(loaded);
    return loaded;
  }

  private remember(loaded: LoadedKey): void {
    this.byId.delete(loaded.id);
    this.byId.set(loaded.id, loaded);
    for (const [id, old] of this.byId) {
      if (this.byId.size <= MAX_CACHED_KEYS) break;
      this.byId.delete(id);
      // the current-key entry of that scope may hold the same key: drop it too, it is re-read on demand
      if (this.cache.get(old.slot)?.id === old.id) this.cache.delete(old.slot);
    }
  }

  private load(row: DataKey): LoadedKey {
    return { id: row.id, slot: `${row.centerId}|${row.scope}`, scope: row.scope, version: row.version, key: this.unwrap(row) };
  }

  /** With MASTER_KEY_PREVIOUS, a key wrapped by either master key opens (the row's id says which). */
  private unwrap(row: DataKey): Buffer {
    if (!this.previousKey) return unwrapDataKey(this.masterKey, row);
    if (row.masterKeyId === this.previousId) return unwrapDataKey(this.previousKey, row);
    if (row.masterKeyId !== null) return unwrapDataKey(this.masterKey, row);
    try {
      return unwrapDataKey(this.masterKey, row);
    } catch {
      return unwrapDataKey(this.previousKey, row);
    }
  }

  /**
   * The master key that wraps a new data key. During a rotation, the previous key until `key:rotate`
   * has begun (then MASTER_KEY): in the rolling restart before it, nodes that still run with only the
   * old key must open every key the restarted nodes create. key:rotate re-wraps them all afterwards.
   */
  private async wrappingKey(): Promise<{ key: Buffer; id: string }> {
    const current = { key: this.masterKey, id: this.keyId };
    if (!this.previousKey || !this.previousId) return current;
    const now = this.clock.now().getTime();
    if (!this.rotationBegun && now - this.rotationCheckedAt > ROTATION_CHECK_MS) {
      this.rotationBegun = await this.keys.anyWrappedBy(this.keyId);
      this.rotationCheckedAt = now;
    }
    return this.rotationBegun ? current : { key: this.previousKey, id: this.previousId };
  }
}

/** Wraps a raw data key with a master key (AES-256-GCM, AAD `datakey|center|scope|version`). */
export function wrapDataKey(masterKey: Buffer, raw: Buffer, at: Pick<DataKey, 'centerId' | 'scope' | 'version'>): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(`datakey|${at.centerId}|${at.scope}|${at.version}`));
  const ct = Buffer.concat([cipher.update(raw), cipher.final()]);
  return [iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
}

/** Unwraps a stored data key; a key wrapped by another master key is a clear error, never garbage. */
export function unwrapDataKey(masterKey: Buffer, row: Pick<DataKey, 'id' | 'centerId' | 'scope' | 'version' | 'wrappedKey' | 'masterKeyId'>): Buffer {
  const id = masterKeyId(masterKey);
  if (row.masterKeyId !== null && row.masterKeyId !== id) {
    throw new Error(`data key ${row.id} was wrapped by master key ${row.masterKeyId}, not by the configured one (${id})`);
  }
  const [iv, tag, ct] = row.wrappedKey.split(':');
  if (iv === undefined || tag === undefined || ct === undefined) throw new Error('malformed wrapped key');
  const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(`datakey|${row.centerId}|${row.scope}|${row.version}`));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
}

function scopeOf(ctx: CipherContext): string {
  if ([ctx.roomId, ctx.accountId, ctx.threadId].filter(Boolean).length > 1)
    throw new Error('a value belongs to a room, a thread or an account, not to several');
  if (ctx.threadId) return `thread:${ctx.threadId}`;
  if (ctx.memberId && !ctx.roomId) throw new Error('a member key belongs to a room');
  if (ctx.roomId) return ctx.memberId ? `room:${ctx.roomId}:${ctx.memberId}` : `room:${ctx.roomId}`;
  return ctx.accountId ? `account:${ctx.accountId}` : 'center';
}

/** A room's values written before rooms had their own keys are under the center key (the envelope's keyId says which). */
function acceptedScopes(ctx: CipherContext): string[] {
  const scope = scopeOf(ctx);
  return ctx.roomId ? [scope, 'center'] : [scope];
}

function aad(ctx: CipherContext, version: number): Buffer {
  return Buffer.from(`${ctx.centerId}|${ctx.table}|${ctx.column}|${ctx.rowId}|${version}`);
}
