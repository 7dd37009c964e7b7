import { useEffect, useMemo } from 'preact/hooks';
import { useStore } from '../../lib/store';
import type { PortalSession } from '../session';
import { endRoomsSession, roomsSessionFor, RoomsSession, RoomsSocket } from './rooms-session';

/**
 * The rooms session of the signed-in person (one per login and socket, shared by the rooms list
 * and the room page), told whether the page is seen (read markers move only then).
 */
export function useRoomsSession(session: PortalSession): RoomsSession | null {
  const auth = useStore(session).auth;
  // (null for the moment between a logout and the redirect to the login page)
  const socket = auth ? session.socket() : null;
  const rooms = useMemo(
    () =>
      auth &&
      socket &&
      roomsSessionFor(auth.token, socket, () => {
        const rooms = new RoomsSession({
          // socket.io-client's generic on/emit are conditional types TS cannot compare with a pick; the events are the contract's
          socket: socket as unknown as RoomsSocket,
          call: (path, init) => session.call(path, init),
          self: auth.account,
          store: sessionStorage,
        });
        const stop = session.subscribe(() => {
          if (session.state.auth?.token === auth.token) return;
          stop();
          endRoomsSession(rooms);
        });
        return rooms;
      }),
    [auth, socket, session],
  );
  useEffect(() => {
    if (!rooms) return;
    const seen = () => rooms.setVisible(document.visibilityState === 'visible');
    seen();
    document.addEventListener('visibilitychange', seen);
    return () => document.removeEventListener('visibilitychange', seen);
  }, [rooms]);
  return rooms || null;
}
