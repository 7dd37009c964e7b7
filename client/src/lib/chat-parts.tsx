import { useEffect, useRef } from 'preact/hooks';
import { LIMITS } from '../../../src/realtime/contract';
import type { RoomState } from './reliable-chat';

/**
 * The chat parts the widget and the console share: one message list, one typing line, one composer. They hold no
 * text of their own: every visible string comes from the caller's message catalogue.
 */

export interface MessageListLabels {
  /** The live region's accessible name. */
  log: string;
  /** Shown as the sender of own messages. */
  you: string;
  sending: string;
  failed: string;
  retry: string;
}

export interface MessageListProps {
  /** Undefined while the room is not known yet: the (empty) log is shown all the same. */
  room: RoomState | undefined;
  selfId: string | null | undefined;
  labels: MessageListLabels;
  /** The message's time as shown (in the caller's language). */
  formatTime: (iso: string) => string;
  /** The sender's name when the message carries none. */
  fallbackName?: string | null;
  onRetry?: (clientMsgId: string) => void;
}

/** The messages of a room, then its pending own messages; scrolls to the end on each new one. */
export function MessageList({ room, selfId, labels, formatTime, fallbackName, onRetry }: MessageListProps) {
  const endRef = useRef<HTMLDivElement>(null);
  useEffect(() => endRef.current?.scrollIntoView({ block: 'end' }), [room?.messages.length, room?.pending.length]);
  return (
    <div class="log" role="log" aria-live="polite" aria-label={labels.log}>
      {room?.messages.map((m) => {
        const own = m.sender.id === selfId;
        return (
          <div key={m.seq} class={own ? 'msg own' : 'msg peer'} data-seq={m.seq}>
            <span class="who" dir="auto">
              {own ? labels.you : m.sender.displayName || fallbackName}
            </span>
            <p class="text" dir="auto">
              {m.body}
            </p>
            <span class="meta">{formatTime(m.sentAt)}</span>
          </div>
        );
      })}
      {room?.pending.map((p) => (
        <div key={p.clientMsgId} class={`msg own ${p.state}`} data-pending={p.state}>
          <span class="who" dir="auto">
            {labels.you}
          </span>
          <p class="text" dir="auto">
            {p.body}
          </p>
          <span class="meta">
            {p.state === 'sending' ? labels.sending : labels.failed}
            {p.state === 'failed' && onRetry && (
              <button type="button" class="link" onClick={() => onRetry(p.clientMsgId)}>
                {labels.retry}
              </button>
            )}
          </span>
        </div>
      ))}
      <div ref={endRef} />
    </div>
  );
}

export interface TypingLineProps {
  /** The others typing now (the room's `typing`), as display names. */
  names: string[] | undefined;
  /** The sentence for them, from the caller's catalogue (`t.typing`). */
  say: (names: string) => string;
}

/** Who else is typing, announced politely; it keeps its line when nobody types (no jump of the composer). */
export function TypingLine({ names, say }: TypingLineProps) {
  return (
    <p class="typing" aria-live="polite">
      {names && names.length > 0 ? say(names.join(', ')) : '\u00a0'}
    </p>
  );
}

export interface ComposerProps {
  /** The textarea's id (its label points at it). */
  id: string;
  rows: number;
  label: string;
  placeholder: string;
  sendLabel: string;
  /** The text, held by the caller (the console inserts canned responses into it). */
  text: string;
  onText: (text: string) => void;
  onSend: (text: string) => void;
  /** Called at most every `typingEveryMs` while the user types. */
  onTyping: () => void;
  typingEveryMs?: number;
  /** The clock for the typing throttle (tests may pass their own). */
  now?: () => number;
}

/** The message field and its send button: Enter sends, Shift+Enter starts a new line. */
export function Composer({ id, rows, label, placeholder, sendLabel, text, onText, onSend, onTyping, typingEveryMs = 3000, now = Date.now }: ComposerProps) {
  const lastTyping = useRef(0);
  const submit = () => {
    if (!text.trim()) return;
    onSend(text);
    onText('');
    lastTyping.current = 0;
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label for={id} class="sr-only">
        {label}
      </label>
      <textarea
        id={id}
        rows={rows}
        maxLength={LIMITS.messageBodyMax}
        value={text}
        placeholder={placeholder}
        onInput={(e) => {
          onText(e.currentTarget.value);
          const at = now();
          if (at - lastTyping.current > typingEveryMs) {
            lastTyping.current = at;
            onTyping();
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
        {sendLabel}
      </button>
    </form>
  );
}
