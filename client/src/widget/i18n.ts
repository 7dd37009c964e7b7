import { widget as de } from '../i18n/de/widget';
import { widget as en } from '../i18n/en/widget';

/** The widget's texts live in the catalogue's widget area (client/src/i18n/{de,en}/widget.ts). */
export type Dict = typeof de;

/** German by default, English when the host page's language starts with "en". */
export function pickDict(lang: string | null | undefined): { t: Dict; lang: 'de' | 'en' } {
  return (lang ?? '').toLowerCase().startsWith('en') ? { t: en, lang: 'en' } : { t: de, lang: 'de' };
}
