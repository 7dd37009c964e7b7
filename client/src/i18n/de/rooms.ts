/** Portal texts: rooms (German). Owned by the rooms pages. */
export const rooms = {
  title: 'Rooms',
};
