import unhomoglyph from 'unhomoglyph';

/**
 * Names people choose: one normal form for logins, the invisible characters no name may carry,
 * and the look-alike skeleton that decides whether two names can be told apart (docs/names.md).
 */

/**
 * Full case folding. JavaScript has no `casefold()`; upper- then lower-casing (root locale) maps
 * every character that Unicode's full case folding (CaseFolding.txt, status C+F) maps to the same
 * result — ß → ss, ſ → s, ﬃ → ffi, ς → σ, K (Kelvin) → k — and is coarser only where folding
 * keeps a few letters apart (dotless ı becomes i). Coarser is safe for logins: two spellings that
 * fold alike are one login.
 */
export function foldCase(value: string): string {
  return value.toUpperCase().toLowerCase();
}

/**
 * The one normal form of a login (staff email, client pseudonym): trimmed, NFKC, case-folded and
 * NFKC again (case mapping can produce unnormalised sequences). Applied before storing, before
 * looking up and before keying a limiter, so spelling variants — composed or decomposed, upper or
 * lower case, fullwidth — are one login everywhere. The database compares it byte for byte.
 */
export function normalizeLogin(login: string): string {
  return foldCase(login.trim().normalize('NFKC')).normalize('NFKC');
}

/**
 * Characters that no name may contain: controls, format characters (zero-width space and joiners,
 * the bidi embeddings, overrides, isolates and marks, the soft hyphen), private use, lone
 * surrogates and every default-ignorable code point (Hangul fillers, variation selectors, tag
 * characters), which render as nothing and make one name look like another.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

export function hasInvisible(name: string): boolean {
  return INVISIBLE.test(name);
}

/** Bidi embeddings, overrides, isolates and marks: they reverse or reorder the text around them. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

export function stripBidiControls(value: string): string {
  return value.replace(BIDI_CONTROLS, '');
}

/** UTS #39: skeleton(X) = NFD(map(NFD(X))) with Unicode's confusables.txt (the `unhomoglyph` package). */
function skeleton(value: string): string {
  return unhomoglyph(value.normalize('NFD')).normalize('NFD');
}

/**
 * The UTS #39 confusable skeleton of a name, case-insensitively. The skeleton itself is
 * case-sensitive — Greek capital Μ maps to M but small μ does not, capital I maps to l but small
 * i does not, small m maps to rn but capital M does not — so it is taken on the name as typed, on
 * its upper case and on its folded form: fold(skel(fold(skel(upper(skel(NFKC(name))))))). Two
 * names with the same result look alike: "аnna" (Cyrillic а) and "anna", "ΑDMIN" (Greek Α) and
 * "admin", "Ｂｅｎ" and "ben", "Mila" and "Μila".
 */
export function nameSkeleton(name: string): string {
  const typed = skeleton(name.normalize('NFKC'));
  return foldCase(skeleton(foldCase(skeleton(typed.toUpperCase())))).normalize('NFD');
}

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

/**
 * The key two names are told apart by: the skeleton with marks stripped, the digits and signs that
 * pass for letters folded, and separators, spaces and punctuation dropped ("Mila", "M1la",
 * "mi-la" and "МILА" are one key).
 */
export function lookAlikeKey(name: string): string {
  const base = foldCase(nameSkeleton(name).replace(/\p{M}/gu, '').normalize('NFKC'));
  let out = '';
  for (const ch of base) out += CONFUSABLES[ch] ?? ch;
  // separators, spaces and invisible characters do not make a name different
  return out.replace(/[\s\p{P}\p{S}\p{Cf}\p{Z}_]/gu, '');
}

/** Words that only staff may use in a name (checked on the folded form). */
const STAFF_WORDS = ['berater', 'beratung', 'counselor', 'counsellor', 'moderator', 'admin', 'team', 'staff', 'support', 'therapeut', 'lotse'].map(
  lookAlikeKey,
);

/** Could the name be taken for the center's staff: a staff word in it, or a staff name's look-alike? */
export function looksLikeStaff(name: string, staffNames: string[]): boolean {
  const key = lookAlikeKey(name);
  return STAFF_WORDS.some((w) => key.includes(w)) || staffNames.some((n) => lookAlikeKey(n) === key);
}
