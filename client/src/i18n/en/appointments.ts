import type { appointments as de } from '../de/appointments';

/** Portal texts: the appointments pages (English; issue 13). */
export const appointments: typeof de = {
  title: 'Appointments',
};
