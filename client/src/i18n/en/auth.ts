import type { auth as de } from '../de/auth';

/** Portal texts: auth (English). */
export const auth: typeof de = {
  title: 'Auth',
};
