import { PDFArray, PDFDict, PDFDocument, PDFName, PDFObject, PDFStream, ParseSpeeds } from '@cantoo/pdf-lib';
import { documentErrors } from './documents.errors';

/**
 * Names that make a PDF more than a document: scripts, actions that start programs, files carried
 * inside, interactive media and XFA forms (which run their own scripts). Each is refused wherever it
 * appears — as a key or as a value, in any indirect object, also inside compressed object streams.
 */
const FORBIDDEN: ReadonlyMap<string, string> = new Map([
  ['JS', 'JavaScript'],
  ['JavaScript', 'JavaScript'],
  ['Launch', 'a launch action'],
  ['EmbeddedFiles', 'an embedded file'],
  ['EmbeddedFile', 'an embedded file'],
  ['FileAttachment', 'an embedded file'],
  ['GoToE', 'an embedded file'],
  ['RichMedia', 'interactive media'],
  ['XFA', 'an XFA form'],
]);

/**
 * The long names are also looked for in the raw bytes (name escapes decoded): a reader that follows
 * the cross-reference table may pick an earlier revision of an object than the one pdf-lib kept.
 * `/JS` is left to the object walk: three bytes occur by chance in compressed data.
 */
const RAW_NAME = /\/((?:[A-Za-z]|#[0-9A-Fa-f]{2}){3,40})(?=[\s/[\]<>(){}%]|$)/g;
const RAW_FORBIDDEN = new Set([...FORBIDDEN.keys()].filter((name) => name !== 'JS'));

const HEADER = Buffer.from('%PDF-', 'latin1');

/** The first check of inspectPdf: a PDF begins with `%PDF-` (also usable on the first bytes alone). */
export function startsLikePdf(first: Uint8Array): boolean {
  return Buffer.from(first.buffer, first.byteOffset, Math.min(first.length, HEADER.length)).equals(HEADER);
}

/**
 * Accepts only a real, inspectable PDF without active content; throws `UNSUPPORTED_MEDIA_TYPE`
 * (a `DomainError`) with the reason otherwise. Recognised by its bytes, never by name or type.
 */
export async function inspectPdf(bytes: Uint8Array): Promise<void> {
  if (bytes.length === 0) throw documentErrors.empty();
  if (!startsLikePdf(bytes)) throw documentErrors.notAPdf();
  scanRawNames(bytes);
  refuseTrailingData(bytes);
  const doc = await parse(bytes);
  const { context } = doc;
  if (context.trailerInfo.Encrypt !== undefined || doc.isEncrypted) throw documentErrors.encrypted();
  if (!(context.lookup(context.trailerInfo.Root) instanceof PDFDict)) throw documentErrors.notAPdf();
  for (const [, object] of context.enumerateIndirectObjects()) walk(object, new Set());
  for (const value of Object.values(context.trailerInfo)) if (value instanceof PDFObject) walk(value, new Set());
  if (pageCount(doc) === 0) throw documentErrors.notAPdf();
}

async function parse(bytes: Uint8Array): Promise<PDFDocument> {
  try {
    // ignoreEncryption: an encrypted file is refused with its own reason below, not as "not a PDF"
    return await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, parseSpeed: ParseSpeeds.Fast });
  } catch {
    throw documentErrors.notAPdf();
  }
}

function pageCount(doc: PDFDocument): number {
  try {
    return doc.getPageCount();
  } catch {
    return 0;
  }
}

const EOF_MARK = Buffer.from('%%EOF', 'latin1');

/**
 * A PDF ends with `%%EOF` (an incremental update ends with its own); only whitespace or NUL
 * padding may follow. Anything else is another file riding along — an HTML page, a ZIP archive —
 * that a reader ignores and another program opens: a polyglot.
 */
function refuseTrailingData(bytes: Uint8Array): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const at = buf.lastIndexOf(EOF_MARK);
  if (at < 0) throw documentErrors.notAPdf();
  for (let i = at + EOF_MARK.length; i < buf.length; i++) {
    const b = buf[i]!;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0x0c && b !== 0x00) throw documentErrors.trailingData();
  }
}

function scanRawNames(bytes: Uint8Array): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  for (const match of text.matchAll(RAW_NAME)) {
    const name = (match[1] ?? '').replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (RAW_FORBIDDEN.has(name)) refuse(name);
  }
}

/** Visits names in dictionaries (keys and values), arrays and stream dictionaries; references are visited as their own objects. */
function walk(object: PDFObject, seen: Set<PDFObject>): void {
  if (seen.has(object)) return;
  seen.add(object);
  if (object instanceof PDFName) {
    check(object);
  } else if (object instanceof PDFDict) {
    for (const [key, value] of object.entries()) {
      check(key);
      walk(value, seen);
    }
  } else if (object instanceof PDFArray) {
    for (const value of object.asArray()) walk(value, seen);
  } else if (object instanceof PDFStream) {
    walk(object.dict, seen);
  }
  // a PDFRef is not followed: every indirect object is walked by itself
}

function check(name: PDFName): void {
  const decoded = name.decodeText();
  if (FORBIDDEN.has(decoded)) refuse(decoded);
}

function refuse(name: string): never {
  throw documentErrors.activeContent(FORBIDDEN.get(name) ?? name);
}
