import type { account as de } from '../de/account';

/** Portal texts: the account page (English). */
export const account: typeof de = {
  title: 'My account',
  detailsHeading: 'Your details',
  nameLabel: 'Name',
  roleLabel: 'Role',
  passwordHeading: 'Change password',
  passwordIntro: 'Afterwards you are logged in here only: every other login, on other devices or in other browsers, ends.',
  currentPasswordLabel: 'Current password',
  newPasswordLabel: 'New password',
  changePassword: 'Change password',
  passwordChanged: 'Your password is changed. Every other login has ended.',
  errCurrentWrong: 'The current password is wrong.',
  logoutHeading: 'Log out',
  logoutIntro: 'On a shared device, please always log out when you are done.',
  deleteHeading: 'Delete account',
  deleteIntro: 'You can delete your account yourself at any time.',
  deleteOpen: 'Delete account …',
  deleteStaff: 'Staff accounts are deleted by the administration of the counseling center.',
  dialogTitle: 'Delete the account for good?',
  dialogWhat: 'This deletes:',
  dialogItems: ['your account with your pseudonym', 'all your chats and messages', 'your email address, if you gave one'],
  dialogIrreversible: 'This cannot be undone. The counseling center cannot restore any of it either.',
  dialogPasswordLabel: 'Your password, to confirm',
  dialogConfirm: 'Delete account for good',
  errPasswordWrong: 'The password is wrong.',
  notices: {
    accountDeleted: 'Your account and everything that belonged to it is deleted.',
    loggedOut: 'You are logged out.',
    confirmEmailSent: 'We have sent you an email. Please confirm your address with the link in it; only then do we use it.',
  },
};
