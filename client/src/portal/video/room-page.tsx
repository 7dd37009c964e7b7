import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { ConfirmDialog, Field, StatusLine, TextField } from '../form-parts';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { myClients } from '../threads/my-clients';
import { NotesPanel } from '../threads/notes-panel';
import { useVideoSession } from './use-video';
import { VideoPage } from './video-page';
import { JoinedLink, openRoom, VideoGate, videoErrorText } from './video-parts';
import { type Outcome, type VideoSession } from './video-session';
import { VIDEO_LIMITS, type PersonRef, type VideoRoomView } from './video-types';
import '../threads/threads.css';

type Asking = 'renew' | 'removeLink' | 'delete' | null;

/** `/c/:center/app/video/:id`: one of a counselor's rooms: join, name, clients, guest link, delete, private notes (a client sees their invitations). */
export function VideoRoomPage(props: PageProps) {
  const role = useStore(props.session).auth?.account.role;
  // a client's link to a room (an appointment's video room) lands on their invitations
  return role === 'client' ? <VideoPage {...props} /> : <CounselorRoomPage {...props} />;
}

function CounselorRoomPage({ session, center, params }: PageProps) {
  const { t } = useI18n();
  const video = useVideoSession(session, center);
  const role = useStore(session).auth?.account.role;
  const id = params?.id ?? '';
  return (
    <VideoGate session={session} title={t.video.room.fallbackTitle}>
      {video && role === 'counselor' ? (
        <RoomView session={session} center={center} video={video} id={id} />
      ) : (
        <Layout session={session} title={t.video.room.fallbackTitle}>
          <p class="notice">{t.video.room.missing}</p>
        </Layout>
      )}
    </VideoGate>
  );
}

function RoomView({ session, center, video, id }: PageProps & { video: VideoSession; id: string }) {
  const { t } = useI18n();
  const r = t.video.room;
  const state = useStore(video);
  const { route, query } = useLocation();
  const room = state.rooms?.find((x) => x.id === id) ?? null;
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<Asking>(null);
  const [joined, setJoined] = useState<string | null>(null);
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });
  useEffect(() => {
    // once, when the new room arrives in the list
    if (query.created && room) setStatus(t.video.counselor.created(room.name));
  }, [room?.id]);
  const list = `/c/${encodeURIComponent(center)}/app/video`;

  /** Runs a step; says `done` in the status line or the refusal as an error. */
  const run = async <T,>(work: () => Promise<Outcome<T>>, done: (value: T) => string): Promise<Outcome<T>> => {
    setBusy(true);
    setError('');
    setStatus('');
    const out = await work();
    setBusy(false);
    if (out.ok) setStatus(done(out.value));
    else setError(videoErrorText(t, out.code));
    return out;
  };

  const join = async () => {
    setError('');
    setBusy(true);
    const out = await video.join(id);
    setBusy(false);
    if (out.kind === 'open') {
      setJoined(out.link);
      openRoom(out.link);
    } else setError(videoErrorText(t, out.kind === 'refused' ? out.code : 'INTERNAL'));
  };

  if (!room)
    return (
      <Layout session={session} title={r.fallbackTitle}>
        <p>
          <a href={list}>{r.back}</a>
        </p>
        <StatusLine text={status} error={error} />
        {state.listError ? (
          <p class="error" role="alert">
            {videoErrorText(t, state.listError)}
          </p>
        ) : state.rooms ? (
          <p class="notice">{r.missing}</p>
        ) : (
          <p>{t.common.loading}</p>
        )}
      </Layout>
    );

  return (
    <Layout session={session} title={room.name}>
      <p>
        <a href={list}>{r.back}</a>
      </p>
      <StatusLine text={status} error={error} />
      <div class="video-room">
        <section aria-labelledby="video-join-heading">
          <h2 id="video-join-heading">{r.joinHeading}</h2>
          <p class="hint" id="video-join-hint">
            {r.joinHint}
          </p>
          <button type="button" disabled={busy} aria-describedby="video-join-hint" onClick={() => void join()}>
            {r.join}
          </button>
          {joined && <JoinedLink link={joined} id="video-joined" waits={false} />}
        </section>
        <GuestLink
          room={room}
          busy={busy}
          onAsk={setAsking}
          onMake={() =>
            // no link yet: nothing dies, so nothing to ask
            void run(
              () => video.renewLink(room.id),
              () => r.made,
            ).then((out) => {
              // after the render that shows the new link
              if (out.ok) setTimeout(() => document.getElementById('video-copy')?.focus(), 0);
            })
          }
        />
        <Clients
          session={session}
          room={room}
          busy={busy}
          run={run}
          video={video}
          focus={(elementId) => {
            focusNext.current = elementId;
          }}
        />
        <Rename room={room} video={video} busy={busy} run={run} />
        <section aria-labelledby="video-delete-heading">
          <h2 id="video-delete-heading">{r.deleteHeading}</h2>
          <p class="hint">{r.deleteText}</p>
          <button type="button" class="danger" onClick={() => setAsking('delete')}>
            {r.delete}
          </button>
        </section>
        <NotesPanel
          session={session}
          path={`/api/video-rooms/${encodeURIComponent(room.id)}/notes`}
          notePath={(noteId) => `/api/video-rooms/${encodeURIComponent(room.id)}/notes/${encodeURIComponent(noteId)}`}
          heading={r.notesHeading}
          idPrefix="video-note"
        />
      </div>
      {asking === 'renew' && (
        <ConfirmDialog
          title={r.renewTitle}
          returnTo={() => document.getElementById('video-copy')}
          confirmLabel={r.renew}
          busy={busy}
          onClose={() => setAsking(null)}
          onConfirm={() =>
            void run(
              () => video.renewLink(room.id),
              () => r.renewed,
            ).then(() => setAsking(null))
          }
        >
          <p>{r.renewText}</p>
        </ConfirmDialog>
      )}
      {asking === 'removeLink' && (
        <ConfirmDialog
          title={r.removeLinkTitle}
          returnTo={() => document.getElementById('video-make-link') ?? document.getElementById('video-copy')}
          confirmLabel={r.removeLink}
          busy={busy}
          onClose={() => setAsking(null)}
          onConfirm={() =>
            void run(
              () => video.removeLink(room.id),
              () => r.linkRemoved,
            ).then(() => setAsking(null))
          }
        >
          <p>{r.removeLinkText}</p>
        </ConfirmDialog>
      )}
      {asking === 'delete' && (
        <ConfirmDialog
          title={r.deleteTitle(room.name)}
          confirmLabel={r.delete}
          busy={busy}
          onClose={() => setAsking(null)}
          onConfirm={() =>
            void run(
              () => video.remove(room.id),
              () => r.deleted,
            ).then((out) => {
              setAsking(null);
              if (out.ok) route(list);
            })
          }
        >
          <p dir="auto">{r.deleteText}</p>
        </ConfirmDialog>
      )}
    </Layout>
  );
}

