import { DomainError } from '../../src/common/errors';
import { inspectPdf } from '../../src/modules/documents/pdf-inspection';
import {
  cleanPdf,
  documentJavaScriptPdf,
  embeddedFilePdf,
  encryptedPdf,
  escapedJavaScriptPdf,
  fileAttachmentAnnotPdf,
  htmlBytes,
  javaScriptPdf,
  launchPdf,
  PDF_TEXT,
  pngBytes,
  xfaPdf,
} from '../factories/pdfs';

async function refusal(bytes: Uint8Array): Promise<{ code: string; message: string }> {
  const err: unknown = await inspectPdf(bytes).then(
    () => new Error('accepted'),
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

describe('pdf inspection', () => {
  it('should accept a plain PDF when it has a page and no active content', async () => {
    const pdf = await cleanPdf();
    expect(pdf.toString('latin1')).toContain(PDF_TEXT);
    await expect(inspectPdf(pdf)).resolves.toBeUndefined();
  });

  it('should refuse as UNSUPPORTED_MEDIA_TYPE when the bytes are a PNG, HTML, empty or only a PDF header', async () => {
    for (const bytes of [pngBytes(), htmlBytes(), Buffer.alloc(0), Buffer.from('%PDF-1.7\nnot really a pdf\n%%EOF\n')]) {
      await expect(refusal(bytes)).resolves.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    await expect(refusal(Buffer.alloc(0))).resolves.toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The file is empty.' });
  });

  it('should refuse a PDF when something comes before the %PDF- header', async () => {
    const polyglot = Buffer.concat([htmlBytes(), await cleanPdf()]);
    await expect(refusal(polyglot)).resolves.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Only PDF documents can be attached.' });
  });

  it('should refuse a PDF when an OpenAction runs JavaScript', async () => {
    await expect(refusal(await javaScriptPdf())).resolves.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('JavaScript') as string,
    });
  });

  it('should refuse a PDF when the JavaScript action sits in a compressed object stream', async () => {
    const pdf = await javaScriptPdf({ objectStreams: true });
    // the byte scan cannot see it: only the walk over the parsed objects finds it
    expect(pdf.toString('latin1')).not.toContain('/JavaScript');
    await expect(refusal(pdf)).resolves.toMatchObject({ message: expect.stringContaining('JavaScript') as string });
    await expect(refusal(await documentJavaScriptPdf())).resolves.toMatchObject({ message: expect.stringContaining('JavaScript') as string });
  });

  it('should refuse a PDF when the JavaScript name is written with a name escape', async () => {
    const pdf = await escapedJavaScriptPdf();
    expect(pdf.toString('latin1')).toContain('/J#61vaScript');
    expect(pdf.toString('latin1')).not.toContain('/JavaScript');
    await expect(refusal(pdf)).resolves.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('JavaScript') as string });
  });

  it('should refuse a PDF when it carries an embedded file or a file attachment annotation', async () => {
    await expect(refusal(await embeddedFilePdf())).resolves.toMatchObject({ message: expect.stringContaining('embedded file') as string });
    await expect(refusal(await fileAttachmentAnnotPdf())).resolves.toMatchObject({ message: expect.stringContaining('embedded file') as string });
  });

  it('should refuse a PDF when it has a launch action or an XFA form', async () => {
    await expect(refusal(await launchPdf())).resolves.toMatchObject({ message: expect.stringContaining('launch action') as string });
    await expect(refusal(await xfaPdf())).resolves.toMatchObject({ message: expect.stringContaining('XFA') as string });
  });

  it('should refuse a PDF when it is encrypted and so cannot be inspected', async () => {
    await expect(refusal(await encryptedPdf())).resolves.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('Password') as string,
    });
  });
});
