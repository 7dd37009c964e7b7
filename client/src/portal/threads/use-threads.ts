import { useEffect, useMemo } from 'preact/hooks';
import { useStore } from '../../lib/store';
import type { PortalSession } from '../session';
import { endThreadsSession, ThreadsSession, threadsSessionFor, ThreadsSocket } from './threads-session';

/**
 * The threads session of the signed-in person (one per login and socket, shared by the list and
 * the thread page), told whether the page is seen (the read marker moves only then).
 */
export function useThreadsSession(session: PortalSession): ThreadsSession | null {
  const auth = useStore(session).auth;
  const socket = auth ? session.socket() : null;
  const threads = useMemo(
    () =>
      auth &&
      socket &&
      threadsSessionFor(auth.token, socket, () => {
        const threads = new ThreadsSession({
          // socket.io-client's generic on/off are conditional types TS cannot compare with a pick; the events are the contract's
          socket: socket as unknown as ThreadsSocket,
          call: (path, init) => session.call(path, init),
          upload: (path, file, name) => session.upload(path, file, name),
          self: auth.account,
        });
        const stop = session.subscribe(() => {
          if (session.state.auth?.token === auth.token) return;
          stop();
          endThreadsSession(threads);
        });
        return threads;
      }),
    [auth, socket, session],
  );
  useEffect(() => {
    if (!threads) return;
    const seen = () => threads.setVisible(document.visibilityState === 'visible');
    seen();
    document.addEventListener('visibilitychange', seen);
    return () => document.removeEventListener('visibilitychange', seen);
  }, [threads]);
  return threads || null;
}
