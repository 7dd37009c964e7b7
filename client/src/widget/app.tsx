import { useEffect, useRef, useState } from 'preact/hooks';
import { Composer, MessageList, TypingLine } from '../lib/chat-parts';
import { useStore } from '../lib/store';
import type { Dict } from './i18n';
import type { CenterInfo, WidgetSession, WidgetState } from './session';
import { phoneParts } from './phones';
import type { TopicChatListItem } from './types';

interface Props {
  session: WidgetSession;
  t: Dict;
  lang: string;
  onQuickExit: () => void;
}

export function App({ session, t, lang, onQuickExit }: Props) {
  const state = useStore(session);
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Move focus to the new step's heading so screen readers announce the change.
  useEffect(() => headingRef.current?.focus(), [state.phase]);

  return (
    <div class="widget">
      <header class="bar">
        <span class="bar-title">{state.center?.name ?? t.title}</span>
        <button type="button" class="quick-exit" onClick={onQuickExit} title={t.quickExitHint} aria-describedby="qe-hint">
          {t.quickExit}
        </button>
        <span id="qe-hint" class="sr-only">
          {t.quickExitHint}
        </span>
      </header>
      {!state.online && !state.connectProblem && (
        <p class="banner" role="status">
          {t.reconnecting}
        </p>
      )}
      {state.connectProblem && (
        <div class="alert" role="alert" data-notice="connect-problem">
          <p>{t.connectProblem}</p>
          <CrisisText center={state.center} t={t} />
          <button type="button" class="secondary" onClick={() => session.reconnect()}>
            {t.reconnectNow}
          </button>
        </div>
      )}
      <main class="body">
        <Step state={state} session={session} t={t} lang={lang} headingRef={headingRef} />
      </main>
    </div>
  );
}

interface StepProps {
  state: WidgetState;
  session: WidgetSession;
  t: Dict;
  lang: string;
  headingRef: { current: HTMLHeadingElement | null };
}

function Step({ state, session, t, lang, headingRef }: StepProps) {
  const h = (text: string) => (
    <h1 tabIndex={-1} ref={headingRef}>
      {text}
    </h1>
  );
  switch (state.phase) {
    case 'loading':
      return <p aria-busy="true">{t.loading}</p>;
    case 'error':
      return (
        <section>
          {h(t.error)}
          <button type="button" class="primary" onClick={() => session.restart()}>
            {t.tryAgain}
          </button>
          <Crisis center={state.center} t={t} />
        </section>
      );
    case 'blocked':
      return (
        <section class="unavailable" data-state="blocked">
          {h(t.blockedHeading)}
          <p>{t.blockedText}</p>
          <OtherWays center={state.center} topics={state.topics} t={t} lang={lang} />
        </section>
      );
    case 'closed':
    case 'full':
    case 'timeout':
      return (
        <section class="unavailable" data-state={state.phase}>
          {h(state.phase === 'closed' ? t.closedHeading : t.fullHeading)}
          <p>{state.phase === 'closed' ? t.closedText : state.phase === 'full' ? t.fullText : t.timeoutText}</p>
          {state.phase !== 'closed' && (
            <button type="button" class="primary" onClick={() => session.restart()}>
              {t.tryAgain}
            </button>
          )}
          <OtherWays center={state.center} topics={state.topics} t={t} lang={lang} />
        </section>
      );
    case 'consent':
      return (
        <section>
          {h(t.privacyHeading)}
          <p class="privacy">{state.center?.privacyText || t.defaultPrivacy}</p>
          <CrisisLine center={state.center} t={t} />
          <p class="hint">{t.quickExitKeys}</p>
          <p class="hint">{t.historyHint}</p>
          <button type="button" class="primary" onClick={() => session.consent()}>
            {t.consent}
          </button>
        </section>
      );
    case 'compose':
      return <Compose session={session} t={t} busy={state.busy} center={state.center} heading={h(t.title)} />;
    case 'waiting':
      return (
        <section class="waiting">
          {h(t.waitingHeading)}
          {state.lineLost && (
            <p class="notice" role="status" data-notice="line-lost">
              {t.lineLost}
            </p>
          )}
          <p class="position" role="status" aria-live="polite" aria-atomic="true">
            {state.position === null || state.position === 0 ? t.loading : t.position(state.position)}
          </p>
          <p class="estimate" aria-live="polite">
            {state.estimate === undefined ? '' : state.estimate === null ? t.noEstimate : t.estimate(state.estimate)}
          </p>
          <p>{t.waitingHint}</p>
          <button type="button" class="secondary" onClick={() => void session.leaveQueue()}>
            {t.leaveQueue}
          </button>
          <Crisis center={state.center} t={t} />
        </section>
      );
    case 'chat':
      return <Chat state={state} session={session} t={t} lang={lang} heading={h(t.connectedWith(state.peer ?? ''))} />;
    case 'ended': {
      const reason = state.endReason ? t.endedReason[state.endReason] : undefined;
      return (
        <section class="ended" data-reason={state.endReason ?? ''}>
          {state.room && state.room.messages.length > 0 && <Transcript state={state} t={t} lang={lang} />}
          {h(t.endedHeading)}
          {reason && <p class="reason">{reason}</p>}
          <p class="closing">{t.endedText}</p>
          <button type="button" class="secondary" onClick={() => session.restart()}>
            {t.newChat}
          </button>
          <OtherWays center={state.center} topics={state.topics} t={t} lang={lang} />
        </section>
      );
    }
  }
}