/** The guest link: shown in a read-only field (the visible fallback), copied with a button, renewed or removed. */
function GuestLink({ room, busy, onAsk, onMake }: { room: VideoRoomView; busy: boolean; onAsk: (a: Asking) => void; onMake: () => void }) {
  const { t } = useI18n();
  const r = t.video.room;
  const [copied, setCopied] = useState('');
  const [failed, setFailed] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setCopied('');
    setFailed(false);
  }, [room.inviteUrl]);
  const copy = async () => {
    const url = room.inviteUrl;
    if (!url) return;
    setCopied('');
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      setFailed(false);
      setCopied(r.copied);
    } catch {
      // not allowed here (no permission, not a secure origin): the link waits selected in its field
      setFailed(true);
      setCopied(r.copyFailed);
      field.current?.focus();
      field.current?.select();
    }
  };
  return (
    <section aria-labelledby="video-guest-heading">
      <h2 id="video-guest-heading">{r.guestHeading}</h2>
      <p class="hint">{r.guestIntro}</p>
      {room.inviteUrl ? (
        <>
          <Field id="video-link" label={r.linkLabel}>
            {(a11y) => (
              <input
                {...a11y}
                ref={field}
                class="video-link"
                type="text"
                readOnly
                value={room.inviteUrl ?? ''}
                spellcheck={false}
                onFocus={(e) => e.currentTarget.select()}
              />
            )}
          </Field>
          <p class={copied ? (failed ? 'error' : 'notice') : 'sr-only'} role="status" aria-live="polite" data-copy-status>
            {copied}
          </p>
          <div class="actions">
            <button type="button" id="video-copy" onClick={() => void copy()}>
              {r.copy}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => onAsk('renew')}>
              {r.renew}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => onAsk('removeLink')}>
              {r.removeLink}
            </button>
          </div>
        </>
      ) : (
        <>
          <p>{r.noLink}</p>
          <button type="button" id="video-make-link" disabled={busy} onClick={onMake}>
            {r.makeLink}
          </button>
        </>
      )}
    </section>
  );
}

