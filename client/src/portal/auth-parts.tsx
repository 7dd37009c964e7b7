import type { Messages } from '../i18n';

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** What is wrong with a password before it is sent (empty, short, long), or null. */
export function localPasswordProblem(t: Messages, password: string): string | null {
  if (password === '') return t.auth.errPasswordRequired;
  if ([...password].length < 8) return t.auth.errPasswordShort;
  if (bytes(password) > 72) return t.auth.errPasswordLong;
  return null;
}

/** Why the server refused a password (VALIDATION_FAILED on its field): the one rule left is "too common". */
export function refusedPasswordText(t: Messages, password: string): string {
  return localPasswordProblem(t, password) ?? t.auth.errPasswordCommon;
}
