import type { stats as de } from '../de/stats';

/** Portal texts: the stats pages (English; issue 13). */
export const stats: typeof de = {
  title: 'Statistics',
};
