import type { RoomListItem } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { NewRoomForm } from '../rooms/new-room-form';
import { RoomNewsRegion } from '../rooms/news';
import { roomWindow } from '../rooms/room-window';
import type { RoomsSession } from '../rooms/rooms-session';
import { useRoomsSession } from '../rooms/use-rooms';
import '../rooms/rooms.css';

/** `/c/:center/app/rooms`: the caller's chats with unread counts (live); counselors also start new ones. */
export function RoomsPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const rooms = useRoomsSession(session);
  return (
    <Layout session={session} title={t.rooms.title}>
      {rooms && <RoomsView session={session} rooms={rooms} center={center} />}
    </Layout>
  );
}

function RoomsView({ session, rooms, center }: PageProps & { rooms: RoomsSession }) {
  const { t } = useI18n();
  const state = useStore(rooms);
  const portal = useStore(session);
  const role = portal.auth?.account.role;
  const staff = role === 'counselor' || role === 'admin';
  const timeZone = portal.info?.timeZone ?? 'Europe/Berlin';
  const base = `/c/${encodeURIComponent(center)}/app/rooms`;
  return (
    <>
      <RoomNewsRegion news={state.news} />
      {!state.online && state.rooms && <p class="notice">{t.rooms.list.offline}</p>}
      <section aria-labelledby="rooms-heading">
        <h2 id="rooms-heading">{t.rooms.list.heading}</h2>
        {state.listError && (
          <p class="error" role="alert">
            {t.errors[state.listError as keyof typeof t.errors] ?? t.errors.INTERNAL}
          </p>
        )}
        {!state.rooms ? (
          !state.listError && <p>{t.common.loading}</p>
        ) : state.rooms.length === 0 ? (
          <p>{staff ? t.rooms.list.emptyStaff : t.rooms.list.empty}</p>
        ) : (
          <ul class="room-list">
            {state.rooms.map((r) => (
              <RoomRow key={r.id} room={r} href={`${base}/${encodeURIComponent(r.id)}`} timeZone={timeZone} />
            ))}
          </ul>
        )}
      </section>
      {staff && <NewRoomForm rooms={rooms} timeZone={timeZone} />}
    </>
  );
}

function RoomRow({ room, href, timeZone }: { room: RoomListItem; href: string; timeZone: string }) {
  const { t } = useI18n();
  const w = roomWindow(room, Date.now());
  const windowText =
    w.state === 'closed'
      ? t.rooms.list.closed
      : w.state === 'before'
        ? t.rooms.list.opens(t.common.dateTime(w.at, timeZone))
        : w.state === 'after'
          ? t.rooms.list.windowEnded
          : w.until
            ? t.rooms.list.until(t.common.dateTime(w.until, timeZone))
            : null;
  return (
    <li class={room.unread > 0 ? 'room unread' : 'room'} data-room={room.id}>
      <a href={href} dir="auto" class="room-name" aria-describedby={`room-meta-${room.id}`}>
        {room.name}
      </a>
      <span class="room-meta" id={`room-meta-${room.id}`}>
        <span class="room-kind">{t.rooms.kind[room.kind]}</span>
        {windowText && (
          <span class="room-window" data-window={w.state}>
            {windowText}
          </span>
        )}
        {room.unread > 0 && (
          <span class="badge" data-unread={room.unread}>
            <span aria-hidden="true">{room.unread}</span>
            <span class="sr-only">{t.rooms.list.unread(room.unread)}</span>
          </span>
        )}
      </span>
    </li>
  );
}
