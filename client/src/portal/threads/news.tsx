import { useRef } from 'preact/hooks';
import { useI18n } from '../../i18n';
import type { ThreadNews } from './threads-session';

/** The polite live region for what happened in threads not shown, since this page was opened. */
export function ThreadNewsRegion({ news }: { news: ThreadNews[] }) {
  const { t } = useI18n();
  const since = useRef(news.reduce((max, n) => Math.max(max, n.id), 0));
  const last = news.filter((n) => n.id > since.current).pop();
  return (
    <p class={last ? 'thread-news notice' : 'thread-news'} role="status" aria-live="polite" data-news={last?.id}>
      {last ? t.threads.news[last.kind](last.subject ?? t.threads.noSubject) : ''}
    </p>
  );
}
