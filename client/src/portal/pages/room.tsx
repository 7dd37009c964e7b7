import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { Composer, MessageList } from '../../lib/chat-parts';
import { useStore } from '../../lib/store';
import { CannedPicker } from '../canned-picker';
import { ConfirmDialog } from '../form-parts';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { RoomNewsRegion } from '../rooms/news';
import { nextWindowChange, roomWindow } from '../rooms/room-window';
import type { OpenRoom, RoomsSession } from '../rooms/rooms-session';
import { useRoomsSession } from '../rooms/use-rooms';
import '../rooms/rooms.css';

/** `/c/:center/app/rooms/:id`: one chat, its members, and (counselors) close and delete. */
export function RoomPage({ session, center, params }: PageProps) {
  const { t } = useI18n();
  const rooms = useRoomsSession(session);
  if (!rooms)
    return (
      <Layout session={session} title={t.rooms.room.fallbackTitle}>
        {null}
      </Layout>
    );
  return <RoomView session={session} rooms={rooms} center={center} roomId={params?.id ?? ''} />;
}

function RoomView(props: PageProps & { rooms: RoomsSession; roomId: string }) {
  const { t } = useI18n();
  const state = useStore(props.rooms);
  const name = state.rooms?.find((r) => r.id === props.roomId)?.name;
  return (
    <Layout session={props.session} title={name ?? t.rooms.room.fallbackTitle}>
      <RoomBody key={props.roomId} {...props} />
    </Layout>
  );
}

function RoomBody({ session, rooms, center, roomId }: PageProps & { rooms: RoomsSession; roomId: string }) {
  const { t } = useI18n();
  const state = useStore(rooms);
  const portal = useStore(session);
  const [text, setText] = useState('');
  const [, tick] = useState(0);
  useEffect(() => {
    void rooms.open(roomId);
    return () => rooms.leave(roomId);
  }, [rooms, roomId]);
  const entry = state.rooms?.find((r) => r.id === roomId);
  // re-render when the writing window opens or closes
  useEffect(() => {
    const ms = entry ? nextWindowChange(entry, Date.now()) : null;
    if (ms === null) return;
    const timer = setTimeout(() => tick((n) => n + 1), ms);
    return () => clearTimeout(timer);
  }, [entry]);
  const open = state.open?.roomId === roomId ? state.open : null;
  const self = portal.auth?.account;
  const role = self?.role;
  const staff = role === 'counselor' || role === 'admin';
  const timeZone = portal.info?.timeZone ?? 'Europe/Berlin';
  const list = `/c/${encodeURIComponent(center)}/app/rooms`;
  const r = t.rooms.room;
  const back = (
    <p>
      <a href={list}>{r.back}</a>
    </p>
  );
  if (!open) return back;
  if (open.error || open.ended === 'deleted') {
    return (
      <>
        <p class={open.error ? 'error' : 'notice'} role="alert">
          {open.ended === 'deleted'
            ? r.deleted
            : open.error === 'NOT_FOUND'
              ? r.notFound
              : (t.errors[open.error as keyof typeof t.errors] ?? t.errors.INTERNAL)}
        </p>
        {back}
      </>
    );
  }
  const w = entry ? roomWindow(entry, Date.now()) : { state: 'open' as const, until: null };
  const closed = open.ended === 'closed' || w.state === 'closed';
  const writable = !closed && w.state === 'open';
  const stateText = closed
    ? r.closed
    : w.state === 'before'
      ? r.opensAt(t.common.dateTime(w.at, timeZone))
      : w.state === 'after'
        ? r.endedAt(t.common.dateTime(w.at, timeZone))
        : '';
  const failed = open.chat?.pending.find((p) => p.state === 'failed' && p.error);
  return (
    <>
      {back}
      <RoomNewsRegion news={state.news.filter((n) => n.roomId !== roomId)} />
      <div class="room-page">
        <section class="chat" aria-labelledby="room-chat-heading">
          <h2 id="room-chat-heading" class="sr-only">
            {r.log}
          </h2>
          <p class={stateText ? 'room-state notice' : 'room-state'} role="status">
            {stateText}
          </p>
          {!state.online && <p class="notice">{r.offline}</p>}
          <MessageList
            room={open.chat}
            selfId={self?.id}
            labels={{ log: r.log, you: r.you, sending: r.sending, failed: r.failed, retry: r.retry }}
            formatTime={(iso) => t.common.dateTime(iso, timeZone)}
            onRetry={(id) => rooms.retry(id)}
          />
          <p class="typing" aria-live="polite">
            {open.chat && open.chat.typing.length > 0 ? r.typing(open.chat.typing.join(', ')) : '\u00a0'}
          </p>
          {failed?.error && (
            <p class="error" role="alert">
              {r.sendFailed} {t.errors[failed.error as keyof typeof t.errors] ?? t.errors.INTERNAL}
            </p>
          )}
          <fieldset class="compose" disabled={!writable}>
            <legend class="sr-only">{r.composer}</legend>
            <Composer
              id="room-composer"
              rows={2}
              label={r.composer}
              placeholder={r.placeholder}
              sendLabel={r.send}
              text={text}
              onText={setText}
              onSend={(body) => rooms.send(body)}
              onTyping={() => rooms.typing()}
            />
            {staff && <CannedPicker session={session} targetId="room-composer" onInsert={(body) => setText((old) => (old ? `${old} ${body}` : body))} />}
          </fieldset>
        </section>
        <aside class="members" aria-labelledby="room-members-heading">
          <h2 id="room-members-heading">{r.members}</h2>
          {!open.members ? (
            <p>{t.common.loading}</p>
          ) : (
            <ul>
              {open.members.map((m) => (
                <li key={m.id}>
                  <span dir="auto">{m.displayName}</span>
                  {m.id === self?.id && r.memberSelf}
                  {m.role !== 'client' && <span class="member-role">{r.memberRole(t.common.roles[m.role])}</span>}
                </li>
              ))}
            </ul>
          )}
          {staff && entry && (entry.kind === 'direct' || entry.kind === 'group') && <RoomActions rooms={rooms} open={open} name={entry.name} closed={closed} />}
        </aside>
      </div>
    </>
  );
}

