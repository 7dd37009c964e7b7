import type { auth as de } from '../de/auth';

/** Portal texts: login, registration, forgotten password (English). */
export const auth: typeof de = {
  /** The area's title (kept for pages that used the shell's placeholder key). */
  title: 'Log in',
  loginTitle: 'Log in',
  loginIntro: 'Clients log in with their pseudonym, staff of the counseling center with their email address.',
  loginLabel: 'Pseudonym or email address',
  passwordLabel: 'Password',
  showPassword: 'Show password',
  loginSubmit: 'Log in',
  loginFailed: 'The pseudonym or email address and the password do not match. Please check both.',
  forgotLink: 'Forgot your password?',
  noAccount: 'No account yet?',
  registerLink: 'Register now',
  haveAccount: 'Registered already?',
  loginLink: 'Log in here',
  signedInAs: (name: string) => `You are logged in as ${name}.`,
  toHome: 'Continue to your area',
  sending: 'Sending …',
  registerTitle: 'Register',
  registerIntro: 'All you need is a made-up name (a pseudonym) and a password. You do not give your real name, phone number or address.',
  usernameLabel: 'Pseudonym',
  usernameHint: '3 to 40 characters: letters, digits, dot, hyphen or underscore. Please not your real name.',
  passwordHint: 'At least 8 characters and not a common password like "password123". A sentence of several words is safe and easy to remember.',
  emailLabel: 'Email address',
  emailHint:
    'Only for notices about new messages and to reset a forgotten password. You first get an email with a link to confirm it; only then do we use the address.',
  noResetWarning:
    'Important: without a confirmed email address a forgotten password cannot be reset, and the account can no longer be reached. Please remember your password well.',
  registerSubmit: 'Create account',
  errLoginRequired: 'Please enter your pseudonym or your email address.',
  errUsernameRequired: 'Please enter a pseudonym.',
  errUsernameFormat: 'The pseudonym needs 3 to 40 characters: letters, digits, dot, hyphen or underscore (no spaces).',
  errUsernameTaken: 'This pseudonym is taken, or looks confusingly like one that is. Please choose another one.',
  errUsernameRefused:
    'This pseudonym is not possible: it could be mistaken for a team member’s name or contains invisible characters. Please choose another one.',
  errPasswordRequired: 'Please enter a password.',
  errPasswordShort: 'The password is too short. It needs at least 8 characters.',
  errPasswordLong: 'The password is too long (at most 72 bytes; accented letters and emoji count several times).',
  errPasswordCommon: 'This password is very common and easy to guess. Please choose another one.',
  errEmail: 'This email address is not quite right, for example name@example.org. You can also leave the field empty.',
  rateLimited: (seconds: number) =>
    seconds <= 120
      ? `Too many attempts in a short time. Please wait ${seconds} seconds and then try again.`
      : `Too many attempts in a short time. Please wait ${Math.ceil(seconds / 60)} minutes (${seconds} seconds) and then try again.`,
  resetTitle: 'Forgot your password',
  resetIntro:
    'Enter your pseudonym or your email address. If your account has a confirmed email address, we send a link there with which you set a new password. The link works for one hour.',
  resetNoEmail:
    'An account with only a pseudonym and no confirmed email address cannot be reset, because we cannot reach you. You can create a new account at any time, though.',
  resetSubmit: 'Send link',
  resetSent: 'If this account has a confirmed email address, the link is on its way. Please also look in your spam folder. The link works for one hour.',
  newPasswordTitle: 'Set a new password',
  newPasswordIntro: 'The new password ends every earlier login, on other devices too.',
  newPasswordLabel: 'New password',
  newPasswordSubmit: 'Save password',
  resetLinkInvalid: 'This link does not work (any more): it expired after an hour or has been used already. Just ask for a new one.',
  requestNew: 'Ask for a new link',
  resetDone: 'Your new password is set. Every other login has ended, and you are now logged in.',
};