function Compose({
  session,
  t,
  busy,
  center,
  heading,
}: {
  session: WidgetSession;
  t: Dict;
  busy: boolean;
  center: CenterInfo | null;
  heading: preact.JSX.Element;
}) {
  const [text, setText] = useState('');
  return (
    <form
      class="compose"
      onSubmit={(e) => {
        e.preventDefault();
        void session.start(text);
      }}
    >
      {heading}
      <CrisisLine center={center} t={t} />
      <label for="first">{t.firstMessageLabel}</label>
      <textarea id="first" rows={3} maxLength={1000} value={text} onInput={(e) => setText(e.currentTarget.value)} aria-describedby="first-hint" />
      <p id="first-hint" class="hint">
        {t.firstMessageHint}
      </p>
      <button type="submit" class="primary" disabled={busy}>
        {t.start}
      </button>
    </form>
  );
}

function time(iso: string, lang: string): string {
  return new Date(iso).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'de-DE', { hour: '2-digit', minute: '2-digit' });
}

function Transcript({ state, t, lang, onRetry }: { state: WidgetState; t: Dict; lang: string; onRetry?: (clientMsgId: string) => void }) {
  if (!state.room) return null;
  return (
    <MessageList
      room={state.room}
      selfId={state.selfId}
      labels={{ log: t.messagesLog, you: t.you, sending: t.sending, failed: t.failed, retry: t.retry }}
      formatTime={(iso) => time(iso, lang)}
      fallbackName={state.peer}
      onRetry={onRetry}
    />
  );
}

function Chat({ state, session, t, lang, heading }: { state: WidgetState; session: WidgetSession; t: Dict; lang: string; heading: preact.JSX.Element }) {
  const [text, setText] = useState('');
  const [confirming, setConfirming] = useState(false);
  const stayRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) stayRef.current?.focus();
  }, [confirming]);
  return (
    <section class="chat">
      {heading}
      {state.paused ? (
        <div class="alert" role="alert" data-notice="paused">
          <p>{t.paused}</p>
          <CrisisText center={state.center} t={t} />
        </div>
      ) : (
        <CrisisLine center={state.center} t={t} />
      )}
      {state.handedOverTo && (
        <p class="notice" role="status" data-notice="handed-over">
          {t.handedOver(state.handedOverTo)}
        </p>
      )}
      <Transcript state={state} t={t} lang={lang} onRetry={(id) => session.retry(id)} />
      <TypingLine names={state.room?.typing} say={t.typing} />
      <Composer
        id="msg"
        rows={2}
        label={t.messageLabel}
        placeholder={t.messageLabel}
        sendLabel={t.send}
        text={text}
        onText={setText}
        onSend={(body) => session.send(body)}
        onTyping={() => session.typing(true)}
      />
      {/* asked inline: browsers may suppress window.confirm in a cross-origin frame */}
      {confirming ? (
        <div class="end-confirm" role="group" aria-labelledby="end-q">
          <span id="end-q">{t.endConfirm}</span>
          <button type="button" class="primary" onClick={() => void session.endChat()}>
            {t.endYes}
          </button>
          <button type="button" class="secondary" ref={stayRef} onClick={() => setConfirming(false)}>
            {t.endNo}
          </button>
        </div>
      ) : (
        <button type="button" class="secondary end" onClick={() => setConfirming(true)}>
          {t.endChat}
        </button>
      )}
    </section>
  );
}

