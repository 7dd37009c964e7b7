import { connect, type Socket } from 'node:net';
import { server } from './server';

/**
 * A hand-driven HTTP/1.1 request on a raw TCP connection, for the attacks a well-behaved client
 * library cannot make: a body that trickles, never ends, or is far larger than announced. The
 * answer is collected as it arrives; `closed` resolves when the server ends the connection.
 */
export interface RawRequest {
  socket: Socket;
  /** Bytes of the body written so far (only what the kernel took). */
  sent: () => number;
  write: (chunk: Buffer | string) => boolean;
  /** Resolves with the status line and body once an answer has arrived (headers and the body of its Content-Length). */
  answer: Promise<{ status: number; headers: string; body: string; at: number }>;
  /** Resolves with the time the connection ended (closed by the server, reset, or by us). */
  closed: Promise<number>;
  end: () => void;
}

export function rawRequest(head: string): RawRequest {
  const { hostname, port } = new URL(server().url);
  const socket = connect(Number(port), hostname);
  let sentBytes = 0;
  let buffer = Buffer.alloc(0);
  let resolveAnswer: (v: { status: number; headers: string; body: string; at: number }) => void = () => undefined;
  const answer = new Promise<{ status: number; headers: string; body: string; at: number }>((r) => (resolveAnswer = r));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  socket.on('error', () => undefined);
  socket.on('data', (d: Buffer) => {
    buffer = Buffer.concat([buffer, d]);
    const text = buffer.toString('latin1');
    const split = text.indexOf('\r\n\r\n');
    if (split < 0) return;
    const headers = text.slice(0, split);
    const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? '0');
    const body = buffer.subarray(split + 4);
    if (body.length >= length) resolveAnswer({ status: Number(headers.split(' ')[1]), headers, body: body.toString('utf8'), at: Date.now() });
  });
  socket.write(head);
  return {
    socket,
    sent: () => sentBytes,
    write: (chunk) => {
      if (socket.destroyed || !socket.writable) return false;
      sentBytes += Buffer.byteLength(chunk);
      return socket.write(chunk);
    },
    answer,
    closed,
    end: () => socket.destroy(),
  };
}

/** The head of a multipart upload of one file named `filename` (the body follows with `multipartBody`). */
export function uploadHead(path: string, token: string, address: string, length: number | 'chunked', boundary = 'lotse-attack-boundary'): string {
  const size = length === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`;
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nX-Forwarded-For: ${address}\r\n` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\n${size}\r\n\r\n`
  );
}

export function partHead(filename: string, boundary = 'lotse-attack-boundary'): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`;
}

/** One chunk in chunked transfer encoding. */
export const chunk = (data: Buffer | string): Buffer => {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
};
