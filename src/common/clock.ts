import { randomBytes, randomUUID } from 'node:crypto';

/** Injected time, so expiry, queues and schedules are testable without sleeping. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** Injected ids and randomness. */
export abstract class IdGenerator {
  abstract uuid(): string;
  abstract token(bytes?: number): string;
}

export class RandomIdGenerator extends IdGenerator {
  uuid(): string {
    return randomUUID();
  }
  token(bytes = 32): string {
    return randomBytes(bytes).toString('base64url');
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Guards ids before they reach the ORM: `findOneBy({ id: undefined })` would return the first row. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}
