import type { center as de } from '../de/center';

/** Portal texts: center (English). */
export const center: typeof de = {
  title: 'Center',
};
