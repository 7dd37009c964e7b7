import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DomainError } from '../../common/errors';
import { Gate } from '../../common/gate';
import { documentErrors } from './documents.errors';
import type { PdfWorkerAnswer, PdfWorkerData } from './pdf-worker';

/**
 * Limits of one PDF inspection (docs/operator-tools.md, "PDF compression bombs"). A file that needs
 * more is refused with UNSUPPORTED_MEDIA_TYPE (documentErrors.tooComplex); the server's own heap
 * never holds what the file expands to.
 */
export const PDF_LIMITS = {
  /** V8 heap of the worker (old + young generation). */
  heapMb: 96,
  youngMb: 16,
  /** Stack of the worker: deeply nested objects end in a RangeError, not in the server. */
  stackMb: 4,
  /** What all decompressed streams of one file may add up to (outside the heap, see pdf-worker.ts). */
  maxDecodedBytes: 24 * 1024 * 1024,
  /** Wall time of one inspection. */
  timeoutMs: 10_000,
  /**
   * Inspections at once, and so files held whole in memory at once (each decrypted from its scratch
   * file inside the gate and moved to its own worker); more uploads wait their turn on disk.
   */
  concurrency: 2,
};

const logger = new Logger('PdfSandbox');
const gate = new Gate(PDF_LIMITS.concurrency);

/** dist: the compiled worker; under ts-jest (sources only): the .ts file, transpiled on load by esbuild (a dev dependency). */
function startWorker(data: PdfWorkerData): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: PDF_LIMITS.heapMb, maxYoungGenerationSizeMb: PDF_LIMITS.youngMb, stackSizeMb: PDF_LIMITS.stackMb };
  const js = join(__dirname, 'pdf-worker.js');
  if (existsSync(js)) return new Worker(js, { workerData: data, resourceLimits });
  const ts = join(__dirname, 'pdf-worker.ts');
  const boot = `
    const { transformSync } = require('esbuild');
    const { readFileSync } = require('node:fs');
    require.extensions['.ts'] = (m, f) => m._compile(transformSync(readFileSync(f, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: f }).code, f);
    require(${JSON.stringify(ts)});`;
  return new Worker(boot, { eval: true, workerData: data, resourceLimits });
}

/**
 * inspectPdf (pdf-inspection.ts) in a worker thread with heap, stack, decode and time limits: a
 * compression bomb or a deeply nested file is refused, and the uploads and requests of others are
 * answered meanwhile (the event loop of the server never runs the parser). `load` gives the file's
 * bytes; it is called only once the gate lets this inspection in (at most PDF_LIMITS.concurrency at
 * once), and its array is moved to the worker (the caller must not use it afterwards).
 */
export function inspectPdfIsolated(load: () => Promise<Uint8Array>): Promise<void> {
  return gate.run(async () => {
    const bytes = await load();
    const size = bytes.length;
    await new Promise<void>((resolve, reject) => {
      const worker = startWorker({ maxDecodedBytes: PDF_LIMITS.maxDecodedBytes });
      let settled = false;
      const finish = (err?: DomainError, why?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (why) logger.warn({ why, size }, 'PDF refused: inspection limit');
        void worker.terminate();
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => finish(documentErrors.tooComplex(), 'timeout'), PDF_LIMITS.timeoutMs);
      worker.once('message', (answer: PdfWorkerAnswer) => {
        if (answer.ok) finish();
        else if ('refused' in answer) finish(new DomainError(answer.refused.code, answer.refused.message));
        else finish(documentErrors.tooComplex(), answer.limit);
      });
      // ERR_WORKER_OUT_OF_MEMORY, a stack overflow outside the parser's own catch, a crash
      worker.once('error', (err: Error) => finish(documentErrors.tooComplex(), (err as NodeJS.ErrnoException).code ?? err.message));
      worker.once('exit', () => finish(documentErrors.tooComplex(), 'worker exited'));
      // moved, not cloned; an array that shares its buffer (a pooled Buffer) is copied first
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
      worker.postMessage({ bytes: own }, [own.buffer]);
    });
  });
}
