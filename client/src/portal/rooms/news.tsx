import { useI18n } from '../../i18n';
import type { RoomNews } from './rooms-session';

/** The live region that says what happened in the rooms not shown (new message, new chat, closed). */
export function RoomNewsRegion({ news }: { news: RoomNews[] }) {
  const { t } = useI18n();
  const last = news[news.length - 1];
  return (
    <p class="room-news" role="status" aria-live="polite" data-news={last?.id}>
      {last ? t.rooms.news[last.kind](last.name) : ''}
    </p>
  );
}