function Clients({
  session,
  room,
  video,
  busy,
  run,
  focus,
}: {
  session: PageProps['session'];
  room: VideoRoomView;
  video: VideoSession;
  busy: boolean;
  run: <T>(work: () => Promise<Outcome<T>>, done: (value: T) => string) => Promise<Outcome<T>>;
  focus: (id: string) => void;
}) {
  const { t } = useI18n();
  const r = t.video.room;
  const [mine, setMine] = useState<PersonRef[] | null>(null);
  const [choice, setChoice] = useState('');
  const [pickError, setPickError] = useState('');
  useEffect(() => {
    let live = true;
    const call = <T,>(path: string) => session.call<T>(path);
    myClients(call).then(
      (list) => live && setMine(list),
      () => live && setMine([]),
    );
    return () => {
      live = false;
    };
  }, [session]);
  const invitedIds = new Set(room.clients.map((c) => c.id));
  const offer = (mine ?? []).filter((c) => !invitedIds.has(c.id));

  const invite = async (e: Event) => {
    e.preventDefault();
    const person = offer.find((c) => c.id === choice);
    if (!person) {
      setPickError(r.chooseFirst);
      focus('video-client-pick');
      document.getElementById('video-client-pick')?.focus();
      return;
    }
    const out = await run(
      () => video.invite(room.id, person.id),
      () => r.invited(person.displayName),
    );
    if (out.ok) setChoice('');
  };

  return (
    <section aria-labelledby="video-clients-heading">
      <h2 id="video-clients-heading">{r.clientsHeading}</h2>
      {room.clients.length === 0 ? (
        <p>{r.noClients}</p>
      ) : (
        <ul class="video-clients">
          {room.clients.map((c) => (
            <li key={c.id} data-client={c.id}>
              <span dir="auto">{c.displayName}</span>
              <button
                type="button"
                class="secondary"
                disabled={busy}
                onClick={() => {
                  focus('video-client-pick');
                  void run(
                    () => video.uninvite(room.id, c.id),
                    () => r.uninvited(c.displayName),
                  );
                }}
              >
                {r.uninvite(c.displayName)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {mine && offer.length === 0 ? (
        <p class="hint">{r.pickerEmpty}</p>
      ) : (
        <form class="video-form inline" onSubmit={(e) => void invite(e)} noValidate>
          <Field id="video-client-pick" label={r.picker} hint={r.pickerHint} error={pickError}>
            {(a11y) => (
              <select
                {...a11y}
                value={choice}
                onChange={(e) => {
                  setChoice(e.currentTarget.value);
                  setPickError('');
                }}
              >
                <option value="">{mine ? r.choose : t.common.loading}</option>
                {offer.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.displayName}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" disabled={busy}>
            {r.invite}
          </button>
        </form>
      )}
    </section>
  );
}

function Rename({
  room,
  video,
  busy,
  run,
}: {
  room: VideoRoomView;
  video: VideoSession;
  busy: boolean;
  run: <T>(work: () => Promise<Outcome<T>>, done: (value: T) => string) => Promise<Outcome<T>>;
}) {
  const { t } = useI18n();
  const r = t.video.room;
  const [name, setName] = useState(room.name);
  const [nameError, setNameError] = useState('');
  useEffect(() => setName(room.name), [room.name]);
  const save = async (e: Event) => {
    e.preventDefault();
    const out = await run(
      () => video.rename(room.id, name),
      () => r.renamed,
    );
    if (!out.ok && out.fields.includes('name')) {
      setNameError(name.trim() ? t.video.counselor.nameInvalid(VIDEO_LIMITS.nameMax) : t.video.counselor.nameMissing);
      document.getElementById('video-rename')?.focus();
    }
  };
  return (
    <section aria-labelledby="video-rename-heading">
      <h2 id="video-rename-heading">{r.renameHeading}</h2>
      <form class="video-form inline" onSubmit={(e) => void save(e)} noValidate>
        <TextField
          id="video-rename"
          label={t.video.counselor.name}
          value={name}
          error={nameError}
          required
          input={{ maxLength: VIDEO_LIMITS.nameMax }}
          onInput={(v) => {
            setName(v);
            setNameError('');
          }}
        />
        <button type="submit" disabled={busy}>
          {r.rename}
        </button>
      </form>
    </section>
  );
}
