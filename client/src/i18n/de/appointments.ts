/** Portal texts: the appointments pages (German; issue 13). Owned by the appointments pages. */
const day = (iso: string, timeZone: string) =>
  new Date(iso).toLocaleDateString('de-DE', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone });
const time = (iso: string, timeZone: string) => new Date(iso).toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone });
const range = (from: string, to: string, timeZone: string) => `${time(from, timeZone)}–${time(to, timeZone)} Uhr`;
/** "Dienstag, 1. Dezember 2026, 10:00–10:45 Uhr" */
const when = (from: string, to: string, timeZone: string) => `${day(from, timeZone)}, ${range(from, to, timeZone)}`;

export const appointments = {
  title: 'Termine',
  day,
  range,
  when,
  timeZone: (zone: string) => `Alle Zeiten in der Zeitzone der Beratungsstelle (${zone}).`,
  /** In running text ("per Video", "möglich: Video, Chat"). */
  forms: { video: 'Video', chat: 'Chat', mail: 'E-Mail', phone: 'Telefon' },
  /** As the label of a choice. */
  formNames: { video: 'Video', chat: 'Chat', mail: 'E-Mail', phone: 'Telefon' },
  offline: 'Keine Verbindung zum Server. Änderungen erscheinen, sobald sie wieder da ist.',
  staffOnly: 'Termine buchen Ratsuchende bei Beraterinnen und Beratern. Für die Administration gibt es hier nichts zu tun.',
  clientIntro:
    'Hier buchen Sie einen Termin bei einer Beraterin oder einem Berater – per Video, Chat, E-Mail oder Telefon. Sie können jeden Termin wieder absagen.',
  counselorIntro: 'Hier bieten Sie Termine an. Ratsuchende sehen Ihre freien Termine und buchen einen davon; Sie bekommen dann eine E-Mail ohne Inhalt.',
  free: {
    heading: 'Freie Termine',
    filter: 'Beraterin oder Berater',
    all: 'Alle',
    empty: 'Gerade gibt es keine freien Termine. Schauen Sie später wieder vorbei, oder schreiben Sie uns unter „Nachrichten“.',
    with: (name: string) => `bei ${name}`,
    forms: (list: string) => `möglich: ${list}`,
    book: 'Buchen',
  },
  book: {
    title: 'Termin buchen',
    text: (when: string, name: string) => `${when} bei ${name}.`,
    formLegend: 'Wie möchten Sie sprechen?',
    confirm: 'Verbindlich buchen',
    busy: 'Wird gebucht …',
    done: (when: string) => `Ihr Termin ist gebucht: ${when}.`,
    taken: 'Diesen Termin hat gerade jemand anderes gebucht. Die Liste ist neu geladen – bitte wählen Sie einen anderen Termin.',
    form: 'Diese Kontaktform ist für den Termin nicht möglich. Bitte wählen Sie eine andere.',
  },
  mine: {
    heading: 'Ihre Termine',
    empty: 'Sie haben noch keinen Termin gebucht.',
    emptyStaff: 'Bei Ihnen ist noch kein Termin gebucht.',
    with: (name: string) => `mit ${name}`,
    form: (form: string) => `per ${form}`,
    cancelledBy: { client: 'abgesagt von der oder dem Ratsuchenden', counselor: 'abgesagt von der Beratung' },
    cancelledByYou: 'von Ihnen abgesagt',
    cancel: 'Absagen',
    ics: 'In den Kalender (.ics)',
    icsFailed: 'Die Kalenderdatei konnte nicht geladen werden.',
    video: 'Zum Videoraum',
  },
  cancel: {
    title: 'Termin absagen?',
    textClient: (when: string) => `${when}. Ihre Beraterin oder Ihr Berater wird per E-Mail benachrichtigt, und der Termin wird wieder frei.`,
    textCounselor: (when: string) => `${when}. Die oder der Ratsuchende wird per E-Mail benachrichtigt, und der Termin wird wieder frei.`,
    confirm: 'Termin absagen',
    keep: 'Termin behalten',
    busy: 'Wird abgesagt …',
    done: (when: string) => `Der Termin ist abgesagt: ${when}.`,
    already: 'Dieser Termin war schon abgesagt.',
  },
  offer: {
    heading: 'Termine anbieten',
    legend: 'Neuer Termin',
    date: 'Datum',
    start: 'Beginn',
    end: 'Ende',
    forms: 'Mögliche Kontaktformen',
    weeks: 'Wie viele Wochen?',
    weeksHint: '1 = nur an diesem Tag. Mehr Wochen: jede Woche am selben Wochentag zur selben Uhrzeit, höchstens 26.',
    submit: 'Termin anbieten',
    busy: 'Wird gespeichert …',
    done: (n: number, when: string) => (n === 1 ? `Termin angeboten: ${when}.` : `${n} Termine angeboten, der erste: ${when}.`),
    errors: {
      date: 'Bitte wählen Sie ein Datum.',
      start: 'Bitte geben Sie den Beginn an.',
      end: 'Bitte geben Sie das Ende an.',
      startsAt: 'Dieser Beginn liegt in der Vergangenheit.',
      endsAt: 'Das Ende muss nach dem Beginn liegen, und ein Termin dauert höchstens 8 Stunden.',
      forms: 'Bitte wählen Sie mindestens eine Kontaktform.',
      weeks: 'Bitte eine Zahl von 1 bis 26.',
      overlap: 'Dieser Termin überschneidet sich mit einem Ihrer Termine. Es wurde nichts gespeichert.',
    },
  },
  slots: {
    heading: 'Ihre angebotenen Termine',
    empty: 'Sie bieten gerade keine Termine an.',
    free: 'frei',
    booked: 'gebucht',
    delete: 'Löschen',
    deleteTitle: 'Freien Termin löschen?',
    deleteText: (when: string) => `${when}. Ratsuchende können ihn dann nicht mehr buchen.`,
    busy: 'Wird gelöscht …',
    deleteConfirm: 'Termin löschen',
    deleted: (when: string) => `Der freie Termin ist gelöscht: ${when}.`,
    bookedHint: 'Gebuchte Termine sagen Sie unter „Ihre Termine“ ab.',
    deleteBooked: 'Dieser Termin ist inzwischen gebucht. Sagen Sie ihn unter „Ihre Termine“ ab.',
  },
  news: {
    booked: (when: string, name: string) => `Neuer Termin: ${when}, gebucht von ${name}.`,
    bookedClient: (when: string) => `Neuer Termin: ${when}.`,
    cancelled: (when: string, name: string) => `${name} hat den Termin ${when} abgesagt.`,
  },
};
