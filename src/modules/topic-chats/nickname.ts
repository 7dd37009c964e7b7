import { hasInvisible, lookAlikeKey, looksLikeStaff } from '../../common/names';

/** Topic-chat nicknames: their uniqueness key and the reasons one is refused (docs/names.md). */
export const foldNickname = lookAlikeKey;

/** A reason the nickname is refused, or null when it is fine. */
export function nicknameProblem(nickname: string, staffNames: string[]): string | null {
  const trimmed = nickname.trim();
  if ([...trimmed].length < 2 || [...trimmed].length > 40) return 'A nickname has 2–40 characters.';
  if (/\p{C}/u.test(trimmed) || hasInvisible(trimmed)) return 'A nickname may not contain control or invisible characters.';
  if (foldNickname(trimmed).length < 2) return 'A nickname needs at least two letters or digits.';
  if (looksLikeStaff(trimmed, staffNames)) return 'This nickname could be mistaken for the center staff. Please choose another one.';
  return null;
}
