import { useEffect, useRef, useState } from 'preact/hooks';
import { CannedMenu } from '../lib/canned-menu';
import { Composer, MessageList, TypingLine } from '../lib/chat-parts';
import { useStore } from '../lib/store';
import type { ChatTab, ConsoleSession, ConsoleState, RoomMemberItem } from './console-session';
import type { ConsoleDict } from './lang';

interface Ctx {
  session: ConsoleSession;
  state: ConsoleState;
  t: ConsoleDict;
  lang: string;
  /** Inside the portal's workspace: no login form, no own logout, no own page title or <main>. */
  embedded: boolean;
}

/** Re-renders every `ms` (waiting times). */
function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function ConsoleApp({ session, t, lang, embedded = false }: { session: ConsoleSession; t: ConsoleDict; lang: string; embedded?: boolean }) {
  const state = useStore(session);
  const unread = session.unreadTotal;
  // The page title carries the unread count (new chats and messages), not only the sound.
  useEffect(() => {
    if (!embedded) document.title = unread > 0 ? `(${unread}) ${t.appTitle}` : t.appTitle;
  }, [unread, t, embedded]);
  const ctx: Ctx = { session, state, t, lang, embedded };
  if (!state.auth) return embedded ? null : <Login {...ctx} />;
  return (
    <div class="console">
      <Header {...ctx} />
      <div class="sr-only" role="log" aria-live="polite" aria-label={t.announcements} data-live-region>
        {state.announcements.map((a) => (
          <p key={a.id}>{a.text}</p>
        ))}
      </div>
      {state.error && (
        <p class="error" role="alert">
          {state.error}
        </p>
      )}
      {state.notice && (
        <div class="notice" role="status">
          <span>{state.notice}</span>
          <button type="button" class="link" onClick={() => session.dismissNotice()}>
            {t.dismiss}
          </button>
        </div>
      )}
      <div class="columns">
        <aside class="side">
          <Queue {...ctx} />
          <Topics {...ctx} />
        </aside>
        <Chats {...ctx} />
      </div>
    </div>
  );
}

/** An accessible confirmation dialog (native <dialog>: focus moves in, Escape cancels, focus returns). */
function Confirm({
  text,
  yes,
  danger,
  onYes,
  onClose,
  t,
}: {
  text: string;
  yes: string;
  danger?: boolean;
  onYes: () => void;
  onClose: () => void;
  t: ConsoleDict;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-text" onClose={onClose}>
      <p id="confirm-text">{text}</p>
      <div class="actions">
        <button
          type="button"
          class={danger ? 'danger' : 'primary'}
          onClick={() => {
            onYes();
            ref.current?.close();
          }}
        >
          {yes}
        </button>
        <button type="button" class="secondary" autofocus onClick={() => ref.current?.close()}>
          {t.cancel}
        </button>
      </div>
    </dialog>
  );
}

interface Ask {
  text: string;
  yes: string;
  danger?: boolean;
  run: () => void;
}

function Login({ session, state, t }: Ctx) {
  const [center, setCenter] = useState(new URLSearchParams(location.search).get('center') ?? 'demo');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return (
    <main class="login">
      <h1>{t.appTitle}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void session.login(center.trim(), email.trim(), password);
        }}
      >
        <label for="center">{t.centerLabel}</label>
        <input id="center" name="center" required value={center} onInput={(e) => setCenter(e.currentTarget.value)} autocomplete="organization" />
        <label for="email">{t.email}</label>
        <input id="email" name="email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} autocomplete="username" />
        <label for="password">{t.password}</label>
        <input
          id="password"
          name="password"
          type="password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          autocomplete="current-password"
        />
        {state.error && (
          <p class="error" role="alert">
            {state.error}
          </p>
        )}
        <button type="submit" class="primary" disabled={state.busy}>
          {t.login}
        </button>
      </form>
    </main>
  );
}

