/**
 * The client's view of the socket contract (src/realtime/contract.ts): a command's payload and
 * result, and an event's payload, are read from the contract's event maps instead of being
 * redeclared, so a change of the contract breaks the client's type check.
 */
import type { AckCallback, ClientToServerEvents, ServerToClientEvents } from '../../../src/realtime/contract';

export type CommandName = keyof ClientToServerEvents;
/** What a command sends (`p` of the contract's handler). */
export type CommandPayload<E extends CommandName> = Parameters<ClientToServerEvents[E]>[0];
/** What a command's ack carries in `data` when `ok`. */
export type CommandResult<E extends CommandName> = Parameters<ClientToServerEvents[E]>[1] extends AckCallback<infer T> ? T : never;

export type EventName = keyof ServerToClientEvents;
/** What a server→client event carries. */
export type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];
