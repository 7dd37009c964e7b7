import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import './admin.css';

interface OverviewCounselor {
  id: string;
  displayName: string;
  onShift: boolean;
  chats: number;
  maxChats: number;
  away: boolean;
}
interface Overview {
  waiting: number;
  counselors: OverviewCounselor[];
}

const POLL_MS = 10_000;

/** The admin's live overview: who is on shift, their chats, how many wait (polled; changes announced politely). */
export function AdminOverviewPage({ session, center }: PageProps) {
  const { t, lang } = useI18n();
  const [data, setData] = useState<Overview | null>(null);
  const [at, setAt] = useState<Date | null>(null);
  const [failed, setFailed] = useState(false);
  const [announce, setAnnounce] = useState('');
  const last = useRef<string | null>(null);
  const a = t.admin.overview;

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const next = await session.call<Overview>(`/api/centers/${encodeURIComponent(center)}/live/overview`);
        if (stopped) return;
        const onShift = next.counselors.filter((c) => c.onShift).length;
        const key = JSON.stringify(next);
        // the first load is on screen already; later changes are announced
        if (last.current !== null && last.current !== key) setAnnounce(a.changed(next.waiting, onShift));
        last.current = key;
        setData(next);
        setAt(new Date());
        setFailed(false);
      } catch {
        if (!stopped) setFailed(true);
      }
    };
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    const onVisible = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [session, center, a]);

  return (
    <Layout session={session} title={a.title}>
      <p>{a.intro}</p>
      <p class="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      {failed && (
        <p class="error" role="alert">
          {a.loadFailed}
        </p>
      )}
      {!data ? (
        <p>{t.common.loading}</p>
      ) : (
        <>
          <p class="admin-big" data-testid="waiting">
            {a.waiting(data.waiting)}
          </p>
          <h2>{a.counselors}</h2>
          {data.counselors.length === 0 ? (
            <p>{a.none}</p>
          ) : (
            <table class="admin-table">
              <thead>
                <tr>
                  <th scope="col">{a.name}</th>
                  <th scope="col">{a.shift}</th>
                  <th scope="col">{a.chats}</th>
                </tr>
              </thead>
              <tbody>
                {data.counselors.map((c) => (
                  <tr key={c.id} data-counselor={c.id}>
                    <th scope="row">
                      <bdi>{c.displayName}</bdi>
                    </th>
                    <td data-label={a.shift}>
                      {c.onShift ? a.onShift : a.offShift}
                      {c.away && <span class="admin-badge warn"> {a.away}</span>}
                    </td>
                    <td data-label={a.chats}>{a.chatsOf(c.chats, c.maxChats)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {at && <p class="hint">{a.updated(at.toLocaleTimeString(lang === 'de' ? 'de-DE' : 'en-GB', { timeStyle: 'short' }))}</p>}
        </>
      )}
    </Layout>
  );
}
