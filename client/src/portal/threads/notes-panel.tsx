import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { NOTE_LIMITS, type NoteView } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { ConfirmDialog, errorText, StatusLine } from '../form-parts';
import type { PortalSession } from '../session';

/**
 * A counselor's private notes (per thread: `/api/threads/:id/notes`, per client:
 * `/api/clients/:id/notes`): the list, a new note, edit and delete (after asking). Says plainly
 * that only the author sees them. Edit and delete go to `/api/notes/:id` (or `notePath`).
 */
export function NotesPanel({
  session,
  path,
  heading,
  idPrefix,
  notePath = (id) => `/api/notes/${encodeURIComponent(id)}`,
}: {
  session: PortalSession;
  path: string;
  heading: string;
  idPrefix: string;
  /** Where one note is edited and deleted (video rooms: `/api/video-rooms/:id/notes/:noteId`). */
  notePath?: (noteId: string) => string;
}) {
  const { t } = useI18n();
  const n = t.threads.notes;
  const timeZone = session.state.info?.timeZone ?? 'Europe/Berlin';
  const [notes, setNotes] = useState<NoteView[] | null>(null);
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<NoteView | null>(null);
  const [editText, setEditText] = useState('');
  const [asking, setAsking] = useState<NoteView | null>(null);
  const [fieldError, setFieldError] = useState('');
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const load = useCallback(async () => {
    try {
      setNotes(await session.call<NoteView[]>(path));
    } catch (err) {
      setError(errorText(t, err));
    }
  }, [session, path, t]);
  useEffect(() => void load(), [load]);

  const run = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError('');
    setStatus('');
    try {
      await work();
      setStatus(done);
      await load();
      return true;
    } catch (err) {
      setError(errorText(t, err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (e: Event) => {
    e.preventDefault();
    if (!text.trim()) {
      setFieldError(n.bodyMissing);
      focusNext.current = `${idPrefix}-new`;
      return;
    }
    setFieldError('');
    if (await run(() => session.call(path, { method: 'POST', body: { body: text } }), n.saved)) {
      setText('');
      focusNext.current = `${idPrefix}-new`;
    }
  };
  const update = async (e: Event) => {
    e.preventDefault();
    if (!editing || !editText.trim()) return;
    if (await run(() => session.call(notePath(editing.id), { method: 'PATCH', body: { body: editText } }), n.saved)) {
      focusNext.current = `${idPrefix}-edit-${editing.id}`;
      setEditing(null);
    }
  };
  const remove = async (note: NoteView) => {
    await run(() => session.call(notePath(note.id), { method: 'DELETE' }), n.removed);
    setAsking(null);
    focusNext.current = `${idPrefix}-new`;
  };

  const headingId = `${idPrefix}-heading`;
  return (
    <section class="notes" aria-labelledby={headingId} data-notes={path}>
      <h2 id={headingId}>{heading}</h2>
      <p class="hint" id={`${idPrefix}-private`}>
        {n.private}
      </p>
      <StatusLine text={status} error={error} />
      {!notes ? (
        !error && <p>{t.common.loading}</p>
      ) : notes.length === 0 ? (
        <p>{n.empty}</p>
      ) : (
        <ul class="note-list">
          {notes.map((note) =>
            editing?.id === note.id ? (
              <li key={note.id}>
                <form onSubmit={(e) => void update(e)}>
                  <label for={`${idPrefix}-text-${note.id}`}>{n.editLabel}</label>
                  <textarea
                    id={`${idPrefix}-text-${note.id}`}
                    rows={4}
                    dir="auto"
                    maxLength={NOTE_LIMITS.bodyMax}
                    value={editText}
                    onInput={(e) => setEditText(e.currentTarget.value)}
                  />
                  <div class="actions">
                    <button type="submit" disabled={busy}>
                      {n.update}
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => {
                        focusNext.current = `${idPrefix}-edit-${note.id}`;
                        setEditing(null);
                      }}
                    >
                      {t.common.cancel}
                    </button>
                  </div>
                </form>
              </li>
            ) : (
              <li key={note.id} data-note={note.id}>
                <p class="note-body" dir="auto">
                  {note.body}
                </p>
                <span class="hint">{t.common.dateTime(note.updatedAt, timeZone)}</span>
                <div class="actions">
                  <button
                    type="button"
                    class="secondary"
                    id={`${idPrefix}-edit-${note.id}`}
                    onClick={() => {
                      setEditing(note);
                      setEditText(note.body);
                      focusNext.current = `${idPrefix}-text-${note.id}`;
                    }}
                  >
                    {n.edit}
                  </button>
                  <button type="button" class="secondary" onClick={() => setAsking(note)}>
                    {n.remove}
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
      )}
      <form onSubmit={(e) => void add(e)} noValidate>
        <div class="field">
          <label for={`${idPrefix}-new`}>{n.new}</label>
          <textarea
            id={`${idPrefix}-new`}
            rows={4}
            dir="auto"
            maxLength={NOTE_LIMITS.bodyMax}
            value={text}
            aria-describedby={fieldError ? `${idPrefix}-private ${idPrefix}-new-error` : `${idPrefix}-private`}
            aria-invalid={fieldError ? 'true' : undefined}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setFieldError('');
            }}
          />
          {fieldError && (
            <span class="error" id={`${idPrefix}-new-error`}>
              {fieldError}
            </span>
          )}
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {n.save}
          </button>
        </div>
      </form>
      {asking && (
        <ConfirmDialog title={n.confirmRemove} confirmLabel={n.remove} busy={busy} onConfirm={() => void remove(asking)} onClose={() => setAsking(null)}>
          <p dir="auto">{n.confirmRemoveText}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
