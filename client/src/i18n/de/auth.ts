/** Portal texts: auth (German). Owned by the auth pages. */
export const auth = {
  title: 'Auth',
};
