import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { Composer, MessageList, TypingLine } from '../lib/chat-parts';
import { KeyValueStore, ReliableChat, RoomState } from '../lib/reliable-chat';
import { asChatSocket, LotseSocket } from '../lib/socket';

export interface TopicChatViewProps {
  /** A connected (or connecting) socket of the person: a visitor's, or a signed-in client's `session.socket()`. */
  socket: LotseSocket;
  /** The person's id as the server sends it in `sender.id` (visitorId or account id). */
  selfId: string;
  /** The topic chat's room (the result of `topic.join`). */
  roomId: string;
  /** The nickname shown in the heading; omitted: no such line. */
  nickname?: string | null;
  /** Keeps unsent messages over a reload (sessionStorage), under `storeKey`. */
  store?: KeyValueStore;
  storeKey?: string;
  /** The leave button was confirmed. */
  onLeave: () => void;
  /** The chat ended or this person was removed (`room.closed`): the reason. */
  onClosed?: (reason: string) => void;
}

/**
 * A running topic chat: the messages (each exactly once, through ReliableChat), the composer, a
 * leave button that asks first, and the end of the chat when the server closes it. Reusable: the
 * anonymous join page uses it with a visitor's socket, the clients' topic page with theirs.
 */
export function TopicChatView({ socket, selfId, roomId, nickname, store, storeKey, onLeave, onClosed }: TopicChatViewProps) {
  const { t } = useI18n();
  const c = t.center;
  const [room, setRoom] = useState<RoomState | undefined>(undefined);
  const [online, setOnline] = useState(socket.connected);
  const [text, setText] = useState('');
  const [confirming, setConfirming] = useState(false);
  const closedRef = useRef(onClosed);
  closedRef.current = onClosed;
  const chat = useMemo(
    () =>
      new ReliableChat(asChatSocket(socket), {
        selfId,
        store,
        storeKey,
        onChange: () => setRoom(snapshot(chat.room(roomId))),
        onClosed: (id, reason) => {
          if (id === roomId) closedRef.current?.(reason);
        },
      }),
    [socket, roomId, selfId],
  );
  useEffect(() => {
    setRoom(snapshot(chat.addRoom(roomId)));
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    socket.on('connect', up);
    socket.on('disconnect', down);
    return () => {
      socket.off('connect', up);
      socket.off('disconnect', down);
      chat.destroy();
    };
  }, [chat, socket, roomId]);
  const heading = useRef<HTMLHeadingElement>(null);
  const stay = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) stay.current?.focus();
  }, [confirming]);

  const closed = room?.closed ?? null;
  const muted = room?.pending.some((p) => p.state === 'failed' && p.error === 'FORBIDDEN') ?? false;
  return (
    <section class="topic-chat" aria-labelledby="topic-chat-heading" data-state={closed ? 'closed' : 'open'}>
      <h2 id="topic-chat-heading" tabIndex={-1} ref={heading}>
        {nickname ? c.chatWith(nickname) : c.topicTitle}
      </h2>
      {!online && !closed && (
        <p class="notice" role="status">
          {c.reconnecting}
        </p>
      )}
      <MessageList
        room={room}
        selfId={selfId}
        labels={{ log: c.log, you: c.you, sending: c.sending, failed: c.failed, retry: c.retry }}
        formatTime={c.messageTime}
        onRetry={(id) => chat.retry(id)}
      />
      <TypingLine names={room?.typing} say={c.typing} />
      {muted && (
        <p class="notice" role="status" data-notice="muted">
          {c.muted}
        </p>
      )}
      {closed ? (
        <p class="notice" role="status" data-notice="closed" data-reason={closed}>
          {c.ended[closed] ?? c.endedDefault}
        </p>
      ) : (
        <>
          <Composer
            id="topic-message"
            rows={2}
            label={c.messageLabel}
            placeholder=""
            sendLabel={c.send}
            text={text}
            onText={setText}
            onSend={(body) => {
              chat.send(roomId, body.trim());
              chat.setTyping(roomId, false);
            }}
            onTyping={() => chat.setTyping(roomId, true)}
          />
          {confirming ? (
            <div class="leave-confirm" role="group" aria-labelledby="leave-q">
              <span id="leave-q">{c.leaveConfirm}</span>
              <button type="button" class="primary" onClick={onLeave}>
                {c.leaveYes}
              </button>
              <button type="button" class="secondary" ref={stay} onClick={() => setConfirming(false)}>
                {c.leaveNo}
              </button>
            </div>
          ) : (
            <button type="button" class="secondary leave" onClick={() => setConfirming(true)}>
              {c.leave}
            </button>
          )}
        </>
      )}
    </section>
  );
}

/** ReliableChat mutates its room in place: a new object per change lets Preact re-render. */
function snapshot(room: RoomState | undefined): RoomState | undefined {
  return room ? { ...room, messages: [...room.messages], pending: [...room.pending], typing: [...room.typing] } : undefined;
}
