import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import { DomainError } from '../../common/errors';
import { documentErrors } from './documents.errors';

/** One uploaded file as the service sees it: no HTTP types. */
export interface UploadedFile {
  /** The name the browser sent (not trusted: cleaned before it is stored). */
  name: string;
  bytes: Buffer;
}

/** Reads the request's one file, refusing it while it streams once it passes `maxBytes`. */
export type ReadUpload = (maxBytes: number) => Promise<UploadedFile>;

/** The one route that takes multipart/form-data (the app's JSON-only gate lets it through). */
const MULTIPART_ROUTE = /^\/api\/threads\/[^/]+\/documents\/?$/;
export const acceptsMultipart = (method: string, path: string): boolean => method === 'POST' && MULTIPART_ROUTE.test(path);

/**
 * multer (busboy underneath) with limits: exactly one part, the file in the field `file`, no other
 * fields, at most `maxBytes`. Memory storage is acceptable only because `fileSize` caps it: a body
 * is never held beyond the center's limit (default 10 MiB; the settings allow at most 100 MiB), and
 * busboy stops at the first byte over it. `guardUpload` answers a body that is too large or too
 * slow at once and cuts the connection a second later (multer alone would drain it to its end).
 */
export function multipartReader(req: Request, res: Response): ReadUpload {
  return (maxBytes) =>
    new Promise<UploadedFile>((resolve, reject) => {
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
        storage: multer.memoryStorage(),
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
        settle(() => resolve({ name: file.originalname, bytes: file.buffer }));
      });
    });
}

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
export function mapUploadError(err: unknown, maxBytes: number): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return documentErrors.tooLarge(maxBytes);
    return documentErrors.badForm();
  }
  // busboy: "Unexpected end of form", "Malformed part header", "Multipart: Boundary not found", an aborted request
  return documentErrors.badForm('The multipart body could not be read; send one file in the form field "file".');
}
