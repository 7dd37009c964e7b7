import { stripBidiControls } from '../../common/names';

const MAX_NAME = 200;

/**
 * The stored name of an upload: the last path segment, Unicode NFC, no control, format or bidi
 * characters, no characters that file systems refuse, at most 200 characters, always ending in
 * `.pdf` (the bytes were checked to be a PDF, so the name says so too).
 */
export function cleanDocumentName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  let name = stripBidiControls(base.normalize('NFC'))
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  if (!/\.pdf$/i.test(name)) name = `${name.replace(/\.+$/, '')}.pdf`;
  if (name === '.pdf') name = 'document.pdf';
  if ([...name].length > MAX_NAME) name = `${[...name].slice(0, MAX_NAME - 4).join('')}.pdf`;
  return name;
}

/**
 * `attachment` with an ASCII fallback `filename` and the exact name as `filename*` (RFC 6266 /
 * RFC 8187): no quote, backslash or line break can end up in the header.
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
