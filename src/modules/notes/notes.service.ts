import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { AuthContext } from '../../common/auth-context';
import { Clock, IdGenerator, isUuid } from '../../common/clock';
import { errors } from '../../common/errors';
import {
  ACCOUNT_DELETING,
  AccountDeletingEvent,
  STAFF_ACCOUNT_RETIRING,
  THREAD_DELETING,
  ThreadDeletingEvent,
  VIDEO_ROOM_DELETING,
  VideoRoomDeletingEvent,
} from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { NOTE_LIMITS, type NoteView } from '../../realtime/contract';
import { CipherContext, CryptoService } from '../crypto/crypto.service';
import type { Thread } from '../threads/thread.entity';
import { ThreadsService } from '../threads/threads.service';
import { VideoRoomsService } from '../video/video-rooms.service';
import { Note } from './note.entity';
import { NotesRepository } from './notes.repository';
import { NoteBodyDto } from './dto/note.dto';

const NOTE = 'The note';

/**
 * A counselor's private notes about a client of theirs or about a thread they counsel in. Only
 * the author ever reads or changes a note, and only while the client is theirs (ThreadsService.
 * isClientOf) or they are a counselor member of the thread: not the admin, not a counselor who
 * takes the client over, never a client. A counselor who gets the client back sees their notes
 * again. Notes about a client use the client's key, thread notes the thread's cipher.
 */
@Injectable()
export class NotesService {
  constructor(
    private readonly repo: NotesRepository,
    private readonly threads: ThreadsService,
    private readonly videoRooms: VideoRoomsService,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
  ) {}

  async listAboutClient(auth: AuthContext, clientId: string): Promise<NoteView[]> {
    await this.requireClientOf(auth, clientId);
    const rows = await this.repo.aboutClient(auth.centerId, auth.subjectId, clientId);
    return Promise.all(rows.map((r) => this.view(r, clientCipher(r))));
  }

  async createAboutClient(auth: AuthContext, clientId: string, dto: NoteBodyDto): Promise<{ id: string }> {
    await this.requireClientOf(auth, clientId);
    const body = clean(dto.body);
    return this.tx.run(async () => {
      if ((await this.repo.countAboutClient(auth.centerId, auth.subjectId, clientId)) >= NOTE_LIMITS.perAuthorPerSubject) throw tooMany();
      return this.insert(auth, { clientId }, body, (row) => clientCipher(row));
    });
  }

  async listAboutThread(auth: AuthContext, threadId: string): Promise<NoteView[]> {
    const thread = await this.requireCounselorIn(auth, threadId);
    const rows = await this.repo.aboutThread(auth.centerId, auth.subjectId, thread.id);
    return Promise.all(rows.map((r) => this.view(r, this.threadCipher(thread, r))));
  }

  async createAboutThread(auth: AuthContext, threadId: string, dto: NoteBodyDto): Promise<{ id: string }> {
    const thread = await this.requireCounselorIn(auth, threadId);
    const body = clean(dto.body);
    return this.tx.run(async () => {
      if ((await this.repo.countAboutThread(auth.centerId, auth.subjectId, thread.id)) >= NOTE_LIMITS.perAuthorPerSubject) throw tooMany();
      // a 1:1 thread's notes name its client too: they go with the client's account (and key)
      return this.insert(auth, { clientId: thread.clientId, threadId: thread.id }, body, (row) => this.threadCipher(thread, row));
    });
  }

  /** The counselor's notes about one of their video rooms (encrypted with their own key). */
  async listAboutVideoRoom(auth: AuthContext, roomId: string): Promise<NoteView[]> {
    const room = await this.videoRooms.ownRoom(auth, roomId);
    const rows = await this.repo.aboutVideoRoom(auth.centerId, auth.subjectId, room.id);
    return Promise.all(rows.map((r) => this.view(r, authorCipher(r))));
  }

  async createAboutVideoRoom(auth: AuthContext, roomId: string, dto: NoteBodyDto): Promise<{ id: string }> {
    const room = await this.videoRooms.ownRoom(auth, roomId);
    const body = clean(dto.body);
    return this.tx.run(async () => {
      if ((await this.repo.countAboutVideoRoom(auth.centerId, auth.subjectId, room.id)) >= NOTE_LIMITS.perAuthorPerSubject) throw tooMany();
      return this.insert(auth, { videoRoomId: room.id }, body, (row) => authorCipher(row));
    });
  }

  /** PATCH/DELETE under the room's path: a note of another room (or none) answers NOT_FOUND. */
  async updateAboutVideoRoom(auth: AuthContext, roomId: string, id: string, dto: NoteBodyDto): Promise<NoteView> {
    await this.requireNoteOfRoom(auth, roomId, id);
    return this.update(auth, id, dto);
  }

  async deleteAboutVideoRoom(auth: AuthContext, roomId: string, id: string): Promise<void> {
    await this.requireNoteOfRoom(auth, roomId, id);
    return this.delete(auth, id);
  }

