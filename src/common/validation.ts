import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError } from './errors';

function fieldNames(errs: ValidationError[], prefix = ''): string[] {
  return errs.flatMap((e) => {
    const name = prefix ? `${prefix}.${e.property}` : e.property;
    return e.children && e.children.length > 0 ? fieldNames(e.children, name) : [name];
  });
}

/**
 * Whitelist, forbid unknown fields, no implicit conversion: `{"password":{"x":1}}` is refused,
 * not coerced. Answers VALIDATION_FAILED with the offending field names.
 */
export function createValidationPipe(): ValidationPipe {
  return new LotseValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errs) => {
      const fields = [...new Set(fieldNames(errs))];
      return new DomainError('VALIDATION_FAILED', `Invalid or unknown fields: ${fields.join(', ')}.`, fields);
    },
  });
}

/**
 * Refuses an own `__proto__`, `constructor` or `prototype` key anywhere in a body or payload
 * before class-transformer sees it: JSON.parse makes them ordinary own keys, which the whitelist
 * never reports (class-transformer skips them), so they slipped through as accepted unknown fields
 * and would pollute prototypes in any code that merges the object.
 */
class LotseValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // only what came over the wire (a body or a socket payload): never a socket or a request object,
    // whose object graph (the server, every other socket) would be walked on every command
    const key = metadata.type === 'body' || metadata.type === 'query' ? pollutingKey(value) : null;
    if (key) throw new DomainError('VALIDATION_FAILED', `Invalid or unknown fields: ${key}.`, [key]);
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The first own prototype-polluting key in a parsed value, or null. Iterative and bounded (the depth is checked elsewhere). */
export function pollutingKey(value: unknown): string | null {
  const stack: unknown[] = [value];
  for (let seen = 0; stack.length > 0 && seen < 100_000; seen++) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    // parsed JSON holds plain objects and arrays only; anything else is not a payload
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) continue;
    for (const key of Object.keys(v)) {
      if (POLLUTING_KEYS.has(key)) return key;
      const child = (v as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return null;
}

/** Deeper JSON than any Lotse body or payload needs: refused before it reaches class-transformer. */
export const MAX_JSON_DEPTH = 32;
export const TOO_DEEP_MESSAGE = `The request is nested too deeply (at most ${MAX_JSON_DEPTH} levels).`;

/**
 * Nesting depth of raw JSON text above `max`? One pass over the bytes, no parsing and no recursion
 * (string contents are skipped), so it is cheap also for a hostile 64 kB body.
 */
export function jsonTextTooDeep(text: Buffer | string, max = MAX_JSON_DEPTH): boolean {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > max) return true;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return false;
}

/** Nesting depth of parsed values (socket payloads) above `max`? Iterative, so no stack overflow. */
export function valueTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) return true;
    for (const child of Object.values(v as Record<string, unknown>)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}
