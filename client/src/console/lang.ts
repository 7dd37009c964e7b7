import { consoleTexts as de } from '../i18n/de/console';
import { consoleTexts as en } from '../i18n/en/console';

/** The console's texts: the catalogue's `console` area (client/src/i18n/{de,en}/console.ts). */
export type ConsoleDict = typeof de;

/** /console.html: German by default, English with `?lang=en` or an English browser. */
export function pickConsoleDict(lang: string | null | undefined): { t: ConsoleDict; lang: 'de' | 'en' } {
  return (lang ?? '').toLowerCase().startsWith('en') ? { t: en, lang: 'en' } : { t: de, lang: 'de' };
}
