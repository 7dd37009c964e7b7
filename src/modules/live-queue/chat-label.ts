import { createHash } from 'node:crypto';

/**
 * Words for chat labels: short, neutral, easy to tell apart when read aloud or at a glance (no two
 * share their first three letters), and free of any meaning about the person.
 */
const WORDS = [
  'Ahorn',
  'Birke',
  'Dahlie',
  'Eiche',
  'Farn',
  'Ginster',
  'Hasel',
  'Iris',
  'Jasmin',
  'Kiefer',
  'Lavendel',
  'Mohn',
  'Nelke',
  'Olive',
  'Pappel',
  'Quitte',
  'Rose',
  'Salbei',
  'Tanne',
  'Ulme',
  'Veilchen',
  'Weide',
  'Zeder',
  'Minze',
  'Lilie',
  'Efeu',
  'Buche',
  'Aster',
  'Distel',
  'Erle',
  'Flieder',
  'Holunder',
];

/**
 * A short, distinguishable name of a live chat, derived from its room id (so every node and every
 * reload shows the same one): a word and a number 10–99, e.g. "Birke 42". It tells nothing about the
 * visitor; it only lets a counselor with several chats say which one they mean.
 */
export function chatLabel(roomId: string): string {
  const h = createHash('sha256').update(roomId).digest();
  return `${WORDS[h[0]! % WORDS.length]!} ${10 + (h.readUInt16BE(1) % 90)}`;
}
