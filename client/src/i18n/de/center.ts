/** Portal texts: center (German). Owned by the center pages. */
export const center = {
  title: 'Center',
};
