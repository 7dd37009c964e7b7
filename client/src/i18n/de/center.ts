/** Portal texts: the center's page, the list of centers and the topic chats for visitors (German). */
export const center = {
  title: 'Beratungsstelle',

  // ---- the list of centers (GET / with several centers) ----
  noCenters: 'Hier ist noch keine Beratungsstelle eingerichtet.',
  listFailed: 'Die Liste der Beratungsstellen kann gerade nicht geladen werden. Bitte versuchen Sie es gleich noch einmal.',

  // ---- the center's page ----
  intro: 'Hier finden Sie anonyme Beratung online: im Live-Chat, in Themenchats und mit einem eigenen anonymen Konto.',
  liveHeading: 'Live-Chat',
  liveOpen: 'Der Live-Chat ist jetzt geöffnet. Sie können sofort und anonym mit jemandem aus dem Beratungsteam schreiben.',
  liveFull: 'Der Live-Chat ist geöffnet, aber gerade sind alle Plätze belegt. Bitte versuchen Sie es in ein paar Minuten noch einmal.',
  liveClosed: 'Der Live-Chat ist gerade geschlossen. Niemand aus dem Beratungsteam ist im Moment im Chat.',
  liveUnknown: 'Ob der Live-Chat gerade geöffnet ist, können wir im Moment nicht feststellen.',
  liveChecking: 'Wir sehen nach, ob der Live-Chat geöffnet ist …',
  liveStart: 'Live-Chat beginnen',
  liveStartHint: 'Ohne Namen, ohne E-Mail-Adresse. Der Chat öffnet sich in einem neuen Tab.',
  hoursHeading: 'Chatzeiten',
  noHours: 'Feste Chatzeiten gibt es nicht: Der Chat ist offen, wann immer jemand aus dem Team da ist.',
  hoursTimeZone: (tz: string) => `Alle Zeiten in der Zeitzone ${tz}.`,
  days: ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'],
  hoursRange: (from: string, to: string) => `${from} bis ${to} Uhr`,
  topicsNowHeading: 'Themenchats, die gerade laufen',
  topicsNextHeading: 'Kommende Themenchats',
  noTopicsNow: 'Gerade läuft kein Themenchat.',
  noTopicsNext: 'Zurzeit sind keine weiteren Themenchats geplant.',
  topicsIntro:
    'In einem Themenchat schreiben mehrere Menschen mit einer Beraterin oder einem Berater über ein Thema. Sie nehmen anonym mit einem Spitznamen teil.',
  topicJoin: 'Teilnehmen',
  topicJoinLabel: (title: string) => `Am Themenchat „${title}“ teilnehmen`,
  accountHeading: 'Anonymes Konto',
  accountText:
    'Mit einem Konto können Sie mit Ihrer Beraterin oder Ihrem Berater in eigenen Chaträumen und Gruppenchats schreiben und an Themenchats teilnehmen.',
  noEmailNeeded: 'Für die Registrierung brauchen Sie keine E-Mail-Adresse – nur einen Fantasienamen und ein Passwort.',
  register: 'Konto anlegen',
  login: 'Anmelden',
  staffLogin: 'Anmelden für Ratsuchende mit Konto und für das Beratungsteam',

  // ---- dates (in the center's time zone) ----
  /** "Mo., 1. Dez. 2026, 18:00 – 19:30 Uhr" (the end with its date when it is another day). */
  timeRange: (startIso: string, endIso: string, timeZone: string) => {
    const day = (iso: string) => new Date(iso).toLocaleDateString('de-DE', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    const time = (iso: string) => new Date(iso).toLocaleTimeString('de-DE', { timeZone, hour: '2-digit', minute: '2-digit' });
    return day(startIso) === day(endIso)
      ? `${day(startIso)}, ${time(startIso)} – ${time(endIso)} Uhr`
      : `${day(startIso)}, ${time(startIso)} Uhr – ${day(endIso)}, ${time(endIso)} Uhr`;
  },
  until: (endIso: string, timeZone: string) => `bis ${new Date(endIso).toLocaleTimeString('de-DE', { timeZone, hour: '2-digit', minute: '2-digit' })} Uhr`,
  messageTime: (iso: string) => new Date(iso).toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit' }),

  // ---- joining a topic chat ----
  topicTitle: 'Themenchat',
  topicMissing: 'Diesen Themenchat gibt es nicht (mehr). Vielleicht wurde er abgesagt.',
  topicNotYet: (when: string) => `Dieser Themenchat beginnt erst: ${when}. Sie können ab dem Beginn teilnehmen.`,
  topicOver: 'Dieser Themenchat ist schon vorbei.',
  topicWhen: 'Wann',
  topicAnonymous:
    'Sie nehmen anonym teil: Sie brauchen kein Konto, keinen Namen und keine E-Mail-Adresse. Die anderen sehen nur Ihren Spitznamen. Schreiben Sie bitte nichts, woran man Sie erkennen kann.',
  nicknameLabel: 'Ihr Spitzname in diesem Chat',
  nicknameHint: '2 bis 40 Zeichen. Nicht Ihr echter Name – ein Fantasiename ist am besten.',
  join: 'Dem Themenchat beitreten',
  joining: 'Sie treten bei …',
  nicknameTaken: 'Diesen Spitznamen (oder einen, der fast gleich aussieht) benutzt in diesem Chat schon jemand. Bitte wählen Sie einen anderen.',
  nicknameStaff: 'Dieser Spitzname sieht aus wie der Name von jemandem aus dem Beratungsteam. Bitte wählen Sie einen anderen, damit niemand Sie verwechselt.',
  nicknameLength: 'Ein Spitzname hat 2 bis 40 Zeichen.',
  nicknameInvisible: 'Der Spitzname enthält unsichtbare Zeichen oder Steuerzeichen. Bitte verwenden Sie nur sichtbare Buchstaben, Ziffern und Satzzeichen.',
  nicknameLetters: 'Ein Spitzname braucht mindestens zwei Buchstaben oder Ziffern.',
  nicknameInvalid: 'Dieser Spitzname geht leider nicht. Bitte wählen Sie einen anderen.',
  topicFull: 'Dieser Themenchat ist voll: Alle Plätze sind vergeben. Vielleicht passt einer der nächsten Themenchats.',
  topicNotOpen: 'Dieser Themenchat hat noch nicht begonnen oder ist schon vorbei.',
  removed: 'Sie wurden von der Moderation aus diesem Themenchat entfernt.',
  backToCenter: 'Zurück zur Startseite der Beratungsstelle',

  // ---- in the topic chat ----
  chatWith: (nickname: string) => `Sie schreiben als „${nickname}“.`,
  log: 'Nachrichten im Themenchat',
  you: 'Sie',
  sending: 'wird gesendet …',
  failed: 'nicht gesendet',
  retry: 'Erneut senden',
  muted: 'Die Moderation hat Sie stummgeschaltet: Ihre Nachrichten werden gerade nicht angenommen.',
  messageLabel: 'Ihre Nachricht an alle im Themenchat',
  send: 'Senden',
  typing: (names: string) => `${names} schreibt …`,
  reconnecting: 'Verbindung unterbrochen – wird wiederhergestellt …',
  leave: 'Themenchat verlassen',
  leaveConfirm: 'Den Themenchat wirklich verlassen?',
  leaveYes: 'Ja, verlassen',
  leaveNo: 'Weiter schreiben',
  left: 'Sie haben den Themenchat verlassen.',
  rejoin: 'Wieder teilnehmen',
  ended: {
    ended: 'Der Themenchat ist zu Ende. Danke, dass Sie dabei waren.',
    cancelled: 'Der Themenchat wurde abgesagt.',
    removed: 'Sie wurden von der Moderation aus diesem Themenchat entfernt.',
    gone: 'Der Themenchat ist zu Ende.',
  } as Record<string, string>,
  endedDefault: 'Der Themenchat ist zu Ende.',
};
