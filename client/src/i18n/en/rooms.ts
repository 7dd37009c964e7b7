import type { rooms as de } from '../de/rooms';

/** Portal texts: rooms (English). */
export const rooms: typeof de = {
  title: 'Rooms',
};
