import { useEffect, useMemo } from 'preact/hooks';
import { useStore } from '../../lib/store';
import type { PortalSession } from '../session';
import { VideoSession } from './video-session';

/** The video session of the signed-in counselor or client on this page (null for anyone else). */
export function useVideoSession(session: PortalSession, center: string): VideoSession | null {
  const auth = useStore(session).auth;
  const role = auth?.account.role;
  const token = auth?.token;
  const video = useMemo(
    () => (token && (role === 'counselor' || role === 'client') ? new VideoSession({ call: (path, init) => session.call(path, init), role, center }) : null),
    [session, token, role, center],
  );
  useEffect(() => () => video?.destroy(), [video]);
  return video;
}
