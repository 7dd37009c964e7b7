import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { de } from './de';
import { en } from './en';

/**
 * The portal's message catalogues: one per language, German first. A new language (Arabic,
 * Farsi, Turkish, Ukrainian) is a new folder beside `de/` and one entry in CATALOGUES; `dir`
 * in its `meta` sets the document's writing direction.
 */
export type Messages = typeof de;
export type Lang = 'de' | 'en';

export const CATALOGUES: Record<Lang, Messages> = { de, en };
export const LANGS = Object.keys(CATALOGUES) as Lang[];
const KEY = 'lotse.lang';

/** The language: `?lang=` first, then the visitor's own earlier choice, then the browser's, else German. */
export function pickLang(query: string | null, stored: string | null, browser: readonly string[]): Lang {
  for (const candidate of [query, stored, ...browser]) {
    const short = (candidate ?? '').slice(0, 2).toLowerCase();
    if ((LANGS as string[]).includes(short)) return short as Lang;
  }
  return 'de';
}

export function storedLang(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

/** Sets `lang` and `dir` on the document, so screen readers pronounce the right language. */
export function applyLang(t: Messages): void {
  document.documentElement.lang = t.meta.lang;
  document.documentElement.dir = t.meta.dir;
}

export const I18n = createContext<{ t: Messages; lang: Lang; setLang: (lang: Lang) => void }>({ t: de, lang: 'de', setLang: () => undefined });

export function useI18n() {
  return useContext(I18n);
}
