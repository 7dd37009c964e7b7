import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Cron, CronExpression } from '@nestjs/schedule';
import type { AuthContext } from '../../common/auth-context';
import { Clock, IdGenerator } from '../../common/clock';
import { DomainError, errors } from '../../common/errors';
import { ACCOUNT_DELETING, AccountDeletingEvent, STAFF_ACCOUNT_RETIRING, THREAD_DELETING, type ThreadDeletingEvent } from '../../common/events';
import { Transactions } from '../../infra/database/transactions';
import { CentersService } from '../centers/centers.service';
import { CipherContext, CryptoService } from '../crypto/crypto.service';
import { POST_DOCUMENTS, type PostDocuments, type PostDocumentView } from '../threads/post-documents.port';
import { ThreadPorts } from '../threads/thread-ports';
import type { Thread } from '../threads/thread.entity';
import { ThreadsService } from '../threads/threads.service';
import { DocumentChunk } from './document-chunk.entity';
import { attachmentDisposition, cleanDocumentName } from './document-names';
import { DocumentQuota } from './document-quota.entity';
import { documentErrors } from './documents.errors';
import { Document, DocumentUploaderRole } from './document.entity';
import { CHUNKS_PER_INSERT, DocumentsRepository } from './documents.repository';
import { dayIn, msUntilNextDay } from '../../common/zoned-day';
import type { ReadStreamedUpload, StreamedUpload } from './multipart-upload';
import { startsLikePdf } from './pdf-inspection';
import { inspectPdfIsolated } from './pdf-sandbox';
import { SCRATCH_RECORD_BYTES, ScratchDir } from './scratch-file';
import { Readable } from 'node:stream';
import type { Center } from '../centers/center.entity';

/**
 * Plaintext bytes per chunk: with the 65-byte envelope a chunk stays below MariaDB's 64 KiB `blob`.
 * One record of an upload's scratch file is one chunk.
 */
export const CHUNK_BYTES = SCRATCH_RECORD_BYTES;
/** Chunks a download reads (and holds) at once. */
const CHUNKS_PER_READ = 4;
/** An upload that no post took within this time is deleted. */
export const UNATTACHED_TTL_MS = 24 * 60 * 60 * 1000;

/** What a download answers: the controller turns it into headers and a body streamed chunk by chunk. */
export interface DocumentDownload {
  name: string;
  size: number;
  body: Readable;
  disposition: string;
}

type ThreadKeyed = Pick<Thread, 'id' | 'centerId' | 'kind' | 'clientId'>;

/**
 * PDFs in threads: upload (inspect, quota, encrypt, store), download (members who can see the post,
 * or the uploader before it is attached), and the POST_DOCUMENTS port the threads module calls when
 * a post takes documents, lists them, or a thread is deleted.
 */
@Injectable()
export class DocumentsService implements PostDocuments, OnModuleInit {
  private readonly logger = new Logger(DocumentsService.name);

  constructor(
    private readonly repo: DocumentsRepository,
    private readonly threads: ThreadsService,
    private readonly ports: ThreadPorts,
    private readonly centers: CentersService,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly tx: Transactions,
    private readonly scratch: ScratchDir,
  ) {}

  onModuleInit(): void {
    this.ports.register(POST_DOCUMENTS, this);
  }

  /**
   * Membership and the quota are checked before a byte of the body is read; the body is refused
   * while it streams once it passes the center's limit; nothing is stored unless the bytes are a
   * clean PDF and the quota takes it. A refusal leaves no row and no file. The body goes to an
   * encrypted scratch file (never whole into memory except behind the inspection's gate), which is
   * removed when the upload ends, whatever the outcome.
   */
  async upload(auth: AuthContext, threadId: string, read: ReadStreamedUpload): Promise<PostDocumentView> {
    const { thread, role } = await this.threads.access(auth, threadId);
    if (thread.status === 'closed') throw errors.conflict('This thread is closed.');
    const center = await this.centers.byId(auth.centerId);
    const now = this.clock.now();
    const day = dayIn(center.timeZone, now);
    const used = await this.repo.usage(auth.centerId, auth.subjectId, day);
    if (used.uploads >= center.documentDailyQuota || used.bytes >= center.documentDailyBytes) throw this.quotaReached(center.timeZone, now);

    const upload = await read(center.documentMaxBytes, this.scratch);
    try {
      return await this.store(auth, thread, role, center, day, upload);
    } finally {
      await upload.file.discard();
    }
  }

