import type { Ack, ClientToServerEvents } from '../../src/realtime/contract';
import type { TestSocket } from './app';

type Command = keyof ClientToServerEvents;
export type PayloadOf<E extends Command> = Parameters<ClientToServerEvents[E]>[0];
export type AnswerOf<E extends Command> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** A typed command with its ack (rejects when no ack arrives within `ms`). */
export async function call<E extends Command>(socket: TestSocket, event: E, payload: PayloadOf<E>, ms = 5000): Promise<AnswerOf<E>> {
  const timed = socket.timeout(ms) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> };
  return (await timed.emitWithAck(event, payload)) as AnswerOf<E>;
}

/** Any payload, for the tests of malformed input. */
export async function callRaw(socket: TestSocket, event: string, payload: unknown, ms = 5000): Promise<Ack<unknown>> {
  const timed = socket.timeout(ms) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> };
  return (await timed.emitWithAck(event, payload)) as Ack<unknown>;
}

/** The data of a successful ack; throws with the error code otherwise. */
export function ok<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}
