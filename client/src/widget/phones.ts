/** A piece of a crisis text: plain text, or a phone number to render as a `tel:` link. */
export type TextPart = { text: string; tel?: undefined } | { text: string; tel: string };

// German and international numbers: "0800 111 0 111", "+49 30 1234567", the short 110/112/116 xxx.
const PHONE = /(?:\+|\b0)\d[\d \-/]{4,}\d|\b11[0-7](?: ?\d{3})?\b/g;

/** Splits a crisis text into text and phone numbers (the `tel:` target without spaces or dashes). */
export function phoneParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(PHONE)) {
    const i = m.index;
    if (i > last) parts.push({ text: text.slice(last, i) });
    parts.push({ text: m[0], tel: m[0].replace(/[^\d+]/g, '') });
    last = i + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
