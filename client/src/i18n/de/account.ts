/** Portal texts: account (German). Owned by the account pages. */
export const account = {
  title: 'Account',
};
