/**
 * A counselor's absence, as the threads module needs it (implemented by the absences module).
 *
 * Register the implementation in the ThreadPorts registry exported by ThreadsModule, in the
 * implementing provider's `onModuleInit()`: `this.ports.register(THREAD_ABSENCE, this)` (see
 * post-documents.port.ts). Until one registers, nobody is ever absent (NO_ABSENCE).
 *
 * Used by: `GET /api/threads/:id` (`absence: { until, text } | null` for the thread's counselor) and
 * the notification mails (a mail for an absent counselor goes to the center's admins instead).
 */
export const THREAD_ABSENCE = 'threads.absence';

export interface ActiveAbsence {
  until: Date;
  /** The counselor's absence text, decrypted (shown to the thread's members). */
  text: string;
}

export interface ThreadAbsence {
  /** The absence of this counselor that is active now, or null. */
  activeFor(centerId: string, counselorId: string): Promise<ActiveAbsence | null>;
}

export const NO_ABSENCE: ThreadAbsence = {
  activeFor() {
    return Promise.resolve(null);
  },
};
