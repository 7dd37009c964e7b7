import { DomainError } from '../../common/errors';

/** Why an upload is refused; the HTTP filter maps the codes, the message says what to do. */
export const documentErrors = {
  notAPdf: () => new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Only PDF documents can be attached.'),
  empty: () => new DomainError('UNSUPPORTED_MEDIA_TYPE', 'The file is empty.'),
  encrypted: () => new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Password-protected PDFs cannot be attached; please save the document without a password.'),
  activeContent: (what: string) =>
    new DomainError('UNSUPPORTED_MEDIA_TYPE', `The PDF contains ${what}, which is not allowed; please save or print it to a plain PDF first.`),
  tooLarge: (maxBytes: number) =>
    new DomainError('PAYLOAD_TOO_LARGE', `The file is larger than the ${Math.floor(maxBytes / (1024 * 1024)) || 1} MB this center allows.`),
  /** A multipart body that is not one file in the field `file`. */
  badForm: (message = 'Send one file in the form field "file".') => new DomainError('VALIDATION_FAILED', message, ['file']),
};
