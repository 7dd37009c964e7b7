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
 * busboy stops at the first byte over it. multer drains the rest of a refused body before the
 * answer, so the client reads the error instead of a reset connection.
 */
export function multipartReader(req: Request, res: Response): ReadUpload {
  return (maxBytes) =>
    new Promise<UploadedFile>((resolve, reject) => {
      if (!req.is('multipart/form-data')) {
        reject(new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the document as multipart/form-data with one field "file".'));
        return;
      }
      const upload = multer({
        storage: multer.memoryStorage(),
        limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1, fieldNameSize: 100, headerPairs: 20 },
        defParamCharset: 'utf8',
      }).single('file');
      upload(req, res, (err: unknown) => {
        if (err) {
          reject(mapUploadError(err, maxBytes));
          return;
        }
        const file = req.file;
        if (!file) {
          reject(documentErrors.badForm());
          return;
        }
        resolve({ name: file.originalname, bytes: file.buffer });
      });
    });
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
