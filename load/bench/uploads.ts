// Document uploads in flight: `concurrent` clients each send a PDF of about 10 MB at the same time,
// paced so that every upload is still being received while the others are (as over real links),
// and the server's RSS is sampled from /proc every 20 ms. The figure is the peak RSS growth over
// the idle figure, per upload in flight; the baseline is a bare node:http route that streams the
// body to a scratch file (load/baseline/bare-server.mjs). RSS is the honest total: Buffers held
// outside V8's heap (what a memory storage of the whole body costs) count as much as the heap.
import { request } from 'node:http';
import { answerText } from './http-text';
import { randomBytes } from 'node:crypto';
import { PDFDocument } from '@cantoo/pdf-lib';
import { log } from './log';
import type { Sides } from './measure';
import { rssMb } from './sampler';
import type { Seed } from './seeding';
import { METRICS_TOKEN, type Settings } from './settings';
import type { System } from './targets';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface UploadFigures {
  concurrent: number;
  rounds: number;
  pdfBytes: number;
  /** uploads answered 201 (of concurrent × rounds). */
  stored: number;
  errors: Record<string, number>;
  /** the highest (peak − idle) ÷ concurrent of the rounds: the V8 heap + external memory (Buffers) of the main thread. */
  heapMbPerUpload: number | null;
  /** the same for the RSS of the whole process (with the worker that inspects PDFs, behind its gate). */
  rssMbPerUpload: number | null;
  idleRssMb: number | null;
  peakRssMb: number | null;
  /** wall time of the round with the highest RSS growth, from the first byte sent to the last answer. */
  seconds: number;
}

/** A PDF of `bytes` (± a few hundred): one page and a filler stream, as the upload probe makes it. */
export async function benchPdf(bytes: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([300, 200]);
  doc.context.register(doc.context.stream(Buffer.alloc(Math.max(1000, bytes - 1500), 0x20)));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** One multipart upload, the file sent in 64 KB pieces over `ms` milliseconds; resolves with the status. */
function upload(url: string, path: string, token: string, pdf: Buffer, ms: number): Promise<{ status: number; text: string }> {
  const boundary = `----lotse-bench-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + pdf.length + tail.length,
          ...(token !== 'none' ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => answerText(res, resolve, reject),
    );
    req.setTimeout(120_000, () => req.destroy(new Error('no answer in 120 s')));
    req.on('error', reject);
    const piece = 64 * 1024;
    const pieces = Math.ceil(pdf.length / piece);
    const pause = ms / pieces;
    void (async () => {
      req.write(head);
      for (let i = 0; i < pieces; i++) {
        if (!req.write(pdf.subarray(i * piece, (i + 1) * piece))) await new Promise((r) => req.once('drain', r));
        await sleep(pause);
      }
      req.end(tail);
    })().catch(reject);
  });
}

/** The main thread's V8 heap + external memory in MB: Lotse's /metrics, the baseline's /memory. */
async function heapMb(side: 'lotse' | 'baseline', url: string): Promise<number | null> {
  try {
    if (side === 'baseline') {
      const m = (await (await fetch(`${url}/memory`)).json()) as { heap: number; external: number };
      return (m.heap + m.external) / 1024 / 1024;
    }
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const get = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const mb = (get('nodejs_heap_size_used_bytes') + get('nodejs_external_memory_bytes')) / 1024 / 1024;
    return Number.isFinite(mb) ? mb : null;
  } catch {
    return null;
  }
}

export async function uploadMemory(s: Settings, systems: Sides<System>, seeds: Sides<Seed>): Promise<Sides<UploadFigures>> {
  const pdf = await benchPdf(10_000_000);
  const run = async (side: 'lotse' | 'baseline'): Promise<UploadFigures> => {
    const system = systems[side];
    // the clients' node receives the uploads (the last one); its memory is the figure
    const url = system.urls.at(-1) as string;
    const pid = (system.groups.server ?? []).at(-1) as number;
    const threads = seeds[side].threads;
    const errors: Record<string, number> = {};
    let [stored, next] = [0, 0];
    const one = async (): Promise<void> => {
      const t = threads[next++ % threads.length] as Seed['threads'][number];
      try {
        const res = await upload(url, `/api/threads/${t.threadId}/documents`, t.token, pdf, s.uploadSendMs);
        if (res.status === 201) stored++;
        else {
          const kind = `${res.status} ${/"code":"([A-Z_]+)"/.exec(res.text)?.[1] ?? ''}`.trim();
          errors[kind] = (errors[kind] ?? 0) + 1;
        }
      } catch (err) {
        const kind = err instanceof Error ? err.message.slice(0, 60) : String(err);
        errors[kind] = (errors[kind] ?? 0) + 1;
      }
    };
    await one(); // warm up: the PDF worker, the keys, the first allocations
    stored = 0;
    for (const k of Object.keys(errors)) delete errors[k];
    const per = (peak: number | null, idle: number | null) => (peak === null || idle === null ? null : Math.max(0, peak - idle) / s.uploadsInFlight);
    let heapPer: number | null = null;
    let best: { idle: number | null; peak: number | null; per: number | null; seconds: number } = { idle: null, peak: null, per: null, seconds: 0 };
    for (let round = 0; round < s.uploadRounds; round++) {
      await sleep(1500);
      const idle = rssMb(pid);
      const idleHeap = await heapMb(side, url);
      let [peak, peakHeap] = [idle ?? 0, idleHeap ?? 0];
      let sampling = true;
      const rssSampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, rssMb(pid) ?? 0);
          await sleep(20);
        }
      })();
      const heapSampler = (async () => {
        while (sampling) {
          peakHeap = Math.max(peakHeap, (await heapMb(side, url)) ?? 0);
          await sleep(25);
        }
      })();
      const t0 = Date.now();
      await Promise.all(Array.from({ length: s.uploadsInFlight }, one));
      const seconds = (Date.now() - t0) / 1000;
      sampling = false;
      await Promise.all([rssSampler, heapSampler]);
      const h = per(idleHeap === null ? null : peakHeap, idleHeap);
      if (h !== null && (heapPer === null || h > heapPer)) heapPer = h;
      const r = per(idle === null ? null : peak, idle);
      if (best.per === null || (r !== null && r > best.per)) best = { idle, peak, per: r, seconds };
    }
    const f: UploadFigures = {
      concurrent: s.uploadsInFlight,
      rounds: s.uploadRounds,
      pdfBytes: pdf.length,
      stored,
      errors,
      heapMbPerUpload: heapPer,
      rssMbPerUpload: best.per,
      idleRssMb: best.idle,
      peakRssMb: best.peak,
      seconds: best.seconds,
    };
    log(
      `  uploads ${side}: ${stored}/${s.uploadsInFlight * s.uploadRounds} stored (${(pdf.length / 1e6).toFixed(1)} MB each, ${s.uploadsInFlight} at once); ` +
        `per upload in flight: heap + external ${heapPer?.toFixed(1)} MB, RSS ${best.per?.toFixed(1)} MB (RSS ${best.idle?.toFixed(0)} → peak ${best.peak?.toFixed(0)} MB)` +
        `${
          Object.keys(errors).length
            ? `; errors ${Object.entries(errors)
                .map(([k, n]) => `${n}× ${k}`)
                .join(', ')}`
            : ''
        }`,
    );
    return f;
  };
  return { lotse: await run('lotse'), baseline: await run('baseline') };
}
