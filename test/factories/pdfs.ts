import { PDFDocument, PDFName, PDFString, StandardFonts } from '@cantoo/pdf-lib';
import { deflateSync } from 'node:zlib';

/** PDFs (and things that are not) for the upload tests, made with pdf-lib in the test itself. */

/** The visible text of `cleanPdf()`: a test looks for it in the database and the data directory. */
export const PDF_TEXT = 'Lotse confidential letter';

/** One page whose content stream is written uncompressed: "the text is not in the database" must be able to fail. */
async function page(text = PDF_TEXT): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const leaf = doc.addPage([300, 200]).node;
  leaf.set(PDFName.of('Resources'), doc.context.obj({ Font: { F1: font.ref } }));
  leaf.set(PDFName.of('Contents'), doc.context.register(doc.context.stream(`BT /F1 12 Tf 20 100 Td (${text}) Tj ET`)));
  return doc;
}

/** Saved without object streams, so that every object is in the bytes as written. */
async function plain(doc: PDFDocument): Promise<Buffer> {
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

export async function cleanPdf(text = PDF_TEXT): Promise<Buffer> {
  return plain(await page(text));
}

/** A document with an /OpenAction that runs JavaScript; `objectStreams` hides the action in a compressed object stream. */
export async function javaScriptPdf(options: { objectStreams?: boolean } = {}): Promise<Buffer> {
  const doc = await page();
  const action = doc.context.obj({ Type: 'Action', S: 'JavaScript', JS: PDFString.of('app.alert(1)  ') });
  doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(action));
  return Buffer.from(await doc.save({ useObjectStreams: options.objectStreams ?? false }));
}

/** `/J#61vaScript` (a name escape) instead of `/JavaScript`, same length so the cross-reference offsets stay right. */
export async function escapedJavaScriptPdf(): Promise<Buffer> {
  const text = (await javaScriptPdf()).toString('latin1');
  if (!text.includes('/JavaScript') || !text.includes('app.alert(1)  ')) throw new Error('fixture: the action is not in the bytes');
  return Buffer.from(text.replace('/JavaScript', '/J#61vaScript').replace('app.alert(1)  ', 'app.alert(1)'), 'latin1');
}

/** JavaScript in the document's name tree (pdf-lib's addJavaScript), inside object streams. */
export async function documentJavaScriptPdf(): Promise<Buffer> {
  const doc = await page();
  doc.addJavaScript('hello', 'app.alert("hello")');
  return Buffer.from(await doc.save());
}

export async function embeddedFilePdf(): Promise<Buffer> {
  const doc = await page();
  await doc.attach(Buffer.from('hidden payload'), 'payload.txt', { mimeType: 'text/plain', description: 'x' });
  return plain(doc);
}

export async function launchPdf(): Promise<Buffer> {
  const doc = await page();
  doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(doc.context.obj({ S: 'Launch', F: PDFString.of('calc.exe') })));
  return plain(doc);
}

/** A page annotation that carries a file. */
export async function fileAttachmentAnnotPdf(): Promise<Buffer> {
  const doc = await page();
  const annot = doc.context.obj({ Type: 'Annot', Subtype: 'FileAttachment', Rect: [10, 10, 30, 30], Contents: PDFString.of('x') });
  doc.getPages()[0]?.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(annot)]));
  return plain(doc);
}

export async function xfaPdf(): Promise<Buffer> {
  const doc = await page();
  doc.catalog.set(PDFName.of('AcroForm'), doc.context.obj({ Fields: [], XFA: PDFString.of('<xdp/>') }));
  return plain(doc);
}

export async function encryptedPdf(): Promise<Buffer> {
  const doc = await page();
  doc.encrypt({ userPassword: 'secret', ownerPassword: 'owner' });
  return Buffer.from(await doc.save());
}

/** A real PNG (1×1), as a browser would send a renamed image. */
export function pngBytes(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const htmlBytes = (): Buffer => Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');

/** A valid PDF of about `bytes` bytes (an uncompressed filler stream), for the size limit. */
export async function pdfOfSize(bytes: number): Promise<Buffer> {
  const doc = await page();
  doc.context.register(doc.context.stream(Buffer.alloc(Math.max(0, bytes - 1500), 0x20)));
  return plain(doc);
}
