/** Portal texts: the stats pages (German; issue 13). Owned by the stats pages. */
export const stats = {
  title: 'Statistik',
};
