import { Inject, Injectable, Logger } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Clock, IdGenerator } from '../../common/clock';
import { DomainError } from '../../common/errors';
import { DataKeyRepository } from './data-key.repository';
import { MASTER_KEY } from './master-key';

/** Where a value lives; bound into the ciphertext as associated data so it cannot be moved. */
export interface CipherContext {
  centerId: string;
  /** Encrypt with the client's own key (deleted with the account) instead of the center key. */
  accountId?: string;
  table: string;
  column: string;
  rowId: string;
}

interface LoadedKey {
  id: string;
  version: number;
  key: Buffer;
}

const FORMAT = 'v1';

/**
 * AES-256-GCM at rest: a fresh 12-byte IV per value, a 16-byte tag, associated data
 * `center|table|column|row|key version`, stored as `v1:keyId:iv:tag:ciphertext` (base64url).
 * Data keys (one per center, one per client account) are wrapped by MASTER_KEY and cached unwrapped.
 */
@Injectable()
export class CryptoService {
  private readonly logger = new Logger(CryptoService.name);
  private readonly cache = new Map<string, LoadedKey>();
  private readonly byId = new Map<string, LoadedKey>();

  constructor(
    @Inject(MASTER_KEY) private readonly masterKey: Buffer,
    private readonly keys: DataKeyRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async encrypt(ctx: CipherContext, plaintext: string): Promise<string> {
    const key = await this.currentKey(ctx.centerId, scopeOf(ctx));
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
      const key = await this.keyById(ctx.centerId, scopeOf(ctx), keyId);
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(aad(ctx, key.version));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      this.logger.error({ table: ctx.table, column: ctx.column, rowId: ctx.rowId, err: (err as Error).message }, 'decryption failed');
      throw new DomainError('INTERNAL', 'A stored value could not be decrypted.');
    }
  }

  /** Destroys a client's own key: what was encrypted with it (also in backups) becomes unreadable. */
  async destroyAccountKey(centerId: string, accountId: string): Promise<void> {
    const scope = `account:${accountId}`;
    await this.keys.deleteScope(centerId, scope);
    for (const [k, v] of this.cache) {
      if (k === `${centerId}|${scope}`) {
        this.cache.delete(k);
        this.byId.delete(v.id);
      }
    }
  }

  private async currentKey(centerId: string, scope: string): Promise<LoadedKey> {
    const cacheKey = `${centerId}|${scope}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    let row = await this.keys.findCurrent(centerId, scope);
    if (!row) {
      const raw = randomBytes(32);
      const id = this.ids.uuid();
      const wrapped = this.wrap(raw, centerId, scope, 1);
      // Another node may create it at the same moment: the unique index decides, we re-read.
      await this.keys.insertIfAbsent({ id, centerId, scope, version: 1, wrappedKey: wrapped, createdAt: this.clock.now() });
      row = await this.keys.findCurrent(centerId, scope);
      if (!row) throw new DomainError('INTERNAL', 'A data key could not be created.');
    }
    const loaded = { id: row.id, version: row.version, key: this.unwrap(row.wrappedKey, centerId, scope, row.version) };
    this.cache.set(cacheKey, loaded);
    this.byId.set(loaded.id, loaded);
    return loaded;
  }

  private async keyById(centerId: string, scope: string, id: string): Promise<LoadedKey> {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const row = await this.keys.findById(centerId, scope, id);
    if (!row) throw new Error('data key not found');
    const loaded = { id: row.id, version: row.version, key: this.unwrap(row.wrappedKey, centerId, scope, row.version) };
    this.byId.set(id, loaded);
    return loaded;
  }

  private wrap(raw: Buffer, centerId: string, scope: string, version: number): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(Buffer.from(`datakey|${centerId}|${scope}|${version}`));
    const ct = Buffer.concat([cipher.update(raw), cipher.final()]);
    return [iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
  }

  private unwrap(wrapped: string, centerId: string, scope: string, version: number): Buffer {
    const [iv, tag, ct] = wrapped.split(':');
    if (iv === undefined || tag === undefined || ct === undefined) throw new Error('malformed wrapped key');
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`datakey|${centerId}|${scope}|${version}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
  }
}

function scopeOf(ctx: CipherContext): string {
  return ctx.accountId ? `account:${ctx.accountId}` : 'center';
}

function aad(ctx: CipherContext, version: number): Buffer {
  return Buffer.from(`${ctx.centerId}|${ctx.table}|${ctx.column}|${ctx.rowId}|${version}`);
}
