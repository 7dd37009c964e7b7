import { dictionary } from '@zxcvbn-ts/language-common';

let list: Set<string> | null = null;

/** The ~49,000 most common passwords of the zxcvbn-ts list (case-insensitive). */
export function isCommonPassword(password: string): boolean {
  list ??= new Set(dictionary.passwords.map((p) => p.toLowerCase()));
  return list.has(password.toLowerCase());
}
