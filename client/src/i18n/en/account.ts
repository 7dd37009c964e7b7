import type { account as de } from '../de/account';

/** Portal texts: account (English). */
export const account: typeof de = {
  title: 'Account',
};
