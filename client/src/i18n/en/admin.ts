import type { admin as de } from '../de/admin';

/** Portal texts: admin (English). */
export const admin: typeof de = {
  title: 'Admin',
};