function Header({ session, state, t, embedded }: Ctx) {
  const [max, setMax] = useState(state.shift.maxChats);
  // the server's shift (restored by live.sync) wins over what the field showed
  useEffect(() => setMax(state.shift.maxChats), [state.shift.maxChats]);
  return (
    <div class="console-top">
      <strong class="who">{state.auth?.account.displayName}</strong>
      <span class={state.online ? 'conn on' : 'conn off'} role="status">
        {state.online ? t.connected : t.connecting}
      </span>
      <span class="shift" data-shift={state.shift.open ? 'open' : 'closed'}>
        {state.shift.open ? t.shiftOpen : t.noShift}
      </span>
      <label class="inline">
        {t.maxChats}
        <input type="number" min={1} max={10} value={max} onInput={(e) => setMax(Number(e.currentTarget.value) || 1)} disabled={state.shift.open} />
      </label>
      {state.shift.open ? (
        <button type="button" class="secondary" onClick={() => void session.closeShift()}>
          {t.closeShift}
        </button>
      ) : (
        <button type="button" class="primary" onClick={() => void session.openShift(Math.min(10, Math.max(1, max)))} disabled={!state.online}>
          {t.openShift}
        </button>
      )}
      <label class="inline">
        <input type="checkbox" checked={state.sound} onChange={(e) => session.setPrefs({ sound: e.currentTarget.checked })} /> {t.sound}
      </label>
      <label class="inline">
        <input type="checkbox" checked={state.notify} onChange={(e) => session.setPrefs({ notify: e.currentTarget.checked })} /> {t.desktopNotice}
      </label>
      {!embedded && (
        <button type="button" class="link" onClick={() => void session.logout()}>
          {t.logout}
        </button>
      )}
    </div>
  );
}

function waited(iso: string, now: number, t: ConsoleDict): string {
  const min = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60000));
  return min < 1 ? t.justNow : t.since(min);
}

const locale = (lang: string) => (lang === 'en' ? 'en-GB' : 'de-DE');
const clock = (iso: string, lang: string) => new Date(iso).toLocaleTimeString(locale(lang), { hour: '2-digit', minute: '2-digit' });

