import { Injectable } from '@nestjs/common';
import { ENQUIRY_ROUTER, EnquiryRouter, LEAVE_WAITING } from './enquiry-router.port';
import { NO_POST_DOCUMENTS, POST_DOCUMENTS, PostDocuments } from './post-documents.port';
import { NO_ABSENCE, THREAD_ABSENCE, ThreadAbsence } from './thread-absence.port';

export interface ThreadPortMap {
  [POST_DOCUMENTS]: PostDocuments;
  [THREAD_ABSENCE]: ThreadAbsence;
  [ENQUIRY_ROUTER]: EnquiryRouter;
}
export type ThreadPortToken = keyof ThreadPortMap;

/**
 * What other modules plug into threads: modules that depend on ThreadsService (documents,
 * absences, crisis contacts) register their implementation here in `onModuleInit`, so the threads
 * module never imports them (no cycle, no forwardRef). Each port has a no-op default.
 */
@Injectable()
export class ThreadPorts {
  private readonly impls: ThreadPortMap = {
    [POST_DOCUMENTS]: NO_POST_DOCUMENTS,
    [THREAD_ABSENCE]: NO_ABSENCE,
    [ENQUIRY_ROUTER]: LEAVE_WAITING,
  };

  register<K extends ThreadPortToken>(token: K, impl: ThreadPortMap[K]): void {
    this.impls[token] = impl;
  }

  get<K extends ThreadPortToken>(token: K): ThreadPortMap[K] {
    return this.impls[token];
  }
}
