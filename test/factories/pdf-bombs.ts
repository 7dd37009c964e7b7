import { constants, deflateRawSync } from 'node:zlib';
import { cleanPdf } from './pdfs';

/** A zlib stream of zeros that inflates to `inflatedMb` MB: the full-flushed (independent, not final) raw deflate of one zero MB, repeated, then an empty final block. */
function zeros(inflatedMb: number): Buffer {
  const mb = Buffer.alloc(1024 * 1024);
  const block = deflateRawSync(mb, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const end = deflateRawSync(Buffer.alloc(0));
  const header = Buffer.from([0x78, 0xda]);
  return Buffer.concat([header, ...Array.from({ length: inflatedMb }, () => block), end]);
}

/**
 * A PDF compression bomb: a clean one-page PDF plus an object stream (/Type /ObjStm, FlateDecode,
 * which a parser inflates while loading the file) that inflates to `inflatedMb` MB; the file stays small.
 */
export async function compressionBombPdf(inflatedMb = 1024): Promise<Buffer> {
  const base = await cleanPdf('bomb');
  const data = zeros(inflatedMb);
  const obj = Buffer.concat([
    Buffer.from(`\n900 0 obj\n<< /Type /ObjStm /N 1 /First 8 /Filter /FlateDecode /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    // ends like an incremental update (an own %%EOF): the file is refused for the bomb, not for data after the end
    Buffer.from('\nendstream\nendobj\n%%EOF\n', 'latin1'),
  ]);
  return Buffer.concat([base, obj]);
}

/** A PDF whose one object is an array nested `depth` levels deep (a recursive parser or walker runs out of stack). */
export async function deeplyNestedPdf(depth = 500_000): Promise<Buffer> {
  const base = await cleanPdf('nested');
  return Buffer.concat([base, Buffer.from(`\n901 0 obj\n${'['.repeat(depth)}${']'.repeat(depth)}\nendobj\n%%EOF\n`, 'latin1')]);
}
