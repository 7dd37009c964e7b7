import type { ErrorCode } from '../../../../src/realtime/contract';

/**
 * Every error code of docs/errors.md as a plain sentence (the compiler keeps the list complete).
 * A page that knows better what went wrong says so next to the field instead.
 */
export const errors: Record<ErrorCode | 'NETWORK', string> = {
  UNAUTHORIZED: 'Sie sind nicht (mehr) angemeldet, oder Name und Passwort passen nicht zusammen.',
  FORBIDDEN: 'Das dürfen Sie hier leider nicht.',
  NOT_FOUND: 'Das gibt es nicht (mehr), oder Sie haben keinen Zugang dazu.',
  VALIDATION_FAILED: 'Bitte prüfen Sie Ihre Eingaben.',
  RATE_LIMITED: 'Zu viele Versuche in kurzer Zeit. Bitte warten Sie einen Moment und versuchen Sie es dann noch einmal.',
  CONFLICT: 'Das gibt es schon, oder es geht gerade nicht.',
  LIVE_CLOSED: 'Der Live-Chat ist gerade geschlossen.',
  QUEUE_FULL: 'Gerade warten zu viele Menschen. Bitte versuchen Sie es etwas später noch einmal.',
  ALREADY_WAITING: 'Sie warten schon oder sind schon in einem Chat.',
  TOPIC_NOT_OPEN: 'Dieser Themenchat hat noch nicht begonnen oder ist schon vorbei.',
  TOPIC_FULL: 'Dieser Themenchat ist voll.',
  PAYLOAD_TOO_LARGE: 'Das ist zu lang. Bitte kürzen Sie den Text.',
  UNSUPPORTED_MEDIA_TYPE: 'Diese Art von Daten kann nicht angenommen werden.',
  VIDEO_NOT_CONFIGURED: 'Videogespräche sind hier (noch) nicht eingerichtet.',
  INTERNAL: 'Auf unserer Seite ist etwas schiefgegangen. Bitte versuchen Sie es noch einmal.',
  NETWORK: 'Keine Verbindung zum Server. Bitte prüfen Sie Ihre Internetverbindung.',
};
