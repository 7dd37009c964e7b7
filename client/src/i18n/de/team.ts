/** Portal texts: the team pages (German; issue 13). Owned by the team pages. */
export const team = {
  title: 'Team',
};
