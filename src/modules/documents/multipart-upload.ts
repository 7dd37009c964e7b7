import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer, { MulterError, type StorageEngine } from 'multer';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../../common/errors';
import { documentErrors } from './documents.errors';
import { ScratchWriteError, type ScratchDir, type ScratchFile } from './scratch-file';

/** One uploaded file as the service sees it, in memory: no HTTP types (team pictures, at most 5 MB). */
export interface UploadedFile {
  /** The name the browser sent (not trusted: cleaned before it is stored). */
  name: string;
  bytes: Buffer;
}

/** Reads the request's one file, refusing it while it streams once it passes `maxBytes`. */
export type ReadUpload = (maxBytes: number) => Promise<UploadedFile>;

/** One uploaded file on its way to the database, streamed to an encrypted scratch file (documents). */
export interface StreamedUpload {
  /** The name the browser sent (not trusted: cleaned before it is stored). */
  name: string;
  /** The caller owns it from here: `discard()` it in a `finally`, whatever happens. */
  file: ScratchFile;
}

/**
 * Streams the request's one file into a scratch file of `dir`, refusing it while it streams once it
 * passes `maxBytes`; on every refusal the scratch file is removed before the promise rejects.
 */
export type ReadStreamedUpload = (maxBytes: number, dir: ScratchDir) => Promise<StreamedUpload>;

/** The one route that takes multipart/form-data (the app's JSON-only gate lets it through). */
const MULTIPART_ROUTE = /^\/api\/threads\/[^/]+\/documents\/?$/;
export const acceptsMultipart = (method: string, path: string): boolean => method === 'POST' && MULTIPART_ROUTE.test(path);

/**
 * The file in memory (team pictures): `fileSize` caps it (busboy stops at the first byte over the
 * limit), so a body is never held beyond `maxBytes`.
 */
export function multipartReader(req: Request, res: Response): ReadUpload {
  return async (maxBytes) => {
    const file = await readMultipart(req, res, maxBytes, multer.memoryStorage());
    return { name: file.originalname, bytes: file.buffer };
  };
}

/**
 * The file streamed through ScratchStorage (documents): an upload in flight holds a record of
 * the scratch file and the stream buffers, never the file, however large the center's limit.
 */
export function streamingMultipartReader(req: Request, res: Response): ReadStreamedUpload {
  return async (maxBytes, dir) => {
    const storage = new ScratchStorage(dir);
    try {
      const file = await readMultipart(req, res, maxBytes, storage);
      return { name: file.originalname, file: await storage.taken() };
    } catch (err) {
      const gone = storage.discard();
      if (err instanceof Error && cutMidStream.has(err)) {
        // too large or too slow while the client is still sending: answered at once (until the answer
        // arrives the client fills the connection's buffers), the scratch file goes right behind it
        gone.catch((e: unknown) => logger.warn({ err: (e as NodeJS.ErrnoException).code ?? 'unknown' }, 'an upload scratch file could not be removed'));
        throw err;
      }
      // every other refusal: the file is gone before the answer
      await gone;
      throw err;
    }
  };
}

/**
 * multer (busboy underneath) with limits: exactly one part, the file in the field `file`, no other
 * fields, at most `maxBytes`. `guardUpload` answers a body that is too large or too slow at once and
 * cuts the connection a second later (multer alone would drain it to its end).
 */
function readMultipart(req: Request, res: Response, maxBytes: number, storage: StorageEngine): Promise<Express.Multer.File> {
  return new Promise<Express.Multer.File>((resolve, reject) => {
    if (!req.is('multipart/form-data')) {
      reject(new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the document as multipart/form-data with one field "file".'));
      return;
    }
    // settles once: the guard may refuse while multer is still reading, multer may answer afterwards
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      stopGuard();
      fn();
    };
    if (Number(req.headers['content-length']) > maxBytes + MULTIPART_SLACK_BYTES) {
      // refused before the first byte is read
      closeAfterAnswer(req, res);
      reject(documentErrors.tooLarge(maxBytes));
      return;
    }
    const stopGuard = guardUpload(req, res, maxBytes, (err) => settle(() => reject(err)));
    const upload = multer({
      storage,
      limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1, fieldNameSize: 100, headerPairs: 20 },
      defParamCharset: 'utf8',
    }).single('file');
    upload(req, res, (err: unknown) => {
      if (err) {
        settle(() => reject(mapUploadError(err, maxBytes)));
        return;
      }
      const file = req.file;
      if (!file) {
        settle(() => reject(documentErrors.badForm()));
        return;
      }
      settle(() => resolve(file));
    });
  });
}

/**
 * A multer storage engine that pipes the file into a ScratchFile (AES-256-GCM, a key in memory
 * only). `discard` removes the file whatever state the upload is in: before its first byte, while
 * it streams (the writer is stopped), after it was read. Once discarded, the engine no longer
 * answers multer: the request was settled already (a refusal, an abort), and an error from here
 * would make multer drain the rest of a body that the guard means to cut.
 */
