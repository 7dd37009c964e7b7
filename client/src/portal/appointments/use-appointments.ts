import { useEffect, useMemo } from 'preact/hooks';
import { useStore } from '../../lib/store';
import type { PortalSession } from '../session';
import { AppointmentsSession, appointmentsSessionFor, AppointmentsSocket, endAppointmentsSession } from './appointments-session';

/**
 * The appointments session of the signed-in client or counselor (one per login and socket), read
 * again when the page is seen again; null for anyone else.
 */
export function useAppointmentsSession(session: PortalSession, center: string): AppointmentsSession | null {
  const auth = useStore(session).auth;
  const role = auth?.account.role;
  const socket = auth && (role === 'client' || role === 'counselor') ? session.socket() : null;
  const appointments = useMemo(
    () =>
      auth &&
      socket &&
      (role === 'client' || role === 'counselor') &&
      appointmentsSessionFor(auth.token, socket, () => {
        const made = new AppointmentsSession({
          // socket.io-client's generic on/off are conditional types TS cannot compare with a pick; the event is the contract.s
          socket: socket as unknown as AppointmentsSocket,
          call: (path, init) => session.call(path, init),
          download: (path) => session.download(path),
          role,
          center,
        });
        const stop = session.subscribe(() => {
          if (session.state.auth?.token === auth.token) return;
          stop();
          endAppointmentsSession(made);
        });
        return made;
      }),
    [auth, socket, role, session, center],
  );
  useEffect(() => {
    if (!appointments) return;
    // other clients' bookings are not pushed to this one: a page seen again reads the free slots again
    const seen = () => {
      if (document.visibilityState === 'visible') void appointments.reload();
    };
    document.addEventListener('visibilitychange', seen);
    return () => document.removeEventListener('visibilitychange', seen);
  }, [appointments]);
  return appointments || null;
}
