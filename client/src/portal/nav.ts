import type { Role } from '../../../src/realtime/contract';
import type { Messages } from '../i18n';

export type NavKey = keyof Messages['common']['nav'];

/**
 * The signed-in areas of each role, in menu order. Later features (mail threads, appointments,
 * video rooms) add one entry here and one route in app.tsx; the shell needs nothing else.
 */
export const NAV: Record<Exclude<Role, 'visitor'>, { key: NavKey; path: string }[]> = {
  client: [
    { key: 'rooms', path: 'rooms' },
    { key: 'threads', path: 'threads' },
    { key: 'appointments', path: 'appointments' },
    { key: 'video', path: 'video' },
    { key: 'topics', path: 'topics' },
  ],
  counselor: [
    { key: 'live', path: 'live' },
    { key: 'threads', path: 'threads' },
    { key: 'rooms', path: 'rooms' },
    { key: 'topics', path: 'topics' },
    { key: 'appointments', path: 'appointments' },
    { key: 'video', path: 'video' },
    { key: 'canned', path: 'canned' },
    { key: 'absence', path: 'absence' },
    { key: 'profile', path: 'profile' },
  ],
  admin: [
    { key: 'overview', path: 'overview' },
    { key: 'enquiries', path: 'enquiries' },
    { key: 'staff', path: 'staff' },
    { key: 'clients', path: 'clients' },
    { key: 'topics', path: 'topics' },
    { key: 'stats', path: 'stats' },
    { key: 'settings', path: 'settings' },
  ],
};

/** Where a role lands after login. */
export function homePath(center: string, role: Role): string {
  const first = role === 'visitor' ? undefined : NAV[role][0];
  return `/c/${encodeURIComponent(center)}/app/${first?.path ?? ''}`;
}
