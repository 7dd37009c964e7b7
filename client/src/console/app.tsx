import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatTab, ConsoleSession, ConsoleState, RoomMemberItem } from './console-session';

const CANNED_KEY = 'lotse.console.canned';
const DEFAULT_CANNED = [
  'Hallo, schön, dass Sie sich melden. Ich bin jetzt für Sie da. Was beschäftigt Sie?',
  'Danke, dass Sie mir das erzählen. Nehmen Sie sich ruhig Zeit.',
  'Sind Sie gerade in Sicherheit?',
  'In akuter Gefahr wählen Sie bitte sofort den Notruf 112.',
  'Ich muss unser Gespräch bald beenden. Sie können sich jederzeit wieder melden.',
];

function loadCanned(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(CANNED_KEY) ?? 'null') as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : DEFAULT_CANNED;
  } catch {
    return DEFAULT_CANNED;
  }
}

function useSession(session: ConsoleSession): ConsoleState {
  const [state, setState] = useState(session.state);
  useEffect(() => session.subscribe(() => setState(session.state)), [session]);
  return state;
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

export function ConsoleApp({ session }: { session: ConsoleSession }) {
  const state = useSession(session);
  if (!state.auth) return <Login session={session} state={state} />;
  return (
    <div class="console">
      <Header session={session} state={state} />
      {state.error && (
        <p class="error" role="alert">
          {state.error}
        </p>
      )}
      <div class="columns">
        <aside class="side">
          <Queue state={state} />
          <Topics session={session} state={state} />
        </aside>
        <Chats session={session} state={state} />
      </div>
    </div>
  );
}

function Login({ session, state }: { session: ConsoleSession; state: ConsoleState }) {
  const [center, setCenter] = useState(new URLSearchParams(location.search).get('center') ?? 'demo');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return (
    <main class="login">
      <h1>Lotse – Live-Konsole</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void session.login(center.trim(), email.trim(), password);
        }}
      >
        <label for="center">Beratungsstelle (Kürzel)</label>
        <input id="center" name="center" required value={center} onInput={(e) => setCenter(e.currentTarget.value)} autocomplete="organization" />
        <label for="email">E-Mail</label>
        <input id="email" name="email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} autocomplete="username" />
        <label for="password">Passwort</label>
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
          Anmelden
        </button>
      </form>
    </main>
  );
}

function Header({ session, state }: { session: ConsoleSession; state: ConsoleState }) {
  const [max, setMax] = useState(state.shift.maxChats);
  return (
    <header class="top">
      <strong class="who">{state.auth?.account.displayName}</strong>
      <span class={state.online ? 'conn on' : 'conn off'} role="status">
        {state.online ? 'verbunden' : 'Verbindung wird hergestellt …'}
      </span>
      <span class="shift" data-shift={state.shift.open ? 'open' : 'closed'}>
        {state.shift.open ? 'Schicht offen' : 'Keine Schicht'}
      </span>
      <label class="inline">
        max. Chats
        <input type="number" min={1} max={10} value={max} onInput={(e) => setMax(Number(e.currentTarget.value) || 1)} disabled={state.shift.open} />
      </label>
      {state.shift.open ? (
        <button type="button" class="secondary" onClick={() => void session.closeShift()}>
          Schicht beenden
        </button>
      ) : (
        <button type="button" class="primary" onClick={() => void session.openShift(Math.min(10, Math.max(1, max)))} disabled={!state.online}>
          Schicht beginnen
        </button>
      )}
      <label class="inline">
        <input type="checkbox" checked={state.sound} onChange={(e) => session.setPrefs({ sound: e.currentTarget.checked })} /> Ton
      </label>
      <label class="inline">
        <input type="checkbox" checked={state.notify} onChange={(e) => session.setPrefs({ notify: e.currentTarget.checked })} /> Desktop-Hinweis
      </label>
      <button type="button" class="link" onClick={() => void session.logout()}>
        Abmelden
      </button>
    </header>
  );
}

function waited(iso: string, now: number): string {
  const min = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60000));
  return min < 1 ? 'gerade eben' : `seit ${min} min`;
}

