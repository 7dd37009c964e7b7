import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { Note } from './note.entity';

/** Notes, always scoped by center and, for everything a person reads or changes, by author. */
@Injectable()
export class NotesRepository {
  constructor(
    @InjectRepository(Note) private readonly repoRaw: Repository<Note>,
    private readonly tx: Transactions,
  ) {}

  private get repo(): Repository<Note> {
    return this.tx.bind(this.repoRaw);
  }

  /** The author's notes about a client (not their thread notes), oldest first. */
  aboutClient(centerId: string, authorId: string, clientId: string): Promise<Note[]> {
    return this.repo.find({ where: { centerId, authorId, clientId, threadId: IsNull(), videoRoomId: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The author's notes about a thread, oldest first. */
  aboutThread(centerId: string, authorId: string, threadId: string): Promise<Note[]> {
    return this.repo.find({ where: { centerId, authorId, threadId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  countAboutClient(centerId: string, authorId: string, clientId: string): Promise<number> {
    return this.repo.countBy({ centerId, authorId, clientId, threadId: IsNull(), videoRoomId: IsNull() });
  }

  /** The author's notes about one of their video rooms, oldest first. */
  aboutVideoRoom(centerId: string, authorId: string, videoRoomId: string): Promise<Note[]> {
    return this.repo.find({ where: { centerId, authorId, videoRoomId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  countAboutVideoRoom(centerId: string, authorId: string, videoRoomId: string): Promise<number> {
    return this.repo.countBy({ centerId, authorId, videoRoomId });
  }

  /** Every note about a video room (the room is deleted). */
  async deleteAboutVideoRoom(centerId: string, videoRoomId: string): Promise<void> {
    await this.repo.delete({ centerId, videoRoomId });
  }

  countAboutThread(centerId: string, authorId: string, threadId: string): Promise<number> {
    return this.repo.countBy({ centerId, authorId, threadId });
  }

  /** The author's own note; another author's id answers as one that does not exist. */
  async findOwn(centerId: string, authorId: string, id: string): Promise<Note | null> {
    return isUuid(id) ? this.repo.findOneBy({ centerId, authorId, id }) : null;
  }

  async insert(row: Note): Promise<void> {
    await this.repo.insert(row);
  }

  async update(centerId: string, authorId: string, id: string, patch: Pick<Note, 'bodyEnc' | 'updatedAt'>): Promise<boolean> {
    const res = await this.repo.update({ centerId, authorId, id }, patch);
    return (res.affected ?? 0) > 0;
  }

  async delete(centerId: string, authorId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const res = await this.repo.delete({ centerId, authorId, id });
    return (res.affected ?? 0) > 0;
  }

  /** Every note about a client (a deleted client's notes go with their key). */
  async deleteAboutClient(centerId: string, clientId: string): Promise<void> {
    await this.repo.delete({ centerId, clientId });
  }

  /** Every note of an author (a retired counselor's notes go). */
  async deleteOfAuthor(centerId: string, authorId: string): Promise<void> {
    await this.repo.delete({ centerId, authorId });
  }

  /** Every note about a thread (the thread is deleted). */
  async deleteAboutThread(centerId: string, threadId: string): Promise<void> {
    await this.repo.delete({ centerId, threadId });
  }
}
