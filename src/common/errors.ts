import { HttpStatus } from '@nestjs/common';
import type { ErrorBody, ErrorCode } from '../realtime/contract';

export type { ErrorCode } from '../realtime/contract';

/** The one exception type that domain code throws. Mapped to a transport in one place each. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: string[],
    /** RATE_LIMITED: when a retry can succeed. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { code: this.code, message: this.message };
    if (this.fields) body.fields = this.fields;
    if (this.retryAfterMs !== undefined) body.retryAfterMs = this.retryAfterMs;
    return body;
  }
}

/** The compiler keeps this complete: a new code without a status does not build. */
export const HTTP_STATUS_OF: Record<ErrorCode, HttpStatus> = {
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  CONFLICT: HttpStatus.CONFLICT,
  LIVE_CLOSED: HttpStatus.CONFLICT,
  QUEUE_FULL: HttpStatus.CONFLICT,
  ALREADY_WAITING: HttpStatus.CONFLICT,
  TOPIC_NOT_OPEN: HttpStatus.CONFLICT,
  TOPIC_FULL: HttpStatus.CONFLICT,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  VIDEO_NOT_CONFIGURED: HttpStatus.SERVICE_UNAVAILABLE,
  INTERNAL: HttpStatus.INTERNAL_SERVER_ERROR,
};

export const errors = {
  unauthorized: (message = 'A valid token is required.') => new DomainError('UNAUTHORIZED', message),
  forbidden: (message = 'You may not do this.') => new DomainError('FORBIDDEN', message),
  notFound: (what = 'The resource') => new DomainError('NOT_FOUND', `${what} was not found.`),
  validation: (message: string, fields: string[] = []) => new DomainError('VALIDATION_FAILED', message, fields),
  conflict: (message: string) => new DomainError('CONFLICT', message),
  /** Says when to retry: in the message (seconds), as `retryAfterMs` and, over REST, as `Retry-After`. */
  rateLimited: (msBeforeNext: number) => {
    const retryAfterMs = Math.max(1000, Math.ceil(msBeforeNext));
    return new DomainError('RATE_LIMITED', `Too many attempts. Please wait ${Math.ceil(retryAfterMs / 1000)} seconds.`, undefined, retryAfterMs);
  },
};
