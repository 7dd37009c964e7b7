import { useRef } from 'preact/hooks';
import { useI18n } from '../../i18n';
import type { RoomNews } from './rooms-session';

/**
 * The live region that says what happened in the rooms not shown (new message, new chat, closed),
 * from the moment the page was opened (older news were said on the page where they happened).
 */
export function RoomNewsRegion({ news }: { news: RoomNews[] }) {
  const { t } = useI18n();
  const since = useRef(news.reduce((max, n) => Math.max(max, n.id), 0));
  const last = news.filter((n) => n.id > since.current).pop();
  return (
    <p class={last ? 'room-news notice' : 'room-news'} role="status" aria-live="polite" data-news={last?.id}>
      {last ? t.rooms.news[last.kind](last.name) : ''}
    </p>
  );
}
