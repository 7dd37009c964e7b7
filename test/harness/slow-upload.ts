import { request } from 'node:http';

/** A multipart body of one file in the field `file` (what a browser sends). */
export function multipartBody(file: Buffer, filename: string, boundary = 'lotse-slow-upload'): { body: Buffer; contentType: string } {
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, file, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface SlowUpload {
  /** Body bytes handed to the socket so far. */
  sent: () => number;
  /** The answer (status and body text); rejects if the connection ends without one (after `abort`, for instance). */
  answer: Promise<{ status: number; body: string }>;
  /** Cuts the connection mid-body, as a browser tab that is closed. */
  abort: () => void;
}

/**
 * A document upload that streams its body at a set pace (`piece` bytes every `everyMs`), with a
 * Content-Length or chunked: several of them are really in flight at once, and a test can watch
 * the server while the bodies are still arriving.
 */
export function slowUpload(
  base: string,
  path: string,
  token: string,
  file: Buffer,
  options: { piece?: number; everyMs?: number; chunked?: boolean; filename?: string } = {},
): SlowUpload {
  const { body, contentType } = multipartBody(file, options.filename ?? 'Befund.pdf');
  const piece = options.piece ?? 64 * 1024;
  const everyMs = options.everyMs ?? 10;
  const url = new URL(path, base);
  let sent = 0;
  let stopped = false;
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': contentType,
      ...(options.chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(body.length) }),
    },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      stopped = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.once('close', () => reject(new Error('the connection ended without an answer')));
  });
  answer.catch(() => undefined);
  const pump = async () => {
    while (!stopped && sent < body.length) {
      const next = body.subarray(sent, sent + piece);
      sent += next.length;
      if (!req.write(next))
        await new Promise<void>((resolve) => {
          const go = () => {
            req.off('drain', go).off('close', go);
            resolve();
          };
          req.once('drain', go).once('close', go);
        });
      await new Promise((r) => setTimeout(r, everyMs));
    }
    if (!stopped) req.end();
  };
  void pump().catch(() => undefined);
  return {
    sent: () => sent,
    answer,
    abort: () => {
      stopped = true;
      req.destroy();
    },
  };
}
