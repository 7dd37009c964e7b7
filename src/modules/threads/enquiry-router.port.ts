/**
 * Who takes a new enquiry at once (issue 13: crisis contacts). Register an implementation in the
 * ThreadPorts registry (`ports.register(ENQUIRY_ROUTER, impl)`, see post-documents.port.ts). The
 * default leaves every enquiry waiting for the admin's assignment.
 */
export const ENQUIRY_ROUTER = 'threads.enquiry-router';

export interface EnquiryRouter {
  /** The id of an active counselor of the center who takes this enquiry at once, or null (it waits). */
  counselorFor(centerId: string, enquiry: { threadId: string; clientId: string }): Promise<string | null>;
}

export const LEAVE_WAITING: EnquiryRouter = {
  counselorFor() {
    return Promise.resolve(null);
  },
};
