import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { DomainError } from '../../common/errors';
import { inspectPdf } from './pdf-inspection';

/**
 * The PDF inspection in a worker thread (pdf-sandbox.ts starts one per upload, with heap, stack and
 * time limits). Besides the heap, decompressed streams are bounded here: pdf-lib inflates object and
 * cross-reference streams into typed arrays that live outside the V8 heap (resourceLimits does not
 * count them), so the growth of every decode buffer is summed and stops at `maxDecodedBytes`.
 * pdf-lib keeps an object it fails to parse as an "invalid object" and goes on, so a limit that
 * stopped it would leave that object unread (it may hide what the walk refuses): a limit hit during
 * the parse (the decode bound, a stack overflow of deep nesting) refuses the file afterwards.
 */
export interface PdfWorkerData {
  maxDecodedBytes: number;
}
export type PdfWorkerRequest = { bytes: Uint8Array };
export type PdfWorkerAnswer = { ok: true } | { ok: false; refused: { code: DomainError['code']; message: string } } | { ok: false; limit: string };

export const DECODE_LIMIT = 'decoded streams exceed the limit';

interface DecodeStreamLike {
  buffer: Uint8Array;
  ensureBuffer(requested: number): Uint8Array;
}

interface ParserLike {
  parseIndirectObject(...args: unknown[]): Promise<unknown>;
}

/** Set when a limit stopped the parse of an object. */
let limitHit: string | null = null;

/** pdf-lib's package exports hide its internals: loaded by their files, the same module instances pdf-lib uses. */
function internal<T>(...path: string[]): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(dirname(require.resolve('@cantoo/pdf-lib')), ...path)) as { default: T }).default;
}

function watchParser(): void {
  const proto = internal<{ prototype: ParserLike }>('core', 'parser', 'PDFParser.js').prototype;
  const original = proto.parseIndirectObject;
  proto.parseIndirectObject = function (this: ParserLike, ...args: unknown[]): Promise<unknown> {
    return original.apply(this, args).catch((err: unknown) => {
      if (err instanceof RangeError) limitHit ??= 'objects nested too deeply';
      else if (err instanceof Error && err.message === DECODE_LIMIT) limitHit ??= DECODE_LIMIT;
      throw err;
    });
  };
}

function boundDecoding(maxDecodedBytes: number): void {
  const proto = internal<{ prototype: DecodeStreamLike }>('core', 'streams', 'DecodeStream.js').prototype;
  const original = proto.ensureBuffer;
  let total = 0;
  proto.ensureBuffer = function (this: DecodeStreamLike, requested: number): Uint8Array {
    const before = this.buffer.byteLength;
    if (requested > before) {
      // the buffer at most doubles past `requested`: count what it will hold
      total += Math.max(requested, before * 2) - before;
      if (total > maxDecodedBytes) {
        limitHit ??= DECODE_LIMIT;
        throw new Error(DECODE_LIMIT);
      }
    }
    return original.call(this, requested);
  };
}

if (parentPort) {
  const port = parentPort;
  boundDecoding((workerData as PdfWorkerData).maxDecodedBytes);
  watchParser();
  port.once('message', (req: PdfWorkerRequest) => {
    inspectPdf(req.bytes).then(
      () => port.postMessage((limitHit ? { ok: false, limit: limitHit } : { ok: true }) satisfies PdfWorkerAnswer),
      (err: unknown) => {
        const answer: PdfWorkerAnswer = limitHit
          ? { ok: false, limit: limitHit }
          : err instanceof DomainError
            ? { ok: false, refused: { code: err.code, message: err.message } }
            : { ok: false, limit: err instanceof Error ? err.message : String(err) };
        port.postMessage(answer);
      },
    );
  });
}
