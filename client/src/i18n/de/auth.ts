/** Portal texts: login, registration, forgotten password (German). Owned by the auth pages. */
export const auth = {
  /** The area's title (kept for pages that used the shell's placeholder key). */
  title: 'Anmelden',
  loginTitle: 'Anmelden',
  loginIntro: 'Ratsuchende melden sich mit ihrem Pseudonym an, Mitarbeitende der Beratungsstelle mit ihrer E-Mail-Adresse.',
  loginLabel: 'Pseudonym oder E-Mail-Adresse',
  passwordLabel: 'Passwort',
  showPassword: 'Passwort anzeigen',
  loginSubmit: 'Anmelden',
  loginFailed: 'Pseudonym bzw. E-Mail-Adresse oder Passwort stimmen nicht. Bitte prüfen Sie beides.',
  forgotLink: 'Passwort vergessen?',
  noAccount: 'Noch kein Konto?',
  registerLink: 'Jetzt registrieren',
  haveAccount: 'Schon registriert?',
  loginLink: 'Hier anmelden',
  signedInAs: (name: string) => `Sie sind angemeldet als ${name}.`,
  toHome: 'Weiter zu Ihrem Bereich',
  sending: 'Wird gesendet …',
  registerTitle: 'Registrieren',
  registerIntro:
    'Sie brauchen nur einen ausgedachten Namen (ein Pseudonym) und ein Passwort. Ihren echten Namen, Ihre Telefonnummer oder Adresse geben Sie nicht an.',
  usernameLabel: 'Pseudonym',
  usernameHint: '3 bis 40 Zeichen: Buchstaben, Ziffern, Punkt, Bindestrich oder Unterstrich. Bitte nicht Ihr echter Name.',
  passwordHint: 'Mindestens 8 Zeichen und kein häufiges Passwort wie „passwort123“. Ein Satz aus mehreren Wörtern ist sicher und gut zu merken.',
  emailLabel: 'E-Mail-Adresse',
  emailHint:
    'Nur für Hinweise auf neue Nachrichten und um ein vergessenes Passwort zurückzusetzen. Sie bekommen zuerst eine E-Mail mit einem Link zur Bestätigung; erst danach verwenden wir die Adresse.',
  noResetWarning:
    'Wichtig: Ohne bestätigte E-Mail-Adresse kann ein vergessenes Passwort nicht zurückgesetzt werden. Ihr Konto ist dann nicht mehr zugänglich. Bitte merken Sie sich Ihr Passwort gut.',
  registerSubmit: 'Konto anlegen',
  errLoginRequired: 'Bitte geben Sie Ihr Pseudonym oder Ihre E-Mail-Adresse ein.',
  errUsernameRequired: 'Bitte geben Sie ein Pseudonym ein.',
  errUsernameFormat: 'Das Pseudonym braucht 3 bis 40 Zeichen: Buchstaben, Ziffern, Punkt, Bindestrich oder Unterstrich (keine Leerzeichen).',
  errUsernameTaken: 'Dieses Pseudonym ist schon vergeben oder einem vergebenen zum Verwechseln ähnlich. Bitte wählen Sie ein anderes.',
  errUsernameRefused:
    'Dieses Pseudonym geht leider nicht: Es könnte mit dem Namen eines Teammitglieds verwechselt werden oder enthält unsichtbare Zeichen. Bitte wählen Sie ein anderes.',
  errPasswordRequired: 'Bitte geben Sie ein Passwort ein.',
  errPasswordShort: 'Das Passwort ist zu kurz. Es braucht mindestens 8 Zeichen.',
  errPasswordLong: 'Das Passwort ist zu lang (höchstens 72 Bytes; Umlaute und Emojis zählen mehrfach).',
  errPasswordCommon: 'Dieses Passwort ist sehr verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes.',
  errEmail: 'Diese E-Mail-Adresse stimmt so nicht, zum Beispiel name@example.org. Sie können das Feld auch leer lassen.',
  /** Up to two minutes the wait is said in seconds, beyond in minutes (rounded up). */
  rateLimited: (seconds: number) =>
    seconds <= 120
      ? `Zu viele Versuche in kurzer Zeit. Bitte warten Sie ${seconds} Sekunden und versuchen Sie es dann noch einmal.`
      : `Zu viele Versuche in kurzer Zeit. Bitte warten Sie ${Math.ceil(seconds / 60)} Minuten (${seconds} Sekunden) und versuchen Sie es dann noch einmal.`,
  resetTitle: 'Passwort vergessen',
  resetIntro:
    'Geben Sie Ihr Pseudonym oder Ihre E-Mail-Adresse ein. Wenn zu Ihrem Konto eine bestätigte E-Mail-Adresse gehört, schicken wir dorthin einen Link, mit dem Sie ein neues Passwort festlegen. Der Link gilt eine Stunde.',
  resetNoEmail:
    'Ein Konto nur mit Pseudonym, ohne bestätigte E-Mail-Adresse, kann nicht zurückgesetzt werden, denn wir können Sie nicht erreichen. Sie können aber jederzeit ein neues Konto anlegen.',
  resetSubmit: 'Link anfordern',
  resetSent:
    'Wenn zu diesem Konto eine bestätigte E-Mail-Adresse gehört, ist der Link jetzt unterwegs. Schauen Sie auch im Spam-Ordner nach. Der Link gilt eine Stunde.',
  newPasswordTitle: 'Neues Passwort festlegen',
  newPasswordIntro: 'Mit dem neuen Passwort werden alle bisherigen Anmeldungen beendet, auch auf anderen Geräten.',
  newPasswordLabel: 'Neues Passwort',
  newPasswordSubmit: 'Passwort speichern',
  resetLinkInvalid: 'Dieser Link gilt nicht (mehr): Er ist nach einer Stunde abgelaufen oder wurde schon benutzt. Fordern Sie einfach einen neuen an.',
  requestNew: 'Neuen Link anfordern',
  resetDone: 'Ihr neues Passwort gilt. Alle anderen Anmeldungen sind beendet, und Sie sind jetzt angemeldet.',
};