function OtherWays({ center, topics, t, lang }: { center: CenterInfo | null; topics: TopicChatListItem[]; t: Dict; lang: string }) {
  const locale = lang === 'en' ? 'en-GB' : 'de-DE';
  const tz = center?.timeZone ?? 'Europe/Berlin';
  const fmt = (iso: string) =>
    new Date(iso).toLocaleString(locale, { timeZone: tz, weekday: 'short', day: 'numeric', month: 'numeric', hour: '2-digit', minute: '2-digit' });
  const clock = (iso: string) => new Date(iso).toLocaleTimeString(locale, { timeZone: tz, hour: '2-digit', minute: '2-digit' });
  const hours = [...(center?.openingHours ?? [])].sort((a, b) => ((a.day + 6) % 7) - ((b.day + 6) % 7) || a.from.localeCompare(b.from));
  // running ones can be joined now (in the portal, a new tab: the widget stays as it is); the rest come later
  const running = topics.filter((x) => x.status === 'open');
  const upcoming = topics.filter((x) => x.status === 'scheduled');
  const joinHref = (id: string) => `/c/${encodeURIComponent(center?.slug ?? '')}/topic/${encodeURIComponent(id)}`;
  return (
    <div class="other-ways">
      <Crisis center={center} t={t} />
      <h2>{t.openingHours}</h2>
      {hours.length > 0 ? (
        <ul class="hours">
          {hours.map((o) => (
            <li key={`${o.day}-${o.from}`}>
              {t.days[o.day]} {o.from}–{o.to}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t.noOpeningHours}</p>
      )}
      {running.length > 0 && (
        <>
          <h2>{t.topicChatsNow}</h2>
          <ul class="topics running">
            {running.map((x) => (
              <li key={x.id} data-topic={x.id}>
                <strong dir="auto">{x.title}</strong> <span>{t.topicUntil(clock(x.endsAt))}</span>{' '}
                <a href={joinHref(x.id)} target="_blank" rel="noopener" aria-label={t.topicJoinLabel(x.title)}>
                  {t.topicJoin}
                </a>
                {x.description && (
                  <p class="topic-text" dir="auto">
                    {x.description}
                  </p>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t.topicChats}</h2>
      {upcoming.length > 0 ? (
        <ul class="topics">
          {upcoming.slice(0, 5).map((x) => (
            <li key={x.id} data-topic={x.id}>
              <strong dir="auto">{x.title}</strong>{' '}
              <span>
                {fmt(x.startsAt)}–{clock(x.endsAt)}
              </span>
              {x.description && (
                <p class="topic-text" dir="auto">
                  {x.description}
                </p>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>{t.noTopicChats}</p>
      )}
      <h2>{t.otherWays}</h2>
      <p>{t.registerHint}</p>
      {center && (
        <p>
          {/* the team page in the portal, in a new tab: the widget stays as it is */}
          <a href={`/c/${encodeURIComponent(center.slug)}/team`} target="_blank" rel="noopener" aria-label={t.teamLinkLabel} data-link="team">
            {t.teamLink}
          </a>
        </p>
      )}
    </div>
  );
}

/** The center's crisis text (or the default) with every phone number as a `tel:` link. */
function CrisisText({ center, t }: { center: CenterInfo | null; t: Dict }) {
  return (
    <p class="crisis-text">
      {phoneParts(center?.emergencyText ?? t.emergencyDefault).map((part, i) =>
        part.tel ? (
          <a key={i} href={`tel:${part.tel}`} aria-label={t.call(part.text)}>
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}

/** The crisis lines as a block (waiting, ended, closed, error). */
function Crisis({ center, t }: { center: CenterInfo | null; t: Dict }) {
  return (
    <section class="emergency" role="note" aria-label={t.emergencyHeading}>
      <h2>{t.emergencyHeading}</h2>
      <CrisisText center={center} t={t} />
    </section>
  );
}

/** One line in the running chat: the numbers only, each one tap away. */
function CrisisLine({ center, t }: { center: CenterInfo | null; t: Dict }) {
  const numbers = phoneParts(center?.emergencyText ?? t.emergencyDefault).filter((p) => p.tel);
  if (numbers.length === 0) return <CrisisText center={center} t={t} />;
  return (
    <p class="crisis-line" role="note">
      {t.crisisShort}{' '}
      {numbers.map((n, i) => (
        <a key={i} href={`tel:${n.tel}`} aria-label={t.call(n.text)}>
          {n.text}
        </a>
      ))}
    </p>
  );
}