  async update(auth: AuthContext, id: string, dto: NoteBodyDto): Promise<NoteView> {
    const { row, cipher } = await this.reachable(auth, id);
    const body = clean(dto.body);
    const updatedAt = this.clock.now();
    const bodyEnc = await this.crypto.encrypt(cipher, body);
    if (!(await this.repo.update(auth.centerId, auth.subjectId, row.id, { bodyEnc, updatedAt }))) throw errors.notFound(NOTE);
    return { id: row.id, body, createdAt: row.createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
  }

  async delete(auth: AuthContext, id: string): Promise<void> {
    const { row } = await this.reachable(auth, id);
    if (!(await this.repo.delete(auth.centerId, auth.subjectId, row.id))) throw errors.notFound(NOTE);
  }

  /** Notes about a deleted client go (their key goes too); a deleted or retired author's notes go. */
  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  async onAccountDeleting(event: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteAboutClient(event.centerId, event.accountId);
    await this.repo.deleteOfAuthor(event.centerId, event.accountId);
  }

  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onStaffRetiring(event: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteOfAuthor(event.centerId, event.accountId);
  }

  /** A deleted video room's notes go with it (inside the room's deletion). */
  @OnEvent(VIDEO_ROOM_DELETING, { async: true, promisify: true })
  async onVideoRoomDeleting(event: VideoRoomDeletingEvent): Promise<void> {
    await this.repo.deleteAboutVideoRoom(event.centerId, event.roomId);
  }

  /** A deleted thread's notes go with it (inside the thread's deletion). */
  @OnEvent(THREAD_DELETING, { async: true, promisify: true })
  async onThreadDeleting(event: ThreadDeletingEvent): Promise<void> {
    await this.repo.deleteAboutThread(event.centerId, event.threadId);
  }

  // ---- access ----------------------------------------------------------------------------------

  /** NOT_FOUND unless the caller is a counselor and the client is theirs (admins, clients, others alike). */
  private async requireClientOf(auth: AuthContext, clientId: string): Promise<void> {
    if (auth.role !== 'counselor' || !isUuid(clientId) || !(await this.threads.isClientOf(auth.centerId, auth.subjectId, clientId))) {
      throw errors.notFound('The client');
    }
  }

  /** The thread, if the caller is a counselor member of it; NOT_FOUND for everyone else. */
  private async requireCounselorIn(auth: AuthContext, threadId: string): Promise<Thread> {
    if (auth.role !== 'counselor') throw errors.notFound('The thread');
    const access = await this.threads.access(auth, threadId);
    if (access.role !== 'counselor') throw errors.notFound('The thread');
    return access.thread;
  }

  /** The caller's own note while they still reach its client or thread, with the cipher it is under. */
  private async reachable(auth: AuthContext, id: string): Promise<{ row: Note; cipher: CipherContext }> {
    if (auth.role !== 'counselor') throw errors.notFound(NOTE);
    const row = await this.repo.findOwn(auth.centerId, auth.subjectId, id);
    if (!row) throw errors.notFound(NOTE);
    try {
      if (row.videoRoomId) {
        await this.videoRooms.ownRoom(auth, row.videoRoomId);
        return { row, cipher: authorCipher(row) };
      }
      if (row.threadId) return { row, cipher: this.threadCipher(await this.requireCounselorIn(auth, row.threadId), row) };
      if (!row.clientId) throw errors.notFound(NOTE);
      await this.requireClientOf(auth, row.clientId);
      return { row, cipher: clientCipher(row) };
    } catch {
      // a note whose client or thread the author no longer reaches answers as if it did not exist
      throw errors.notFound(NOTE);
    }
  }

  private async requireNoteOfRoom(auth: AuthContext, roomId: string, id: string): Promise<void> {
    const room = await this.videoRooms.ownRoom(auth, roomId);
    const row = await this.repo.findOwn(auth.centerId, auth.subjectId, id);
    if (!row || row.videoRoomId !== room.id) throw errors.notFound(NOTE);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async insert(
    auth: AuthContext,
    about: Partial<Pick<Note, 'clientId' | 'threadId' | 'videoRoomId'>>,
    body: string,
    cipherOf: (row: Note) => CipherContext,
  ): Promise<{ id: string }> {
    const now = this.clock.now();
    const row = Object.assign(new Note(), {
      id: this.ids.uuid(),
      centerId: auth.centerId,
      authorId: auth.subjectId,
      clientId: null,
      threadId: null,
      videoRoomId: null,
      ...about,
      createdAt: now,
      updatedAt: now,
    });
    row.bodyEnc = await this.crypto.encrypt(cipherOf(row), body);
    await this.repo.insert(row);
    return { id: row.id };
  }

  private threadCipher(thread: Thread, row: Pick<Note, 'id' | 'authorId'>): CipherContext {
    return { ...this.threads.cipherFor(thread, row.authorId, 'counselor'), table: 'notes', column: 'body_enc', rowId: row.id };
  }

  private async view(r: Note, cipher: CipherContext): Promise<NoteView> {
    return { id: r.id, body: await this.crypto.decrypt(cipher, r.bodyEnc), createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString() };
  }
}

/** A note about a client: the client's own key (gone with their account). */
function clientCipher(row: Pick<Note, 'centerId' | 'clientId' | 'id'>): CipherContext {
  if (!row.clientId) throw new Error('a note about a client names the client');
  return { centerId: row.centerId, accountId: row.clientId, table: 'notes', column: 'body_enc', rowId: row.id };
}

/** A note about a video room: the author's own key (gone with their account). */
function authorCipher(row: Pick<Note, 'centerId' | 'authorId' | 'id'>): CipherContext {
  return { centerId: row.centerId, accountId: row.authorId, table: 'notes', column: 'body_enc', rowId: row.id };
}

function clean(value: string): string {
  const v = value.trim();
  if (!v) throw errors.validation('The note may not be empty.', ['body']);
  return v;
}

const tooMany = () => errors.conflict(`You keep ${NOTE_LIMITS.perAuthorPerSubject} notes here already; delete one before you add another.`);
