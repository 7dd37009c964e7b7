import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ErrorBody, ErrorCode } from '../realtime/contract';
import { DomainError, HTTP_STATUS_OF } from './errors';
import { TOO_DEEP_MESSAGE } from './validation';

/** The one HTTP mapping of errors: `{ error: { code, message } }`, never a stack trace. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    sendErrorBody(host.switchToHttp().getResponse<Response>(), exception, this.logger);
  }
}

const fallbackLogger = new Logger('HttpError');

/** The filter's answer, also for the routes answered before Nest's router (the live status fast path). */
export function sendErrorBody(res: Response, exception: unknown, logger: Logger = fallbackLogger): void {
  const body = toErrorBody(exception, logger);
  if (body.retryAfterMs !== undefined) res.setHeader('Retry-After', String(Math.ceil(body.retryAfterMs / 1000)));
  // a route's own headers describe its file (text/calendar, attachment), not this error body
  res.removeHeader('Content-Disposition');
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.status(HTTP_STATUS_OF[body.code]).json({ error: body });
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'VALIDATION_FAILED',
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHORIZED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.CONFLICT]: 'CONFLICT',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'UNSUPPORTED_MEDIA_TYPE',
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMITED',
};

/** Shared by the HTTP and WS filters. Unknown errors are logged with context and answered INTERNAL. */
export function toErrorBody(exception: unknown, logger: Logger): ErrorBody {
  if (exception instanceof DomainError) return exception.toBody();
  if (exception instanceof HttpException) {
    const status: number = exception.getStatus();
    const code = STATUS_CODES[status];
    if (code) {
      const message = status === 400 ? 'The request body is not valid JSON.' : status === 404 ? 'Not found.' : exception.message;
      return { code, message };
    }
  }
  // body-parser errors carry a status and a type, not an HttpException
  const parserError = exception as { type?: string; status?: number };
  if (parserError?.type === 'entity.too.large') return { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' };
  if (parserError?.type === 'entity.parse.failed') return { code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON.' };
  if (parserError?.type === 'entity.too.deep') return { code: 'VALIDATION_FAILED', message: TOO_DEEP_MESSAGE };
  if (parserError?.type === 'encoding.unsupported' || parserError?.status === 415)
    return { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content type.' };
  logger.error(
    { err: exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : String(exception) },
    'unhandled error',
  );
  return { code: 'INTERNAL', message: 'Something went wrong on our side. Please try again.' };
}
