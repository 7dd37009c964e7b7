import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TopicChatListItem } from '../../../../src/realtime/contract';
import { LIMITS } from '../../../../src/realtime/contract';
import { Messages, useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import { CENTER_POLL_MS } from './center';
import type { PageProps } from '../page';
import { TopicChatView } from '../topic-chat';
import { JoinRefusal, NICKNAME_REFUSALS, TopicVisitor } from '../topic-visitor';
import '../center.css';

/**
 * `/c/:center/topic/:id`: an anonymous visitor joins a running topic chat with a nickname and
 * chats (no account; the visitor token lives in this tab's sessionStorage only).
 */
export function TopicJoinPage({ session, center, params }: PageProps) {
  const { t } = useI18n();
  const c = t.center;
  const topicId = params?.id ?? '';
  const visitor = useMemo(() => new TopicVisitor(center, topicId, sessionStorage), [center, topicId]);
  const state = useStore(visitor);
  const info = useStore(session).info;
  useEffect(() => {
    void visitor.load();
    return () => visitor.destroy();
  }, [visitor]);
  const waiting = state.phase === 'form' && state.topic?.status === 'scheduled';
  // a chat that has not begun is read again (as the center's page does), so its form appears when it starts
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void visitor.refresh(), CENTER_POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void visitor.refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [visitor, waiting]);
  const tz = info?.timeZone ?? 'Europe/Berlin';
  const topic = state.topic;
  const back = `/c/${encodeURIComponent(center)}`;
  const socket = visitor.socket;

  return (
    <Layout session={session} title={topic?.title ?? c.topicTitle}>
      {state.phase === 'loading' ? (
        <p aria-busy="true">{t.common.loading}</p>
      ) : topic === null || topic === undefined ? (
        <>
          <p role="alert">{state.refusal === 'NETWORK' ? t.errors.NETWORK : c.topicMissing}</p>
          <p>
            <a href={back}>{c.backToCenter}</a>
          </p>
        </>
      ) : state.phase === 'chat' && socket && state.roomId && state.selfId ? (
        <>
          <TopicFacts topic={topic} tz={tz} t={t} />
          <TopicChatView
            socket={socket}
            selfId={state.selfId}
            roomId={state.roomId}
            nickname={state.nickname}
            store={sessionStorage}
            storeKey={visitor.chatKey}
            onLeave={() => visitor.leave()}
            onClosed={() => visitor.forgetJoin()}
          />
        </>
      ) : state.phase === 'left' ? (
        <>
          <p role="status">{c.left}</p>
          <p>
            <button type="button" class="secondary" onClick={() => visitor.showForm()}>
              {c.rejoin}
            </button>
          </p>
          <p>
            <a href={back}>{c.backToCenter}</a>
          </p>
        </>
      ) : (
        <>
          <TopicFacts topic={topic} tz={tz} t={t} />
          <JoinForm visitor={visitor} topic={topic} refusal={state.refusal} busy={state.phase === 'joining'} initial={state.nickname ?? ''} tz={tz} t={t} />
          <p>
            <a href={back}>{c.backToCenter}</a>
          </p>
        </>
      )}
    </Layout>
  );
}

function TopicFacts({ topic, tz, t }: { topic: TopicChatListItem; tz: string; t: Messages }) {
  return (
    <div class="topic-facts">
      {topic.description && (
        <p class="description" dir="auto">
          {topic.description}
        </p>
      )}
      <p>
        <span class="label">{t.center.topicWhen}:</span> {t.center.timeRange(topic.startsAt, topic.endsAt, tz)}
      </p>
    </div>
  );
}

function JoinForm({
  visitor,
  topic,
  refusal,
  busy,
  initial,
  tz,
  t,
}: {
  visitor: TopicVisitor;
  topic: TopicChatListItem;
  refusal: JoinRefusal | null;
  busy: boolean;
  initial: string;
  tz: string;
  t: Messages;
}) {
  const c = t.center;
  const [nickname, setNickname] = useState(initial);
  const input = useRef<HTMLInputElement>(null);
  const onField = refusal !== null && NICKNAME_REFUSALS.includes(refusal);
  // a nickname refusal sends the focus back to the field, where its sentence is read out
  useEffect(() => {
    if (onField) input.current?.focus();
  }, [onField, refusal]);
  if (topic.status === 'ended') return <p role="status">{c.topicOver}</p>;
  if (topic.status === 'scheduled') return <p role="status">{c.topicNotYet(c.timeRange(topic.startsAt, topic.endsAt, tz))}</p>;
  const message = refusal ? refusalText(refusal, t) : null;
  return (
    <form
      class="topic-join"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void visitor.join(nickname);
      }}
    >
      <p>{c.topicAnonymous}</p>
      <div class="field">
        <label for="nickname">{c.nicknameLabel}</label>
        <input
          id="nickname"
          ref={input}
          name="nickname"
          autocomplete="off"
          spellcheck={false}
          maxLength={LIMITS.nicknameMax * 2}
          value={nickname}
          onInput={(e) => setNickname(e.currentTarget.value)}
          aria-invalid={onField ? 'true' : undefined}
          aria-describedby={onField ? 'nickname-error nickname-hint' : 'nickname-hint'}
        />
        <span id="nickname-hint" class="hint">
          {c.nicknameHint}
        </span>
        {onField && (
          <span id="nickname-error" class="error" data-refusal={refusal}>
            {message}
          </span>
        )}
      </div>
      {message && !onField && (
        <p class="error" role="alert" data-refusal={refusal}>
          {message}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? c.joining : c.join}
      </button>
    </form>
  );
}

function refusalText(refusal: JoinRefusal, t: Messages): string {
  const c = t.center;
  switch (refusal) {
    case 'taken':
      return c.nicknameTaken;
    case 'staff':
      return c.nicknameStaff;
    case 'length':
      return c.nicknameLength;
    case 'invisible':
      return c.nicknameInvisible;
    case 'letters':
      return c.nicknameLetters;
    case 'invalid':
      return c.nicknameInvalid;
    case 'full':
      return c.topicFull;
    case 'notOpen':
      return c.topicNotOpen;
    case 'removed':
      return c.removed;
    case 'missing':
      return c.topicMissing;
    default:
      return t.errors[refusal];
  }
}
