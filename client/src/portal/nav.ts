import type { CenterPublicInfo, Role } from '../../../src/realtime/contract';
import type { Messages } from '../i18n';

export type NavKey = keyof Messages['common']['nav'];

/** A feature a center may lack: `video` needs a configured video server (`GET /api/centers/:center` says `video: true`). */
export type NavRequirement = 'video';

export interface NavEntry {
  key: NavKey;
  path: string;
  /** Shown only when the center has this feature. */
  requires?: NavRequirement;
}

/**
 * The signed-in areas of each role, in menu order. Later features (mail threads, appointments,
 * video rooms) add one entry here and one route in app.tsx; the shell needs nothing else.
 */
export const NAV: Record<Exclude<Role, 'visitor'>, NavEntry[]> = {
  client: [
    { key: 'rooms', path: 'rooms' },
    { key: 'threads', path: 'threads' },
    { key: 'appointments', path: 'appointments' },
    { key: 'video', path: 'video', requires: 'video' },
    { key: 'topics', path: 'topics' },
  ],
  counselor: [
    { key: 'live', path: 'live' },
    { key: 'threads', path: 'threads' },
    { key: 'rooms', path: 'rooms' },
    { key: 'topics', path: 'topics' },
    { key: 'appointments', path: 'appointments' },
    { key: 'video', path: 'video', requires: 'video' },
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

/** Whether the center has a feature (video: only when the server says `video: true`). */
export function centerHas(info: CenterPublicInfo | null | undefined, feature: NavRequirement): boolean {
  return info?.[feature] === true;
}

/** A role's menu at a center: the entries whose feature the center has. */
export function navFor(role: Exclude<Role, 'visitor'>, info: CenterPublicInfo | null | undefined): NavEntry[] {
  return NAV[role].filter((e) => !e.requires || centerHas(info, e.requires));
}