/** Counselors: close the room for writing, or delete it for good (after asking). */
function RoomActions({ rooms, open, name, closed }: { rooms: RoomsSession; open: OpenRoom; name: string; closed: boolean }) {
  const { t } = useI18n();
  const r = t.rooms.room;
  const [asking, setAsking] = useState(false);
  const removed = useRef(false);
  const removeButton = useRef<HTMLButtonElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const say = (code: string) => setError(t.errors[code as keyof typeof t.errors] ?? t.errors.INTERNAL);
  const close = async () => {
    setError(null);
    setBusy(true);
    const answer = await rooms.close(open.roomId);
    setBusy(false);
    if (!answer.ok) return say(answer.error.code);
    // the close button is gone: keep the keyboard in the actions
    removeButton.current?.focus();
  };
  const remove = async () => {
    setBusy(true);
    const code = await rooms.remove(open.roomId);
    setBusy(false);
    // the room's content is gone: the dialog hands the focus to the page's heading
    removed.current = !code;
    setAsking(false);
    if (code) say(code);
  };
  return (
    <section class="room-actions" aria-labelledby="room-actions-heading">
      <h2 id="room-actions-heading">{r.manage}</h2>
      {!closed && (
        <>
          <p id="room-close-hint" class="hint">
            {r.closeHint}
          </p>
          <button type="button" class="secondary" aria-describedby="room-close-hint" disabled={busy} onClick={() => void close()}>
            {r.close}
          </button>
        </>
      )}
      <button type="button" class="danger" ref={removeButton} disabled={busy} onClick={() => setAsking(true)}>
        {r.remove}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {asking && (
        <ConfirmDialog
          id="room-delete"
          title={r.confirmTitle}
          confirmLabel={r.confirmRemove}
          busy={busy}
          onConfirm={() => void remove()}
          onClose={() => setAsking(false)}
          returnTo={() => (removed.current ? document.querySelector<HTMLElement>('main h1') : null)}
        >
          <p dir="auto">{r.confirmText(name)}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
