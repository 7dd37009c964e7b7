import type { PortalSession } from './session';

/** What every portal page receives from the router (path params arrive as props too). */
export interface PageProps {
  session: PortalSession;
  /** The center's slug from `/c/:center/…`. */
  center: string;
  /** Further path params (`:id`), as preact-iso passes them. */
  params?: Record<string, string>;
}
