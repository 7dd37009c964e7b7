import type { ComponentChildren } from 'preact';
import { useI18n, type Messages } from '../../i18n';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import { centerHas } from '../nav';
import type { PortalSession } from '../session';
import type { ConsentView } from './video-types';
import './video.css';

/** The sentence for a refused video step: the missing video server and the away counselor have their own. */
export function videoErrorText(t: Messages, code: string): string {
  if (code === 'VIDEO_NOT_CONFIGURED') return t.video.notConfigured;
  return t.errors[code as keyof Messages['errors']] ?? t.errors.INTERNAL;
}

/** The video pages exist only where the center has a video server: elsewhere they say so instead. */
export function VideoGate({ session, title, children }: { session: PortalSession; title: string; children: ComponentChildren }) {
  const { t } = useI18n();
  const info = useStore(session).info;
  if (!centerHas(info, 'video'))
    return (
      <Layout session={session} title={title}>
        <p class="notice">{t.video.notAvailable}</p>
      </Layout>
    );
  return <>{children}</>;
}

/** The consent text in full (paragraphs as written), with its version. */
export function ConsentText({ consent, id }: { consent: ConsentView; id: string }) {
  const { t } = useI18n();
  const paragraphs = consent.text.split(/\n\s*\n/).filter((p) => p.trim());
  return (
    <div class="consent-text" id={id} data-consent-version={consent.version}>
      {paragraphs.map((p, i) => (
        <p key={i} dir="auto">
          {p}
        </p>
      ))}
      <p class="hint">{t.video.consent.version(consent.version)}</p>
    </div>
  );
}

/** Opens the room in a new tab (on the person's click; nothing else ever contacts the video server). */
export function openRoom(link: string): void {
  window.open(link, '_blank', 'noopener,noreferrer');
}

/** After a join: the tab is opening; a link for when the browser blocked it. */
export function JoinedLink({ link, id, waits }: { link: string; id: string; /** Not the moderator: waits in the lobby. */ waits: boolean }) {
  const { t } = useI18n();
  return (
    <div class="video-joined" id={id}>
      <p>
        {t.video.opening}
        {waits && ` ${t.video.lobby}`}
      </p>
      <p>
        <a class="button" href={link} target="_blank" rel="noopener noreferrer" data-join-link aria-describedby={`${id}-hint`}>
          {t.video.openLink}
        </a>
      </p>
      <p class="hint" id={`${id}-hint`}>
        {t.video.openLinkHint}
      </p>
    </div>
  );
}
