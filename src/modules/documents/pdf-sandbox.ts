import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DomainError } from '../../common/errors';
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
  /** Inspections at once; more uploads wait their turn (each has its own worker). */
  concurrency: 2,
};

const logger = new Logger('PdfSandbox');
let running = 0;
const waiting: (() => void)[] = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= PDF_LIMITS.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

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
 * answered meanwhile (the event loop of the server never runs the parser).
 */
export function inspectPdfIsolated(bytes: Uint8Array): Promise<void> {
  return slot(
    () =>
      new Promise<void>((resolve, reject) => {
        const worker = startWorker({ maxDecodedBytes: PDF_LIMITS.maxDecodedBytes });
        let settled = false;
        const finish = (err?: DomainError, why?: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (why) logger.warn({ why, size: bytes.length }, 'PDF refused: inspection limit');
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
        // a copy for the worker (the caller keeps its bytes to store them), moved there rather than
        // cloned once more (one copy per upload in flight, not two)
        const copy = new Uint8Array(bytes);
        worker.postMessage({ bytes: copy }, [copy.buffer]);
      }),
  );
}
