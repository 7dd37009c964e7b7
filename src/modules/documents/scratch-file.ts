import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '../../config/config';

/** Plaintext bytes per record of a scratch file: one record is one stored chunk (CHUNK_BYTES in documents.service). */
export const SCRATCH_RECORD_BYTES = 60 * 1024;
const TAG_BYTES = 16;
const HEAD_BYTES = 5;
const PREFIX = 'upload-';
const SUFFIX = '.part';

/** Writing a scratch file failed (a full disk): the server's failure, never the client's. */
export class ScratchWriteError extends Error {
  constructor(cause: unknown) {
    super(`the upload scratch file could not be written: ${(cause as NodeJS.ErrnoException).code ?? 'unknown error'}`, { cause });
  }
}

/**
 * An upload on its way to the database, on disk instead of in memory: the plaintext is sealed in
 * records of SCRATCH_RECORD_BYTES with AES-256-GCM under a random key that exists only in this
 * object (never on disk, never logged), so the file is unreadable to anyone who finds it and
 * worthless once the process forgets the key. Each record has its own tag and its index as the IV
 * (a key seals one file only), so a record is authenticated before any of its bytes is used, and a
 * record moved or cut off fails. The file is opened once (`wx+`, mode 0600) and read and written
 * through that handle only; `discard` closes and removes it (idempotent).
 */
export class ScratchFile {
  private readonly key = randomBytes(32);
  private written = 0;
  private head = Buffer.alloc(0);
  private discarded: Promise<void> | null = null;
  private writer: Writable | null = null;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  static async create(dir: string): Promise<ScratchFile> {
    const path = join(dir, `${PREFIX}${randomBytes(16).toString('hex')}${SUFFIX}`);
    return new ScratchFile(await open(path, 'wx+', 0o600), path);
  }

  /** Plaintext bytes written so far (the file's size once the writer has finished). */
  get size(): number {
    return this.written;
  }

  /** The first bytes of the plaintext (a PDF starts with `%PDF-`): checked before the whole file is decrypted. */
  get firstBytes(): Buffer {
    return this.head;
  }

  get records(): number {
    return Math.ceil(this.written / SCRATCH_RECORD_BYTES);
  }

  /** A stream that takes the plaintext: it seals and writes a record whenever one is full, and the last one at the end. */
  createWriter(): Writable {
    if (this.writer) throw new Error('a scratch file is written once');
    // sealing copies the record out, so one buffer serves every record
    const record = Buffer.allocUnsafe(SCRATCH_RECORD_BYTES);
    let fill = 0;
    let index = 0;
    const flush = async () => {
      if (fill === 0) return;
      const sealed = this.seal(index, record.subarray(0, fill));
      await this.handle.write(sealed, 0, sealed.length, index * (SCRATCH_RECORD_BYTES + TAG_BYTES)).catch((err: unknown) => {
        throw new ScratchWriteError(err);
      });
      this.written += fill;
      index++;
      fill = 0;
    };
    this.writer = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        void (async () => {
          if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
          let at = 0;
          while (at < chunk.length) {
            const n = Math.min(chunk.length - at, SCRATCH_RECORD_BYTES - fill);
            chunk.copy(record, fill, at, at + n);
            fill += n;
            at += n;
            if (fill === SCRATCH_RECORD_BYTES) await flush();
          }
        })().then(() => done(), done);
      },
      final: (done) => {
        flush().then(() => done(), done);
      },
    });
    return this.writer;
  }

  /** Record `index` decrypted (authenticated as a whole before it is returned). */
  async read(index: number): Promise<Buffer> {
    const plain = Math.min(SCRATCH_RECORD_BYTES, this.written - index * SCRATCH_RECORD_BYTES);
    if (index < 0 || plain <= 0) throw new Error('no such scratch record');
    const sealed = Buffer.allocUnsafe(plain + TAG_BYTES);
    const { bytesRead } = await this.handle.read(sealed, 0, sealed.length, index * (SCRATCH_RECORD_BYTES + TAG_BYTES));
    if (bytesRead !== sealed.length) throw new Error('scratch record cut short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv(index));
    decipher.setAuthTag(sealed.subarray(plain));
    return Buffer.concat([decipher.update(sealed.subarray(0, plain)), decipher.final()]);
  }

  /** The whole plaintext in one array of its own (transferable to a worker): only behind the inspection gate. */
  async readAll(): Promise<Uint8Array> {
    const out = new Uint8Array(this.written);
    for (let i = 0; i < this.records; i++) out.set(await this.read(i), i * SCRATCH_RECORD_BYTES);
    return out;
  }

  /** Stops the writer, closes the handle (after its pending operations) and removes the file; safe to call more than once. */
  discard(): Promise<void> {
    this.discarded ??= (async () => {
      this.writer?.destroy();
      await this.handle.close().catch(() => undefined);
      await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    })();
    return this.discarded;
  }

  private seal(index: number, plain: Buffer): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.key, iv(index));
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
}

function iv(index: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt32BE(index, 8);
  return out;
}

/**
 * `<DATA_DIR>/tmp`, where uploads wait as ScratchFiles. Created (0700) at start, and emptied of
 * scratch files a previous process left behind (a crash, a kill: their keys died with it). Another
 * node starting on a shared data directory may remove the name of a file in flight here: the upload
 * goes on through its open handle, and the space is freed when it is closed.
 */
@Injectable()
export class ScratchDir implements OnModuleInit {
  private readonly logger = new Logger(ScratchDir.name);
  readonly path: string;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'dataDir'>) {
    this.path = join(config.dataDir, 'tmp');
  }

  onModuleInit(): void {
    mkdirSync(this.path, { recursive: true, mode: 0o700 });
    // also when it existed already (made by hand, or by an older version)
    chmodSync(this.path, 0o700);
    const left = this.leftovers();
    for (const name of left) unlinkSync(join(this.path, name));
    if (left.length > 0) this.logger.warn({ removed: left.length }, 'removed upload scratch files left by an earlier process');
  }

  create(): Promise<ScratchFile> {
    return ScratchFile.create(this.path);
  }

  /** The names of the scratch files now in the directory (tests: none after any upload has been answered). */
  leftovers(): string[] {
    return readdirSync(this.path).filter((name) => name.startsWith(PREFIX) && name.endsWith(SUFFIX));
  }
}