class ScratchStorage implements StorageEngine {
  private file: Promise<ScratchFile | null> | null = null;
  private closed = false;

  constructor(private readonly dir: ScratchDir) {}

  _handleFile(_req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    if (this.closed || this.file) {
      // discarded before the part began, or a second file (the limits refuse it first)
      file.stream.resume();
      if (!this.closed) cb(documentErrors.badForm());
      return;
    }
    const made = this.dir.create();
    this.file = made.catch(() => null);
    made
      .then(async (scratch) => {
        if (this.closed) {
          await scratch.discard();
          return;
        }
        await pipeline(file.stream, scratch.createWriter());
        if (!this.closed) cb(null, { size: scratch.size });
      })
      .catch((err: unknown) => {
        file.stream.resume();
        if (!this.closed) cb(err);
      });
  }

  _removeFile(_req: Request, _file: Express.Multer.File, cb: (error: Error | null) => void): void {
    this.discard().then(
      () => cb(null),
      (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
    );
  }

  async taken(): Promise<ScratchFile> {
    const file = await this.file;
    if (!file) throw documentErrors.badForm();
    return file;
  }

  async discard(): Promise<void> {
    this.closed = true;
    await (await this.file)?.discard();
  }
}

const logger = new Logger('Uploads');
/** The refusals of `guardUpload`: the body was cut while it streamed. */
const cutMidStream = new WeakSet<Error>();

/** The multipart envelope around the file (boundaries, part headers, a long file name): allowed on top of the file's limit. */
export const MULTIPART_SLACK_BYTES = 64 * 1024;
/** An upload must bring at least this many bytes in every window (or end): a trickle of a few bytes a second holds no connection. */
export const UPLOAD_MIN_BYTES_PER_WINDOW = 16 * 1024;
export const UPLOAD_WINDOW_MS = 10_000;
/** After a refusal the client gets this long to read the answer before the connection is cut (the rest of the body is never read). */
const CUT_AFTER_ANSWER_MS = 1000;

/**
 * Refuses an upload as soon as it is clear, without reading the rest of the body (multer on its own
 * drains a refused body to its end, which lets a client hold a connection with an endless or
 * trickled one): a body that streams past the limit (a declared Content-Length over it is refused
 * before the first byte, by the caller) at that byte, an upload slower than UPLOAD_MIN_BYTES_PER_WINDOW per
 * UPLOAD_WINDOW_MS when the window ends. The answer carries `Connection: close`; a second later
 * the connection is cut. Returns the function that ends the watch (the upload was read or refused).
 */
function guardUpload(req: Request, res: Response, maxBytes: number, reject: (err: DomainError) => void): () => void {
  const limit = maxBytes + MULTIPART_SLACK_BYTES;
  let received = 0;
  let inWindow = 0;
  let done = false;
  const refuse = (err: DomainError) => {
    if (done) return;
    cutMidStream.add(err);
    stop();
    req.unpipe();
    closeAfterAnswer(req, res);
    reject(err);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    inWindow += chunk.length;
    if (received > limit) refuse(documentErrors.tooLarge(maxBytes));
  };
  const timer = setInterval(() => {
    if (inWindow < UPLOAD_MIN_BYTES_PER_WINDOW) refuse(documentErrors.badForm('The upload was too slow; please try again with a better connection.'));
    inWindow = 0;
  }, UPLOAD_WINDOW_MS);
  timer.unref();
  function stop() {
    done = true;
    clearInterval(timer);
    req.off('data', onData);
    req.off('end', stop);
  }
  req.on('data', onData);
  req.once('end', stop);
  return stop;
}

/** The refusal goes out with `Connection: close`; a moment later the connection is cut, whatever the client still sends. */
export function closeAfterAnswer(req: Request, res: Response): void {
  if (res.headersSent) {
    req.destroy();
    return;
  }
  res.setHeader('Connection', 'close');
  res.once('finish', () => setTimeout(() => req.destroy(), CUT_AFTER_ANSWER_MS).unref());
}

/** multer's and busboy's errors as the contract's codes; the message never carries a stack or internals. */
export function mapUploadError(err: unknown, maxBytes: number): Error {
  if (err instanceof DomainError) return err;
  // the scratch file could not be written (a full disk): the server's failure, logged and answered as INTERNAL
  if (err instanceof ScratchWriteError) return err;
  if (err instanceof MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return documentErrors.tooLarge(maxBytes);
    return documentErrors.badForm();
  }
  // busboy: "Unexpected end of form", "Malformed part header", "Multipart: Boundary not found", an aborted request
  return documentErrors.badForm('The multipart body could not be read; send one file in the form field "file".');
}
