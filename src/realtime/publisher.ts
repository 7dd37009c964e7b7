import { Injectable } from '@nestjs/common';
import type { ServerToClientEvents } from './contract';
import { roomFor } from './room-names';
import type { LotseServer } from './ws';

type EventName = keyof ServerToClientEvents;
type PayloadOf<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * The only way services push to sockets. Works across nodes through the adapter. Pushes are
 * at-most-once; the database is the truth and `room.history` the repair.
 */
@Injectable()
export class RealtimePublisher {
  private server: LotseServer | null = null;

  attach(server: LotseServer): void {
    this.server = server;
  }

  private get io(): LotseServer {
    if (!this.server) throw new Error('The realtime server is not attached yet');
    return this.server;
  }

  /** To every socket in a room (use `roomFor`). */
  to<E extends EventName>(room: string | string[], event: E, payload: PayloadOf<E>): void {
    this.io.to(room).emit(event, ...([payload] as Parameters<ServerToClientEvents[E]>));
  }

  /** To one socket (by id; works for a socket on any node). */
  toSocket<E extends EventName>(socketId: string, event: E, payload: PayloadOf<E>): void {
    this.to(socketId, event, payload);
  }

  /** To every open session of an account or visitor. */
  toSubject<E extends EventName>(subjectId: string, event: E, payload: PayloadOf<E>): void {
    this.to(roomFor.subject(subjectId), event, payload);
  }

  /** Adds all sessions of a subject to a chat room, on every node. */
  joinSubject(subjectId: string, roomId: string): void {
    this.io.in(roomFor.subject(subjectId)).socketsJoin(roomFor.chat(roomId));
  }

  /** Removes all sessions of a subject from a chat room, on every node. */
  leaveSubject(subjectId: string, roomId: string): void {
    this.io.in(roomFor.subject(subjectId)).socketsLeave(roomFor.chat(roomId));
  }

  /** Removes every socket from a chat room (the room was closed or deleted). */
  clearRoom(roomId: string): void {
    this.io.in(roomFor.chat(roomId)).socketsLeave(roomFor.chat(roomId));
  }

  joinRoom(fromRoom: string, toRoom: string): void {
    this.io.in(fromRoom).socketsJoin(toRoom);
  }

  leaveRoom(fromRoom: string, room: string): void {
    this.io.in(fromRoom).socketsLeave(room);
  }

  /** Closes the sockets opened with these tokens, on every node. */
  disconnectTokens(tokenHashes: string[]): void {
    if (tokenHashes.length === 0 || !this.server) return;
    this.io.in(tokenHashes.map(roomFor.token)).disconnectSockets(true);
  }

  /** The visitors with a socket in a center, on all nodes (each once). */
  async centerVisitors(centerId: string): Promise<string[]> {
    const ids = new Set<string>();
    for (const s of await this.io.in(roomFor.center(centerId)).fetchSockets()) if (s.data.auth?.role === 'visitor') ids.add(s.data.auth.subjectId);
    return [...ids];
  }

  /** How many sockets of a subject are connected on all nodes. */
  async countSubjectSockets(subjectId: string): Promise<number> {
    return (await this.io.in(roomFor.subject(subjectId)).fetchSockets()).length;
  }
}
