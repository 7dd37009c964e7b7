import { DomainError } from '../../common/errors';

/** Why an upload is refused; the HTTP filter maps the codes, the message says what to do. */
export const documentErrors = {
  notAPdf: () => new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Only PDF documents can be attached.'),
  empty: () => new DomainError('UNSUPPORTED_MEDIA_TYPE', 'The file is empty.'),
  encrypted: () => new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Password-protected PDFs cannot be attached; please save the document without a password.'),
  activeContent: (what: string) =>
    new DomainError('UNSUPPORTED_MEDIA_TYPE', `The PDF contains ${what}, which is not allowed; please save or print it to a plain PDF first.`),
  /** A compression bomb, deeply nested objects, or a file that takes too long to check (pdf-sandbox.ts limits). */
  tooComplex: () =>
    new DomainError('UNSUPPORTED_MEDIA_TYPE', 'The PDF expands too far or is too complex to be checked; please save or print it to a plain PDF first.'),
  tooLarge: (maxBytes: number) => new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${formatBytes(maxBytes)} this center allows.`),
  /** The account's uploads of today (the center's calendar day) are used up; `retryAfterMs` says when the next day begins. */
  quotaReached: (retryAfterMs: number) =>
    new DomainError(
      'RATE_LIMITED',
      "You have reached today's limit for documents; you can upload again tomorrow.",
      undefined,
      Math.max(1000, Math.ceil(retryAfterMs)),
    ),
  /** A multipart body that is not one file in the field `file`. */
  badForm: (message = 'Send one file in the form field "file".') => new DomainError('VALIDATION_FAILED', message, ['file']),
  /** Bytes after the last `%%EOF` (an HTML page, a ZIP archive: a polyglot). */
  trailingData: () =>
    new DomainError('UNSUPPORTED_MEDIA_TYPE', 'The file carries other data after the end of the PDF; please save or print it to a plain PDF first.'),
};

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MB` : `${Math.ceil(n / 1024)} KB`;
}
