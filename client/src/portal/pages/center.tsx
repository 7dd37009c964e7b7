import { useEffect, useState } from 'preact/hooks';
import type { CenterPublicInfo, LiveStatus, TopicChatListItem } from '../../../../src/realtime/contract';
import { Messages, useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import '../center.css';

/** How often the page asks whether the live chat is open, and which topic chats run (also when the tab becomes visible). */
export const CENTER_POLL_MS = 20_000;

interface Status {
  /** undefined: not known yet; null: could not be read. */
  live: LiveStatus | null | undefined;
  topics: TopicChatListItem[] | null;
}

/** The live status and the topic chats, read now, every CENTER_POLL_MS and whenever the tab becomes visible again. */
function useCenterStatus(center: string): Status {
  const [status, setStatus] = useState<Status>({ live: undefined, topics: null });
  useEffect(() => {
    let gone = false;
    const base = `/api/centers/${encodeURIComponent(center)}`;
    const read = async () => {
      const [live, topics] = await Promise.all([
        api<LiveStatus>(`${base}/live`).catch(() => null),
        api<TopicChatListItem[]>(`${base}/topic-chats`).catch(() => null),
      ]);
      if (!gone) setStatus((old) => ({ live, topics: topics ?? old.topics }));
    };
    void read();
    const timer = setInterval(() => void read(), CENTER_POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void read();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      gone = true;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [center]);
  return status;
}

/**
 * `/c/:center` (and `/` with one center): the address a center links from its homepage. Its name,
 * whether the live chat is open now (kept current), the chat hours, the topic chats running now
 * (to join anonymously) and coming, login and registration; the crisis lines are in the footer.
 */
export function CenterPage({ session, center }: PageProps) {
  const { t, lang } = useI18n();
  const c = t.center;
  const info = useStore(session).info;
  const { live, topics } = useCenterStatus(center);
  const base = `/c/${encodeURIComponent(center)}`;
  const tz = info?.timeZone ?? 'Europe/Berlin';
  const running = (topics ?? []).filter((x) => x.status === 'open');
  const upcoming = (topics ?? []).filter((x) => x.status === 'scheduled').sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  return (
    <Layout session={session} title={info?.name ?? c.title}>
      <p class="intro">{c.intro}</p>
      <div class="center-grid">
        <section class="live card" aria-labelledby="live-heading">
          <h2 id="live-heading">{c.liveHeading}</h2>
          <LiveLine live={live} t={t} />
          {live?.open && !live.full && (
            <>
              <p>
                {/* the widget app on a page of its own, in a new tab: its quick exit leaves a history without this page */}
                <a
                  class="button"
                  href={`/widget.html?center=${encodeURIComponent(center)}&lang=${lang}`}
                  target="_blank"
                  rel="noopener"
                  aria-describedby="live-start-hint"
                >
                  {c.liveStart}
                </a>
              </p>
              <p id="live-start-hint" class="hint">
                {c.liveStartHint}
              </p>
            </>
          )}
          <Hours info={info} t={t} />
        </section>

        <section class="topics card" aria-labelledby="topics-heading">
          <h2 id="topics-heading">{c.topicsNowHeading}</h2>
          <p class="hint">{c.topicsIntro}</p>
          {/* one polite region around the running ones: a chat that starts is announced */}
          <div aria-live="polite">
            {running.length > 0 ? (
              <ul class="topic-list">
                {running.map((x) => (
                  <li key={x.id} data-topic={x.id} data-status="open">
                    <h3 dir="auto">{x.title}</h3>
                    {x.description && <p dir="auto">{x.description}</p>}
                    <p class="when">{c.until(x.endsAt, tz)}</p>
                    <a class="button" href={`${base}/topic/${encodeURIComponent(x.id)}`} aria-label={c.topicJoinLabel(x.title)}>
                      {c.topicJoin}
                    </a>
                  </li>
                ))}
              </ul>
            ) : (
              <p>{c.noTopicsNow}</p>
            )}
          </div>
          <h2>{c.topicsNextHeading}</h2>
          {upcoming.length > 0 ? (
            <ul class="topic-list">
              {upcoming.map((x) => (
                <li key={x.id} data-topic={x.id} data-status="scheduled">
                  <h3 dir="auto">{x.title}</h3>
                  {x.description && <p dir="auto">{x.description}</p>}
                  <p class="when">{c.timeRange(x.startsAt, x.endsAt, tz)}</p>
                </li>
              ))}
            </ul>
          ) : (
            <p>{c.noTopicsNext}</p>
          )}
          {(running.length > 0 || upcoming.length > 0) && info && info.timeZone !== browserTimeZone() && <p class="hint">{c.hoursTimeZone(info.timeZone)}</p>}
        </section>

        <section class="account card" aria-labelledby="account-heading">
          <h2 id="account-heading">{c.accountHeading}</h2>
          <p>{c.accountText}</p>
          <p>{c.noEmailNeeded}</p>
          <p class="actions">
            <a class="button" href={`${base}/register`}>
              {c.register}
            </a>{' '}
            <a class="button secondary" href={`${base}/login`} aria-describedby="login-who">
              {c.login}
            </a>
          </p>
          <p id="login-who" class="hint">
            {c.staffLogin}
          </p>
          <p>
            <a href={`${base}/team`} data-link="team">
              {t.team.page.link}
            </a>
          </p>
        </section>
      </div>
    </Layout>
  );
}

/** The honest live status: open, full or closed, as the widget says it; announced when it changes. */
function LiveLine({ live, t }: { live: LiveStatus | null | undefined; t: Messages }) {
  const c = t.center;
  const [text, state] =
    live === undefined
      ? [c.liveChecking, 'unknown']
      : live === null
        ? [c.liveUnknown, 'unknown']
        : !live.open
          ? [c.liveClosed, 'closed']
          : live.full
            ? [c.liveFull, 'full']
            : [c.liveOpen, 'open'];
  return (
    <p class={`live-status ${state}`} role="status" data-live={state}>
      {text}
    </p>
  );
}

function Hours({ info, t }: { info: CenterPublicInfo | null; t: Messages }) {
  const c = t.center;
  const hours = [...(info?.openingHours ?? [])].sort((a, b) => ((a.day + 6) % 7) - ((b.day + 6) % 7) || a.from.localeCompare(b.from));
  return (
    <>
      <h3>{c.hoursHeading}</h3>
      {hours.length > 0 ? (
        <>
          <ul class="hours">
            {hours.map((o) => (
              <li key={`${o.day}-${o.from}`}>
                <span class="day">{c.days[o.day]}</span> {c.hoursRange(o.from, o.to)}
              </li>
            ))}
          </ul>
          {info && info.timeZone !== browserTimeZone() && <p class="hint">{c.hoursTimeZone(info.timeZone)}</p>}
        </>
      ) : (
        <p>{c.noHours}</p>
      )}
    </>
  );
}

/** The visitor's own time zone: times in the center's zone say so when it differs. */
function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
