/** Portal texts: the appointments pages (German; issue 13). Owned by the appointments pages. */
export const appointments = {
  title: 'Termine',
};
