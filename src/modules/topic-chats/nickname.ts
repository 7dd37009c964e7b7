import { foldCase, hasInvisible, nameSkeleton } from '../../common/names';

/**
 * Nickname folding for topic chats: two nicknames that look alike get the same key. The UTS #39
 * confusable skeleton (src/common/names.ts: NFKC, case folding, confusables.txt) with marks
 * stripped, then the digits and signs that pass for letters folded, and separators, spaces and
 * punctuation dropped.
 */
// Look-alikes beyond confusables.txt (kept from before the skeleton, harmless on top of it).
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  з: 'e',
  і: 'l',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  ԁ: 'd',
  ɡ: 'g',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'l',
  κ: 'k',
  μ: 'u',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ı: 'l',
  ł: 'l',
  // i, I, l, 1 and | pass for each other in many fonts
  i: 'l',
  '0': 'o',
  '1': 'l',
  '3': 'e',
  '5': 's',
  '|': 'l',
  '!': 'l',
  $: 's',
  '@': 'a',
  ß: 'ss',
};

export function foldNickname(nickname: string): string {
  const base = foldCase(nameSkeleton(nickname).replace(/\p{M}/gu, '').normalize('NFKC'));
  let out = '';
  for (const ch of base) out += CONFUSABLES[ch] ?? ch;
  // separators, spaces and invisible characters do not make a name different
  return out.replace(/[\s\p{P}\p{S}\p{Cf}\p{Z}_]/gu, '');
}

/** Words that only staff may use in a name (checked on the folded form). */
const STAFF_WORDS = ['berater', 'beratung', 'counselor', 'counsellor', 'moderator', 'admin', 'team', 'staff', 'support', 'therapeut', 'lotse'].map(
  foldNickname,
);

/** A reason the nickname is refused, or null when it is fine. */
export function nicknameProblem(nickname: string, staffNames: string[]): string | null {
  const trimmed = nickname.trim();
  if ([...trimmed].length < 2 || [...trimmed].length > 40) return 'A nickname has 2–40 characters.';
  if (/\p{C}/u.test(trimmed) || hasInvisible(trimmed)) return 'A nickname may not contain control or invisible characters.';
  const key = foldNickname(trimmed);
  if (key.length < 2) return 'A nickname needs at least two letters or digits.';
  if (STAFF_WORDS.some((w) => key.includes(w)) || staffNames.some((n) => foldNickname(n) === key)) {
    return 'This nickname could be mistaken for the center staff. Please choose another one.';
  }
  return null;
}