  private async store(
    auth: AuthContext,
    thread: Thread,
    role: DocumentUploaderRole,
    center: Center,
    day: string,
    { name: rawName, file }: StreamedUpload,
  ): Promise<PostDocumentView> {
    if (file.size > center.documentMaxBytes) throw documentErrors.tooLarge(center.documentMaxBytes);
    // what inspectPdf refuses first, on the bytes kept while streaming: a file that is not even a
    // PDF neither waits for the gate nor is decrypted whole
    if (file.size === 0) throw documentErrors.empty();
    if (!startsLikePdf(file.firstBytes)) throw documentErrors.notAPdf();
    await inspectPdfIsolated(() => file.readAll());

    const now = this.clock.now();
    const doc = Object.assign(new Document(), {
      id: this.ids.uuid(),
      centerId: auth.centerId,
      threadId: thread.id,
      uploaderId: auth.subjectId,
      uploaderRole: role,
      postId: null,
      postSeq: null,
      size: file.size,
      chunkCount: file.records,
      createdAt: now,
    });
    const name = cleanDocumentName(rawName);
    doc.nameEnc = await this.crypto.encrypt(this.ctx(thread, doc, 'name_enc'), name);

    await this.repo.ensureQuotaRow(
      Object.assign(new DocumentQuota(), { id: this.ids.uuid(), centerId: auth.centerId, accountId: auth.subjectId, day, uploads: 0, bytes: 0 }),
    );
    await this.tx.run(async () => {
      const ok = await this.repo.reserve(auth.centerId, auth.subjectId, day, doc.size, center.documentDailyQuota, center.documentDailyBytes);
      if (!ok) throw this.quotaReached(center.timeZone, now);
      await this.repo.insertDocument(doc);
      // read from the scratch file, encrypted and written a batch at a time: an upload holds at
      // most CHUNKS_PER_INSERT chunks, never the file
      for (let first = 0; first < doc.chunkCount; first += CHUNKS_PER_INSERT) {
        const batch: DocumentChunk[] = [];
        for (let idx = first; idx < Math.min(doc.chunkCount, first + CHUNKS_PER_INSERT); idx++) {
          const data = await this.crypto.encryptBytes(this.ctx(thread, doc, 'data', idx), await file.read(idx));
          batch.push(Object.assign(new DocumentChunk(), { documentId: doc.id, idx, centerId: doc.centerId, data }));
        }
        await this.repo.insertChunks(batch);
      }
    });
    return { id: doc.id, name, size: doc.size };
  }

