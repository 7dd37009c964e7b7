import { ValidationError, ValidationPipe } from '@nestjs/common';
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
  return new ValidationPipe({
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
