import { phoneParts } from '../widget/phones';
import { useI18n } from '../i18n';

/** The crisis lines: the center's own text, or the general German lines; numbers are tel: links. */
export function CrisisLines({ text }: { text?: string | null }) {
  const { t } = useI18n();
  return (
    <section class="crisis" aria-labelledby="crisis-heading">
      <h2 id="crisis-heading">{t.common.emergencyHeading}</h2>
      <p>
        {phoneParts(text ?? t.common.emergencyDefault).map((part, i) =>
          part.tel ? (
            <a key={i} href={`tel:${part.tel}`}>
              {part.text}
            </a>
          ) : (
            part.text
          ),
        )}
      </p>
    </section>
  );
}
