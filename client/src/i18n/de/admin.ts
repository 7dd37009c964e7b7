/** Portal texts: admin (German). Owned by the admin pages. */
export const admin = {
  title: 'Admin',
};
