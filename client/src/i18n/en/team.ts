import type { team as de } from '../de/team';

/** Portal texts: the team pages (English; issue 13). */
export const team: typeof de = {
  title: 'Team',
};