  /** NOT_FOUND unless the caller may see the document: a member who sees its post, or its uploader while it is unattached. */
  async download(auth: AuthContext, id: string): Promise<DocumentDownload> {
    const doc = await this.repo.find(auth.centerId, id);
    if (!doc) throw errors.notFound('The document');
    const access = await this.threads.access(auth, doc.threadId).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'NOT_FOUND') return null;
      throw err;
    });
    const visible =
      access !== null && (doc.uploaderId === auth.subjectId || (doc.postId !== null && doc.postSeq !== null && doc.postSeq > access.visibleFromSeq));
    if (!access || !visible) throw errors.notFound('The document');
    const { thread } = access;
    const name = await this.crypto.decrypt(this.ctx(thread, doc, 'name_enc'), doc.nameEnc);
    const stored = await this.repo.countChunks(doc.centerId, doc.id);
    if (stored !== doc.chunkCount) {
      this.logger.error({ documentId: doc.id, expected: doc.chunkCount, found: stored }, 'document chunks missing');
      throw errors.notFound('The document');
    }
    // the first chunks before the answer begins: a key that fails is an INTERNAL answer, not a cut-off body
    const first = await this.plainChunks(thread, doc, 0);
    const chunks = async function* (this: DocumentsService): AsyncGenerator<Buffer> {
      yield* first;
      for (let from = CHUNKS_PER_READ; from < doc.chunkCount; from += CHUNKS_PER_READ) yield* await this.plainChunks(thread, doc, from);
    }.call(this);
    // a failure later cuts the connection (the length was announced): never garbage, never a silent end
    const body = Readable.from(chunks, { objectMode: false, highWaterMark: CHUNK_BYTES });
    return { name, size: doc.size, body, disposition: attachmentDisposition(name) };
  }

  /** Up to CHUNKS_PER_READ chunks from `from` on, decrypted; a chunk that is missing (deleted meanwhile) is an error. */
  private async plainChunks(thread: ThreadKeyed, doc: Document, from: number): Promise<Buffer[]> {
    const want = Math.min(CHUNKS_PER_READ, doc.chunkCount - from);
    const rows = await this.repo.chunkRange(doc.centerId, doc.id, from, want);
    if (rows.length !== want || rows.some((row, i) => row.idx !== from + i)) {
      this.logger.error({ documentId: doc.id, from, expected: want, found: rows.length }, 'document chunks missing');
      throw new Error('document chunks missing');
    }
    const out: Buffer[] = [];
    for (const row of rows) out.push(await this.crypto.decryptBytes(this.ctx(thread, doc, 'data', row.idx), row.data));
    return out;
  }

  // ---- the POST_DOCUMENTS port (called by the threads module) ----

  async attach(auth: AuthContext, threadId: string, postId: string, postSeq: number, documentIds: string[]): Promise<void> {
    const ids = [...new Set(documentIds)];
    if (ids.length === 0) return;
    if (ids.length > 10) throw errors.validation('A post takes at most 10 documents.', ['documentIds']);
    // someone else's, another thread's, an attached or a swept document: as if it did not exist
    if (!(await this.repo.attach(auth.centerId, threadId, auth.subjectId, postId, postSeq, ids))) throw errors.notFound('The document');
  }

  async forPosts(centerId: string, postIds: string[]): Promise<Map<string, PostDocumentView[]>> {
    const rows = await this.repo.forPosts(centerId, postIds);
    const out = new Map<string, PostDocumentView[]>();
    const threads = new Map<string, ThreadKeyed | null>();
    for (const doc of rows) {
      if (!doc.postId) continue;
      if (!threads.has(doc.threadId)) threads.set(doc.threadId, await this.threads.findThread(centerId, doc.threadId));
      const thread = threads.get(doc.threadId);
      if (!thread) continue;
      const name = await this.crypto.decrypt(this.ctx(thread, doc, 'name_enc'), doc.nameEnc);
      const list = out.get(doc.postId) ?? [];
      list.push({ id: doc.id, name, size: doc.size });
      out.set(doc.postId, list);
    }
    return out;
  }

  async deleteForThread(centerId: string, threadId: string): Promise<void> {
    await this.repo.deleteForThread(centerId, threadId);
  }

  /**
   * A thread that goes takes its documents along, inside its deletion: the retention sweep emits
   * only this event (the erasure of an account also calls `deleteForThread`; twice is harmless).
   */
  @OnEvent(THREAD_DELETING, { async: true, promisify: true })
  async onThreadDeleting(event: ThreadDeletingEvent): Promise<void> {
    await this.repo.deleteForThread(event.centerId, event.threadId);
  }

  /**
   * A deleted client's uploads go everywhere (group threads too; their 1:1 threads go whole through
   * `deleteForThread`), and their counters. A retired counselor's uploads stay with the client's
   * conversation (encrypted with the client's or the thread's key, not the counselor's); counters go.
   */
  @OnEvent(ACCOUNT_DELETING, { async: true, promisify: true })
  async onAccountDeleting(event: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteUploadedBy(event.centerId, event.accountId);
    await this.repo.deleteQuotasOf(event.centerId, event.accountId);
  }

  @OnEvent(STAFF_ACCOUNT_RETIRING, { async: true, promisify: true })
  async onStaffRetiring(event: AccountDeletingEvent): Promise<void> {
    await this.repo.deleteQuotasOf(event.centerId, event.accountId);
  }

  /**
   * Uploads no post took within a day go, and counters of past days. Every node may run it: a
   * delete of what is still unattached is the same on whichever node wins.
   */
  @Cron(CronExpression.EVERY_10_MINUTES)
  async sweep(): Promise<number> {
    const now = this.clock.now();
    let removed = 0;
    for (;;) {
      const batch = await this.repo.unattachedBefore(new Date(now.getTime() - UNATTACHED_TTL_MS), 100);
      for (const d of batch) if (await this.tx.run(() => this.repo.deleteIfUnattached(d.centerId, d.id))) removed++;
      if (batch.length < 100) break;
    }
    // two days back in UTC: older than "today" in every time zone
    await this.repo.deleteQuotasBefore(dayIn('UTC', new Date(now.getTime() - 2 * UNATTACHED_TTL_MS)));
    return removed;
  }

  private quotaReached(timeZone: string, now: Date) {
    return documentErrors.quotaReached(msUntilNextDay(timeZone, now));
  }

  /** The key `cipherFor` names for the uploader, bound to the document (and chunk) it belongs to. */
  private ctx(thread: ThreadKeyed, doc: Pick<Document, 'id' | 'uploaderId' | 'uploaderRole'>, column: 'name_enc' | 'data', idx?: number): CipherContext {
    const role: DocumentUploaderRole = doc.uploaderRole;
    const base = this.threads.cipherFor(thread, doc.uploaderId, role);
    return column === 'data'
      ? { ...base, table: 'document_chunks', column, rowId: `${doc.id}:${idx ?? 0}` }
      : { ...base, table: 'documents', column, rowId: doc.id };
  }
}
