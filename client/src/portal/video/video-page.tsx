import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { Checkbox, StatusLine, TextField } from '../form-parts';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { useVideoSession } from './use-video';
import { ConsentText, JoinedLink, openRoom, VideoGate, videoErrorText } from './video-parts';
import type { VideoSession } from './video-session';
import { VIDEO_LIMITS, type ConsentView, type InvitedRoomView } from './video-types';

/** `/c/:center/app/video`: a counselor's rooms (and a new one), a client's invitations. */
export function VideoPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const role = useStore(session).auth?.account.role;
  const video = useVideoSession(session, center);
  return (
    <VideoGate session={session} title={t.video.title}>
      <Layout session={session} title={t.video.title}>
        {video && role === 'counselor' && <CounselorRooms session={session} center={center} video={video} />}
        {video && role === 'client' && <ClientRooms session={session} center={center} video={video} />}
        {role !== 'counselor' && role !== 'client' && <p class="notice">{t.errors.FORBIDDEN}</p>}
        <p class="hint">{t.video.privacy}</p>
      </Layout>
    </VideoGate>
  );
}

function CounselorRooms({ session, center, video }: PageProps & { video: VideoSession }) {
  const { t } = useI18n();
  const c = t.video.counselor;
  const state = useStore(video);
  const { route } = useLocation();
  const timeZone = useStore(session).info?.timeZone ?? 'Europe/Berlin';
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const base = `/c/${encodeURIComponent(center)}/app/video`;

  const create = async (e: Event) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    const r = await video.create(name);
    setBusy(false);
    if (r.ok) {
      route(`${base}/${encodeURIComponent(r.value.id)}?created=1`);
      return;
    }
    if (r.fields.includes('name')) {
      setNameError(name.trim() ? c.nameInvalid(VIDEO_LIMITS.nameMax) : c.nameMissing);
      input.current?.focus();
    } else setError(videoErrorText(t, r.code));
  };

  return (
    <>
      <p>{c.intro}</p>
      {state.listError && (
        <p class="error" role="alert">
          {videoErrorText(t, state.listError)}
        </p>
      )}
      {state.listError !== 'VIDEO_NOT_CONFIGURED' && (
        <>
          <section aria-labelledby="video-create-heading">
            <h2 id="video-create-heading">{c.createHeading}</h2>
            <form class="video-form" onSubmit={(e) => void create(e)} noValidate>
              <TextField
                id="video-name"
                label={c.name}
                hint={c.nameHint}
                value={name}
                error={nameError}
                required
                inputRef={input}
                input={{ maxLength: VIDEO_LIMITS.nameMax }}
                onInput={(v) => {
                  setName(v);
                  setNameError('');
                }}
              />
              <button type="submit" disabled={busy}>
                {c.create}
              </button>
              <StatusLine text="" error={error} />
            </form>
          </section>
          <section aria-labelledby="video-rooms-heading">
            <h2 id="video-rooms-heading">{c.listHeading}</h2>
            {!state.rooms ? (
              !state.listError && <p>{t.common.loading}</p>
            ) : state.rooms.length === 0 ? (
              <p>{c.empty}</p>
            ) : (
              <ul class="video-list">
                {state.rooms.map((r) => (
                  <li key={r.id} data-room={r.id}>
                    <a href={`${base}/${encodeURIComponent(r.id)}`} class="video-name" dir="auto" aria-describedby={`video-meta-${r.id}`}>
                      {r.name}
                    </a>
                    <span class="video-meta" id={`video-meta-${r.id}`}>
                      <span>{c.invitedCount(r.clients.length)}</span>
                      {r.inviteUrl && <span>{c.guestLinkOn}</span>}
                      <span>{c.createdAt(t.common.dateTime(r.createdAt, timeZone))}</span>
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </>
  );
}

/** A client's invitations; the consent is asked for when the server wants it (first join, new version). */
function ClientRooms({ video }: PageProps & { video: VideoSession }) {
  const { t } = useI18n();
  const l = t.video.client;
  const state = useStore(video);
  const [asking, setAsking] = useState<{ room: InvitedRoomView; consent: ConsentView; changed: boolean } | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [confirmError, setConfirmError] = useState('');
  const [joined, setJoined] = useState<{ roomId: string; link: string } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const join = async (room: InvitedRoomView, consentVersion?: number) => {
    setError('');
    setJoined(null);
    setBusy(true);
    const r = await video.join(room.id, consentVersion);
    setBusy(false);
    if (r.kind === 'open') {
      setAsking(null);
      setJoined({ roomId: room.id, link: r.link });
      openRoom(r.link);
    } else if (r.kind === 'consent') {
      // asked again after a confirmation: the center changed the text meanwhile
      setAsking({ room, consent: r.consent, changed: consentVersion !== undefined });
      setConfirmed(false);
      setConfirmError('');
      focusNext.current = 'video-consent-heading';
    } else setError(r.code === 'CONFLICT' ? t.video.away : videoErrorText(t, r.code));
  };

  const confirmAndJoin = (e: Event) => {
    e.preventDefault();
    if (!asking) return;
    if (!confirmed) {
      setConfirmError(t.video.consent.mustConfirm);
      focusNext.current = 'video-consent-confirm';
      return;
    }
    void join(asking.room, asking.consent.version);
  };

  return (
    <>
      <p>{l.intro}</p>
      {state.listError && (
        <p class="error" role="alert">
          {videoErrorText(t, state.listError)}
        </p>
      )}
      <StatusLine text="" error={error} />
      {!state.invited ? (
        !state.listError && <p>{t.common.loading}</p>
      ) : state.invited.length === 0 ? (
        <p>{l.empty}</p>
      ) : (
        <ul class="video-list">
          {state.invited.map((r) => (
            <li key={r.id} data-room={r.id}>
              <span class="video-name" dir="auto">
                {r.name}
              </span>
              <span class="video-meta" dir="auto">
                {l.with(r.counselor.displayName)}
              </span>
              <button type="button" id={`video-join-${r.id}`} disabled={busy} aria-label={l.join(r.name)} onClick={() => void join(r)}>
                {l.joinShort}
              </button>
              {joined?.roomId === r.id && <JoinedLink link={joined.link} id={`video-joined-${r.id}`} waits />}
            </li>
          ))}
        </ul>
      )}
      {asking && (
        <section class="video-consent" aria-labelledby="video-consent-heading">
          <h2 id="video-consent-heading" tabIndex={-1}>
            {t.video.consent.heading}
          </h2>
          {asking.changed && <p class="notice">{t.video.consent.changed}</p>}
          <p dir="auto">
            <strong>{t.video.consent.before(asking.room.name)}</strong> {t.video.consent.intro}
          </p>
          <ConsentText consent={asking.consent} id="video-consent-text" />
          <form onSubmit={confirmAndJoin} noValidate>
            <Checkbox
              id="video-consent-confirm"
              label={t.video.consent.confirm}
              checked={confirmed}
              onChange={(on) => {
                setConfirmed(on);
                setConfirmError('');
              }}
            />
            {confirmError && (
              <p class="error" role="alert">
                {confirmError}
              </p>
            )}
            <div class="actions">
              <button type="submit" disabled={busy}>
                {t.video.consent.confirmAndJoin}
              </button>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  focusNext.current = `video-join-${asking.room.id}`;
                  setAsking(null);
                }}
              >
                {t.common.cancel}
              </button>
            </div>
          </form>
        </section>
      )}
    </>
  );
}