function Queue({ session, state, t }: Ctx) {
  const now = useTick(15_000);
  const [ask, setAsk] = useState<Ask | null>(null);
  return (
    <section class="queue" aria-labelledby="queue-h">
      <h2 id="queue-h">
        {t.queue} <span class="count">{state.waiting}</span>
      </h2>
      {!state.shift.open && <p class="hint">{t.startShiftHint}</p>}
      {state.queue.length === 0 ? (
        state.shift.open && <p class="hint">{t.nobodyWaiting}</p>
      ) : (
        <ol class="entries">
          {state.queue.map((e) => (
            <li key={e.visitorId} class={e.suspicious ? 'suspicious' : undefined} data-suspicious={e.suspicious ? 'true' : undefined}>
              {e.suspicious && <strong class="flag">⚠ {t.suspicious}</strong>}
              <span class="first">{e.firstMessage ?? t.noFirstMessage}</span>
              <span class="meta">{waited(e.joinedAt, now, t)}</span>
              {e.suspicious && (
                <span class="entry-actions">
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => setAsk({ text: t.removeConfirm, yes: t.remove, run: () => void session.removeFromQueue(e.visitorId, false) })}
                  >
                    {t.remove}
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      setAsk({ text: t.removeBlockConfirm, yes: t.removeAndBlock, danger: true, run: () => void session.removeFromQueue(e.visitorId, true) })
                    }
                  >
                    {t.removeAndBlock}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      {ask && <Confirm text={ask.text} yes={ask.yes} danger={ask.danger} onYes={ask.run} onClose={() => setAsk(null)} t={t} />}
    </section>
  );
}

function Topics({ session, state, t, lang }: Ctx) {
  const fmt = (iso: string) => clock(iso, lang);
  return (
    <section class="topics" aria-labelledby="topics-h">
      <h2 id="topics-h">{t.topicsToday}</h2>
      {state.topics.length === 0 ? (
        <p class="hint">{t.noTopicsToday}</p>
      ) : (
        <ul>
          {state.topics.map((x) => (
            <li key={x.id}>
              <strong>{x.title}</strong> {fmt(x.startsAt)}–{fmt(x.endsAt)} <span class="meta">({x.status})</span>
              {x.status === 'open' && !state.chats.some((c) => c.topicChatId === x.id) && (
                <button type="button" class="link" onClick={() => void session.joinTopic(x)}>
                  {t.enter}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Chats(ctx: Ctx) {
  const { session, state, t, lang, embedded } = ctx;
  const active = state.chats.find((c) => c.roomId === state.active) ?? state.chats[0];
  // inside the portal the page's <main> is the layout's
  const Tag = embedded ? 'section' : 'main';
  if (!active) {
    return (
      <Tag class="chats empty" aria-label={t.runningChats}>
        <p class="hint">{t.noChats}</p>
      </Tag>
    );
  }
  return (
    <Tag class="chats" aria-label={t.runningChats}>
      <div role="tablist" aria-label={t.runningChats} class="tabs">
        {state.chats.map((c) => (
          <button
            key={c.roomId}
            type="button"
            role="tab"
            id={`tab-${c.roomId}`}
            aria-selected={c.roomId === active.roomId}
            aria-controls="chat-panel"
            class={`tab${c.unread > 0 || c.fresh ? ' unread' : ''}${c.closed ? ' closed' : ''}`}
            data-label={c.title}
            onClick={() => session.select(c.roomId)}
          >
            <span class="tab-title">
              {c.kind === 'topic' ? '# ' : ''}
              {c.title}
            </span>
            {c.assignedAt && (
              <span class="tab-meta">
                {t.startedAt(clock(c.assignedAt, lang))}
                {c.waitedMs !== undefined && ` · ${t.waited(Math.floor(c.waitedMs / 60000))}`}
              </span>
            )}
            {c.unread > 0 ? (
              <span class="badge" aria-label={t.unreadBadge(c.unread)}>
                {c.unread}
              </span>
            ) : (
              c.fresh && <span class="badge">{t.newBadge}</span>
            )}
          </button>
        ))}
      </div>
      <ChatPanel key={active.roomId} {...ctx} tab={active} />
    </Tag>
  );
}

/** One open chat: its notices, message list and composer, then its tools (or the closing note). */
function ChatPanel({ session, tab, state, t, lang }: Ctx & { tab: ChatTab }) {
  const room = session.room(tab.roomId);
  const [ask, setAsk] = useState<Ask | null>(null);
  const [text, setText] = useState('');
  return (
    <section id="chat-panel" role="tabpanel" aria-labelledby={`tab-${tab.roomId}`} class="panel">
      {tab.peerAway && !tab.closed && (
        <p class="quiet-notice" role="status" data-notice="peer-away">
          {t.peerAway}
        </p>
      )}
      <MessageList
        room={room}
        selfId={state.auth?.account.id}
        labels={{ log: t.chatWith(tab.title), you: t.you, sending: t.sending, failed: t.failed, retry: t.retry }}
        formatTime={(iso) => clock(iso, lang)}
        onRetry={(id) => session.retry(id)}
      />
      <TypingLine names={room?.typing} say={t.typing} />
      {tab.closed ? (
        <ClosedNote session={session} roomId={tab.roomId} reason={tab.closed} t={t} />
      ) : (
        <>
          <Composer
            id="reply"
            rows={3}
            label={t.reply}
            placeholder={t.replyPlaceholder}
            sendLabel={t.send}
            text={text}
            onText={setText}
            onSend={(body) => session.send(tab.roomId, body)}
            onTyping={() => session.typing(tab.roomId, true)}
          />
          <ChatTools session={session} state={state} tab={tab} t={t} onInsert={(v) => setText((old) => (old ? `${old} ${v}` : v))} onAsk={setAsk} />
          {tab.kind === 'topic' && <Participants session={session} tab={tab} t={t} messageCount={room?.messages.length ?? 0} />}
        </>
      )}
      {ask && <Confirm text={ask.text} yes={ask.yes} danger={ask.danger} onYes={ask.run} onClose={() => setAsk(null)} t={t} />}
    </section>
  );
}

/** Why a chat ended, and the button that closes its tab. */
function ClosedNote({ session, roomId, reason, t }: { session: ConsoleSession; roomId: string; reason: string; t: ConsoleDict }) {
  return (
    <div class="closed-note">
      <p role="status" data-closed={reason}>
        {t.closedReason[reason] ?? t.closedDefault}
      </p>
      <button type="button" class="secondary" onClick={() => session.dismiss(roomId)}>
        {t.closeTab}
      </button>
    </div>
  );
}

/** Under the composer: the canned responses (the counselor's own, from the server) and, in a live chat, ending it. */
function ChatTools({
  session,
  state,
  tab,
  t,
  onInsert,
  onAsk,
}: {
  session: ConsoleSession;
  state: ConsoleState;
  tab: ChatTab;
  t: ConsoleDict;
  onInsert: (text: string) => void;
  onAsk: (ask: Ask) => void;
}) {
  const center = state.auth?.center;
  return (
    <div class="tools">
      <CannedMenu
        id={`canned-${tab.roomId}`}
        list={state.canned}
        failed={state.cannedFailed}
        labels={{ open: t.canned, none: t.cannedNone, failed: t.cannedLoadFailed, manage: t.cannedManage }}
        manageHref={center ? `/c/${encodeURIComponent(center)}/app/canned` : undefined}
        targetId="reply"
        onInsert={onInsert}
      />
      {tab.kind === 'live' && (
        <>
          <button
            type="button"
            class="secondary"
            onClick={() => onAsk({ text: t.endConfirm(tab.title), yes: t.endChat, run: () => void session.endChat(tab.roomId, false) })}
          >
            {t.endChat}
          </button>
          <button
            type="button"
            class="danger"
            onClick={() => onAsk({ text: t.endBlockConfirm(tab.title), yes: t.endAndBlock, danger: true, run: () => void session.endChat(tab.roomId, true) })}
          >
            {t.endAndBlock}
          </button>
        </>
      )}
    </div>
  );
}

/** A topic chat's participants with mute and remove (refreshed on every message and every 10 s: joins have no push). */
function Participants({ session, tab, t, messageCount }: { session: ConsoleSession; tab: ChatTab; t: ConsoleDict; messageCount: number }) {
  const [members, setMembers] = useState<RoomMemberItem[]>([]);
  const refreshMembers = () => {
    session.members(tab.roomId).then(setMembers, () => undefined);
  };
  useEffect(refreshMembers, [tab.roomId, messageCount]);
  useEffect(() => {
    const timer = setInterval(refreshMembers, 10_000);
    return () => clearInterval(timer);
  }, [tab.roomId]);
  const participants = members.filter((m) => m.role === 'visitor' || m.role === 'client');
  const moderate = (id: string, action: 'topic.mute' | 'topic.remove', muted?: boolean) =>
    void session.moderate(tab.roomId, id, action, muted).then(refreshMembers);
  return (
    <section class="participants" aria-label={t.participants}>
      <h3>{t.participants}</h3>
      {participants.length === 0 ? (
        <p class="hint">{t.nobodyJoined}</p>
      ) : (
        <ul>
          {participants.map((p) => (
            <li key={p.id} data-participant={p.displayName}>
              {p.displayName}
              {p.muted ? t.muted : ''}{' '}
              <button type="button" class="link" onClick={() => moderate(p.id, 'topic.mute', !p.muted)}>
                {p.muted ? t.unmute : t.mute}
              </button>{' '}
              <button type="button" class="link" onClick={() => moderate(p.id, 'topic.remove')}>
                {t.removeParticipant}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