function Queue({ state }: { state: ConsoleState }) {
  const now = useTick(15_000);
  return (
    <section class="queue" aria-labelledby="queue-h">
      <h2 id="queue-h">
        Warteschlange <span class="count">{state.waiting}</span>
      </h2>
      {!state.shift.open && <p class="hint">Beginnen Sie eine Schicht, um Chats zu übernehmen.</p>}
      {state.queue.length === 0 ? (
        state.shift.open && <p class="hint">Niemand wartet.</p>
      ) : (
        <ol class="entries">
          {state.queue.map((e) => (
            <li key={e.visitorId}>
              <span class="first">{e.firstMessage ?? '(ohne erste Nachricht)'}</span>
              <span class="meta">{waited(e.joinedAt, now)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Topics({ session, state }: { session: ConsoleSession; state: ConsoleState }) {
  const fmt = (iso: string) => new Date(iso).toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit' });
  return (
    <section class="topics" aria-labelledby="topics-h">
      <h2 id="topics-h">Themenchats heute</h2>
      {state.topics.length === 0 ? (
        <p class="hint">Heute keine Themenchats.</p>
      ) : (
        <ul>
          {state.topics.map((x) => (
            <li key={x.id}>
              <strong>{x.title}</strong> {fmt(x.startsAt)}–{fmt(x.endsAt)} <span class="meta">({x.status})</span>
              {x.status === 'open' && !state.chats.some((c) => c.topicChatId === x.id) && (
                <button type="button" class="link" onClick={() => void session.joinTopic(x)}>
                  betreten
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Chats({ session, state }: { session: ConsoleSession; state: ConsoleState }) {
  const active = state.chats.find((c) => c.roomId === state.active) ?? state.chats[0];
  if (!active) {
    return (
      <main class="chats empty">
        <p class="hint">Keine laufenden Chats.</p>
      </main>
    );
  }
  return (
    <main class="chats">
      <div role="tablist" aria-label="Laufende Chats" class="tabs">
        {state.chats.map((c) => (
          <button
            key={c.roomId}
            type="button"
            role="tab"
            id={`tab-${c.roomId}`}
            aria-selected={c.roomId === active.roomId}
            aria-controls="chat-panel"
            class={`tab${c.unread > 0 ? ' unread' : ''}${c.closed ? ' closed' : ''}`}
            onClick={() => session.select(c.roomId)}
          >
            {c.kind === 'topic' ? '# ' : ''}
            {c.title}
            {c.unread > 0 && (
              <span class="badge" aria-label={`${c.unread} ungelesen`}>
                {c.unread}
              </span>
            )}
          </button>
        ))}
      </div>
      <ChatPanel key={active.roomId} session={session} tab={active} state={state} />
    </main>
  );
}

function ChatPanel({ session, tab, state }: { session: ConsoleSession; tab: ChatTab; state: ConsoleState }) {
  const room = session.room(tab.roomId);
  const [text, setText] = useState('');
  const [canned, setCanned] = useState(loadCanned);
  const [editing, setEditing] = useState(false);
  const lastTyping = useRef(0);
  const endRef = useRef<HTMLDivElement>(null);
  useEffect(() => endRef.current?.scrollIntoView({ block: 'end' }), [room?.messages.length, room?.pending.length]);
  const selfId = state.auth?.account.id;
  const submit = () => {
    if (!text.trim()) return;
    session.send(tab.roomId, text);
    setText('');
    lastTyping.current = 0;
  };
  const [members, setMembers] = useState<RoomMemberItem[]>([]);
  const messageCount = room?.messages.length ?? 0;
  const isTopic = tab.kind === 'topic';
  const refreshMembers = () => {
    if (isTopic) session.members(tab.roomId).then(setMembers, () => undefined);
  };
  // the participant list: on opening the tab, on every new message and every 10 s (joins have no push)
  useEffect(refreshMembers, [tab.roomId, messageCount]);
  useEffect(() => {
    if (!isTopic) return undefined;
    const timer = setInterval(refreshMembers, 10_000);
    return () => clearInterval(timer);
  }, [tab.roomId]);
  const participants = members.filter((m) => m.role === 'visitor' || m.role === 'client');
  const moderate = (id: string, action: 'topic.mute' | 'topic.remove', muted?: boolean) =>
    void session.moderate(tab.roomId, id, action, muted).then(refreshMembers);

  return (
    <section id="chat-panel" role="tabpanel" aria-labelledby={`tab-${tab.roomId}`} class="panel">
      <div class="log" role="log" aria-live="polite" aria-label={`Chat mit ${tab.title}`}>
        {room?.messages.map((m) => (
          <div key={m.seq} class={m.sender.id === selfId ? 'msg own' : 'msg peer'} data-seq={m.seq}>
            <span class="who" dir="auto">
              {m.sender.id === selfId ? 'Sie' : m.sender.displayName}
            </span>
            <p class="text" dir="auto">
              {m.body}
            </p>
            <span class="meta">{new Date(m.sentAt).toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit' })}</span>
          </div>
        ))}
        {room?.pending.map((p) => (
          <div key={p.clientMsgId} class={`msg own ${p.state}`} data-pending={p.state}>
            <span class="who">Sie</span>
            <p class="text" dir="auto">
              {p.body}
            </p>
            <span class="meta">
              {p.state === 'sending' ? 'wird gesendet …' : 'nicht gesendet'}
              {p.state === 'failed' && (
                <button type="button" class="link" onClick={() => session.retry(p.clientMsgId)}>
                  erneut senden
                </button>
              )}
            </span>
          </div>
        ))}
        <div ref={endRef} />
      </div>
      <p class="typing" aria-live="polite">
        {room && room.typing.length > 0 ? `${room.typing.join(', ')} schreibt …` : '\u00a0'}
      </p>
      {tab.closed ? (
        <div class="closed-note">
          <p role="status">Dieser Chat ist beendet{tab.closed === 'blocked' ? ' (gesperrt)' : ''}.</p>
          <button type="button" class="secondary" onClick={() => session.dismiss(tab.roomId)}>
            Tab schließen
          </button>
        </div>
      ) : (
        <>
          <form
            class="composer"
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <label for="reply" class="sr-only">
              Antwort
            </label>
            <textarea
              id="reply"
              rows={3}
              maxLength={4000}
              value={text}
              placeholder="Antwort schreiben …"
              onInput={(e) => {
                setText(e.currentTarget.value);
                if (Date.now() - lastTyping.current > 3000) {
                  lastTyping.current = Date.now();
                  session.typing(tab.roomId, true);
                }
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  submit();
                }
              }}
            />
            <button type="submit" class="primary">
              Senden
            </button>
          </form>
          <div class="tools">
            <label class="inline">
              Textbaustein
              <select
                value=""
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  if (v) setText((old) => (old ? `${old} ${v}` : v));
                  e.currentTarget.value = '';
                }}
              >
                <option value="">– wählen –</option>
                {canned.map((c) => (
                  <option key={c} value={c}>
                    {c.length > 60 ? `${c.slice(0, 57)}…` : c}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" class="link" onClick={() => setEditing(!editing)} aria-expanded={editing}>
              Bausteine bearbeiten
            </button>
            {tab.kind === 'live' && (
              <>
                <button type="button" class="secondary" onClick={() => void session.endChat(tab.roomId, false)}>
                  Chat beenden
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() => {
                    if (window.confirm('Chat beenden und diese Person sperren?')) void session.endChat(tab.roomId, true);
                  }}
                >
                  Beenden und sperren
                </button>
              </>
            )}
          </div>
          {editing && (
            <CannedEditor
              list={canned}
              onSave={(list) => {
                localStorage.setItem(CANNED_KEY, JSON.stringify(list));
                setCanned(list);
                setEditing(false);
              }}
            />
          )}
          {tab.kind === 'topic' && (
            <section class="participants" aria-label="Teilnehmende">
              <h3>Teilnehmende</h3>
              {participants.length === 0 ? (
                <p class="hint">Noch ist niemand beigetreten.</p>
              ) : (
                <ul>
                  {participants.map((p) => (
                    <li key={p.id} data-participant={p.displayName}>
                      {p.displayName}
                      {p.muted ? ' (stumm)' : ''}{' '}
                      <button type="button" class="link" onClick={() => moderate(p.id, 'topic.mute', !p.muted)}>
                        {p.muted ? 'Stummschaltung aufheben' : 'stummschalten'}
                      </button>{' '}
                      <button type="button" class="link" onClick={() => moderate(p.id, 'topic.remove')}>
                        entfernen
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}
        </>
      )}
    </section>
  );
}

function CannedEditor({ list, onSave }: { list: string[]; onSave: (list: string[]) => void }) {
  const [text, setText] = useState(list.join('\n'));
  return (
    <div class="canned-editor">
      <label for="canned">Textbausteine (einer pro Zeile)</label>
      <textarea id="canned" rows={6} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <button
        type="button"
        class="secondary"
        onClick={() =>
          onSave(
            text
              .split('\n')
              .map((s) => s.trim())
              .filter(Boolean),
          )
        }
      >
        Speichern
      </button>
    </div>
  );
}
