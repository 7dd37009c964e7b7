// One HTTP answer read whole as text: shared by the generators' requests and the upload part.
import type { IncomingMessage } from 'node:http';

export function answerText(res: IncomingMessage, resolve: (a: { status: number; text: string }) => void, reject: (err: Error) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (d: string) => (text += d));
  res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
  res.on('error', reject);
}
