/**
 * The consent text a center uses until its admin sets its own (version 1), modelled on BeraDIG's
 * "Einwilligung zur Videosprechstunde": a closed room, everyone present introduced, no recordings,
 * everyone who helps bound to confidentiality.
 */
export const DEFAULT_VIDEO_CONSENT = `Einwilligung zur Videoberatung

Bevor das Videogespräch beginnt, lesen Sie bitte die folgenden Punkte. Mit Ihrer Bestätigung sagen Sie zu, sich daran zu halten, und willigen in die Beratung per Video ein.

1. Geschlossener Raum
Ich nehme an dem Gespräch aus einem geschlossenen Raum teil, in dem niemand unbemerkt mithören oder mitsehen kann. Die Beraterin oder der Berater tut das ebenso.

2. Alle Anwesenden werden vorgestellt
Zu Beginn werden alle Personen vorgestellt, die auf beiden Seiten im Raum sind oder zuhören. Kommt während des Gesprächs jemand hinzu, wird das sofort gesagt. Niemand nimmt heimlich teil.

3. Keine Aufzeichnungen
Das Gespräch wird von keiner Seite aufgezeichnet: kein Ton, kein Bild, keine Bildschirmfotos, kein Mitschnitt. Die Aufnahmefunktionen des Videodienstes sind abgeschaltet. Die Beratungsstelle speichert nichts vom Gespräch selbst; es läuft verschlüsselt über ihren eigenen Videoserver.

4. Schweigepflicht
Die Beraterinnen und Berater sind zur Verschwiegenheit verpflichtet. Das gilt auch für alle Fachkräfte und Hilfspersonen, die auf Seiten der Beratungsstelle teilnehmen (zum Beispiel Kolleginnen und Kollegen anderer Dienste oder Dolmetschende). Personen, die ich selbst hinzuziehe, bitte ich ebenfalls, über das Gespräch zu schweigen.

5. Freiwilligkeit
Die Teilnahme ist freiwillig. Ich kann das Gespräch jederzeit beenden und diese Einwilligung jederzeit für künftige Gespräche widerrufen. Gespeichert wird nur, dass und wann dieser Fassung des Textes zugestimmt wurde.`;
