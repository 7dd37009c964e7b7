import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, In, IsNull, LessThan, Repository } from 'typeorm';
import { isUuid } from '../../common/clock';
import { Transactions } from '../../infra/database/transactions';
import { isUniqueViolation } from '../../infra/database/unique-violation';
import { DocumentChunk } from './document-chunk.entity';
import { DocumentQuota } from './document-quota.entity';
import { Document } from './document.entity';

/**
 * Chunks per INSERT, and how many encrypted chunks an upload holds in memory at once
 * (documents.service): 240 KiB of ciphertext. On MariaDB the statement carries them as an escaped
 * string on the heap; at 16 a batch (1 MiB) four uploads in flight grew the heap by 4.8 MB each.
 */
export const CHUNKS_PER_INSERT = 4;

/** Documents, their encrypted chunks and the daily upload counters; always scoped by center. */
@Injectable()
export class DocumentsRepository {
  constructor(
    @InjectRepository(Document) private readonly docsRaw: Repository<Document>,
    @InjectRepository(DocumentChunk) private readonly chunksRaw: Repository<DocumentChunk>,
    @InjectRepository(DocumentQuota) private readonly quotasRaw: Repository<DocumentQuota>,
    private readonly tx: Transactions,
  ) {}

  private get docs(): Repository<Document> {
    return this.tx.bind(this.docsRaw);
  }

  private get chunks(): Repository<DocumentChunk> {
    return this.tx.bind(this.chunksRaw);
  }

  private get quotas(): Repository<DocumentQuota> {
    return this.tx.bind(this.quotasRaw);
  }

  /** The document row (call inside a transaction with its chunks: all or nothing). */
  async insertDocument(doc: Document): Promise<void> {
    await this.docs.insert(doc);
  }

  /** Up to CHUNKS_PER_INSERT chunks of a document inserted in the same transaction. */
  async insertChunks(chunks: DocumentChunk[]): Promise<void> {
    for (let i = 0; i < chunks.length; i += CHUNKS_PER_INSERT) await this.chunks.insert(chunks.slice(i, i + CHUNKS_PER_INSERT));
  }

  async find(centerId: string, id: string): Promise<Document | null> {
    return isUuid(id) ? this.docs.findOneBy({ centerId, id }) : null;
  }

  countChunks(centerId: string, documentId: string): Promise<number> {
    return this.chunks.countBy({ centerId, documentId });
  }

  /** `count` encrypted chunks from index `from` on, in order (a download reads a few at a time). */
  chunkRange(centerId: string, documentId: string, from: number, count: number): Promise<DocumentChunk[]> {
    return this.chunks.find({ where: { centerId, documentId, idx: Between(from, from + count - 1) }, order: { idx: 'ASC' } });
  }

  /**
   * Attaches the uploader's own unattached documents of this thread to a post, with its seq; true
   * when every one of `ids` was taken (a conditional update: two posts cannot take the same document).
   */
  async attach(centerId: string, threadId: string, uploaderId: string, postId: string, postSeq: number, ids: string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    if (!ids.every(isUuid)) return false;
    const res = await this.docs.update({ centerId, threadId, uploaderId, postId: IsNull(), id: In(ids) }, { postId, postSeq });
    return (res.affected ?? 0) === ids.length;
  }

  forPosts(centerId: string, postIds: string[]): Promise<Document[]> {
    if (postIds.length === 0) return Promise.resolve([]);
    return this.docs.find({ where: { centerId, postId: In(postIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async deleteForThread(centerId: string, threadId: string): Promise<number> {
    const ids = (await this.docs.find({ select: { id: true }, where: { centerId, threadId } })).map((d) => d.id);
    await this.deleteIds(centerId, ids);
    return ids.length;
  }

  async deleteUploadedBy(centerId: string, uploaderId: string): Promise<number> {
    const ids = (await this.docs.find({ select: { id: true }, where: { centerId, uploaderId } })).map((d) => d.id);
    await this.deleteIds(centerId, ids);
    return ids.length;
  }

  /** Unattached documents uploaded before `before` (any center), a batch at a time. */
  unattachedBefore(before: Date, limit: number): Promise<Pick<Document, 'id' | 'centerId'>[]> {
    return this.docs.find({ select: { id: true, centerId: true }, where: { postId: IsNull(), createdAt: LessThan(before) }, take: limit });
  }

  /** Deletes these documents of the center with their chunks (call inside a transaction). */
  private async deleteIds(centerId: string, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      await this.chunks.delete({ centerId, documentId: In(batch) });
      await this.docs.delete({ centerId, id: In(batch) });
    }
  }

  /**
   * Deletes a document only while no post has taken it (call inside a transaction): the row goes
   * first, conditionally, so a post that attaches it at the same moment either wins (nothing is
   * deleted) or finds it gone (the post is refused); its chunks go only with the row.
   */
  async deleteIfUnattached(centerId: string, id: string): Promise<boolean> {
    const res = await this.docs.delete({ centerId, id, postId: IsNull() });
    if ((res.affected ?? 0) === 0) return false;
    await this.chunks.delete({ centerId, documentId: id });
    return true;
  }

  async usage(centerId: string, accountId: string, day: string): Promise<{ uploads: number; bytes: number }> {
    const row = await this.quotas.findOneBy({ centerId, accountId, day });
    return { uploads: row?.uploads ?? 0, bytes: row?.bytes ?? 0 };
  }

  /** Makes sure the day's counter row exists (another request may create it at the same moment). */
  async ensureQuotaRow(row: DocumentQuota): Promise<void> {
    try {
      await this.quotas.insert(row);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  /** Counts one upload of `bytes` unless that would pass a limit; the database decides, so two nodes cannot both take the last one. */
  async reserve(centerId: string, accountId: string, day: string, bytes: number, maxUploads: number, maxBytes: number): Promise<boolean> {
    const res = await this.quotas
      .createQueryBuilder()
      .update(DocumentQuota)
      .set({ uploads: () => 'uploads + 1', bytes: () => `bytes + ${Math.floor(bytes)}` })
      .where('center_id = :centerId AND account_id = :accountId AND day = :day', { centerId, accountId, day })
      .andWhere('uploads < :maxUploads AND bytes + :bytes <= :maxBytes', { maxUploads, bytes, maxBytes })
      .execute();
    return (res.affected ?? 0) === 1;
  }

  async deleteQuotasOf(centerId: string, accountId: string): Promise<void> {
    await this.quotas.delete({ centerId, accountId });
  }

  /** Counters of days before `day` (`YYYY-MM-DD`) are no longer needed. */
  async deleteQuotasBefore(day: string): Promise<void> {
    await this.quotas.delete({ day: LessThan(day) });
  }
}
