import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { AbsenceListItem } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import type { PortalSession } from '../session';
import type { ThreadListItem } from '../threads/thread-types';
import type { ThreadsSession } from '../threads/threads-session';
import { useThreadsSession } from '../threads/use-threads';
import { errorText, StatusLine } from '../form-parts';
import './admin.css';
import '../threads/threads.css';

interface Counselor {
  id: string;
  displayName: string;
  role: 'counselor' | 'admin';
  status: string;
}

/**
 * `/c/:center/app/enquiries` (admins): the waiting enquiries (who and when, never the text) with
 * assignment, the running threads with reassignment, and — while a thread's counselor is absent —
 * a notice from the center into that thread. Kept live by the threads session's pushes.
 */
export function AdminEnquiriesPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const threads = useThreadsSession(session);
  if (!threads)
    return (
      <Layout session={session} title={t.admin.enquiries.title}>
        {null}
      </Layout>
    );
  return <Enquiries session={session} center={center} threads={threads} />;
}

function Enquiries({ session, center, threads }: PageProps & { threads: ThreadsSession }) {
  const { t } = useI18n();
  const e = t.admin.enquiries;
  const portal = useStore(session);
  const timeZone = portal.info?.timeZone ?? 'Europe/Berlin';
  const [counselors, setCounselors] = useState<Counselor[] | null>(null);
  const [absences, setAbsences] = useState<AbsenceListItem[]>([]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const loadSide = useCallback(async () => {
    try {
      const staff = await session.call<Counselor[]>(`/api/centers/${encodeURIComponent(center)}/staff`);
      setCounselors(staff.filter((s) => s.role === 'counselor' && s.status === 'active'));
    } catch (err) {
      setError(errorText(t, err));
    }
    try {
      setAbsences(await session.call<AbsenceListItem[]>('/api/absences'));
    } catch {
      // without the absence list there is simply no "write a notice"
      setAbsences([]);
    }
  }, [session, center, t]);
  useEffect(() => void loadSide(), [loadSide]);
  const state = useStore(threads);
  const list = state.threads;
  const waiting = list?.filter((th) => th.status === 'waiting') ?? [];
  const running = list?.filter((th) => th.status !== 'waiting' && th.status !== 'closed') ?? [];
  const absentNow = (counselorId: string | undefined) => (counselorId ? absences.find((a) => a.counselor.id === counselorId && a.active) : undefined);
  const when = (iso: string) => t.common.dateTime(iso, timeZone);
  const done = async (text: string) => {
    setStatus(text);
    setError('');
    await threads.reload();
  };
  return (
    <Layout session={session} title={e.title}>
      <p>{e.intro}</p>
      <StatusLine text={status} error={error} />
      {state.listError && (
        <p class="error" role="alert">
          {t.errors[state.listError as keyof typeof t.errors] ?? t.errors.INTERNAL}
        </p>
      )}
      {counselors && counselors.length === 0 && <p class="notice">{e.noCounselors}</p>}
      <section aria-labelledby="waiting-heading">
        <h2 id="waiting-heading">{e.waitingHeading}</h2>
        {!list ? (
          <p>{t.common.loading}</p>
        ) : waiting.length === 0 ? (
          <p>{e.waitingEmpty}</p>
        ) : (
          <table class="admin-table">
            <thead>
              <tr>
                <th scope="col">{e.who}</th>
                <th scope="col">{e.since}</th>
                <th scope="col">{e.action}</th>
              </tr>
            </thead>
            <tbody>
              {waiting.map((th) => {
                const who = th.client?.displayName ?? e.unknownClient;
                return (
                  <tr key={th.id} data-thread={th.id}>
                    <th scope="row" dir="auto">
                      {who}
                    </th>
                    <td>{th.createdAt ? when(th.createdAt) : th.lastPostAt ? when(th.lastPostAt) : ''}</td>
                    <td>
                      <AssignForm
                        session={session}
                        thread={th}
                        selectLabel={e.chooseFor(who)}
                        counselors={counselors ?? []}
                        label={e.assign}
                        onDone={(name) => void done(e.assigned(who, name))}
                        onError={setError}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="running-heading">
        <h2 id="running-heading">{e.openHeading}</h2>
        {!list ? (
          <p>{t.common.loading}</p>
        ) : running.length === 0 ? (
          <p>{e.openEmpty}</p>
        ) : (
          <table class="admin-table">
            <thead>
              <tr>
                <th scope="col">{e.counselor}</th>
                <th scope="col">{e.who}</th>
                <th scope="col">{e.kind}</th>
                <th scope="col">{e.lastPost}</th>
                <th scope="col">{e.action}</th>
              </tr>
            </thead>
            <tbody>
              {running.map((th) => {
                const away = absentNow(th.counselor?.id);
                const who = th.counselor?.displayName ?? '';
                return (
                  <tr key={th.id} data-thread={th.id}>
                    <th scope="row">
                      <span dir="auto">{who}</span>
                      {away && <span class="admin-badge warn">{e.absent(when(away.endsAt))}</span>}
                    </th>
                    <td dir="auto">{th.client?.displayName ?? ''}</td>
                    <td>{t.threads.kind[th.kind]}</td>
                    <td>{th.lastPostAt ? when(th.lastPostAt) : ''}</td>
                    <td>
                      <AssignForm
                        session={session}
                        thread={th}
                        selectLabel={e.reassignFor(who)}
                        counselors={(counselors ?? []).filter((c) => c.id !== th.counselor?.id)}
                        label={e.reassign}
                        onDone={(name) => void done(e.reassigned(name))}
                        onError={setError}
                      />
                      {away && <NoticeForm session={session} threadId={th.id} onDone={(text) => void done(text)} />}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="away-heading">
        <h2 id="away-heading">{e.awayHeading}</h2>
        {absences.length === 0 ? (
          <p>{e.awayNone}</p>
        ) : (
          <ul>
            {absences.map((a) => (
              <li key={`${a.counselor.id}-${a.startsAt}`} dir="auto">
                {a.active ? e.awayNow(a.counselor.displayName, when(a.endsAt)) : e.awayNext(a.counselor.displayName, when(a.startsAt), when(a.endsAt))}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  );
}

function AssignForm({
  session,
  thread,
  selectLabel,
  counselors,
  label,
  onDone,
  onError,
}: {
  session: PortalSession;
  thread: ThreadListItem;
  selectLabel: string;
  counselors: Counselor[];
  label: string;
  onDone: (counselorName: string) => void;
  onError: (text: string) => void;
}) {
  const { t } = useI18n();
  const e = t.admin.enquiries;
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState('');
  const select = useRef<HTMLSelectElement>(null);
  const id = `assign-${thread.id}`;
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const counselor = counselors.find((c) => c.id === choice);
    if (!counselor) {
      setFieldError(e.pick);
      select.current?.focus();
      return;
    }
    setFieldError('');
    setBusy(true);
    try {
      await session.call(`/api/threads/${encodeURIComponent(thread.id)}/assign`, { method: 'POST', body: { counselorId: counselor.id } });
      onDone(counselor.displayName);
      // the row moves (waiting → running) or changes: the page's status line has the news
      document.querySelector<HTMLElement>('main h1')?.focus();
    } catch (err) {
      onError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  if (counselors.length === 0) return null;
  return (
    <form class="assign-form" onSubmit={(ev) => void submit(ev)} noValidate>
      <label for={id} class="sr-only">
        {selectLabel}
      </label>
      <select
        id={id}
        ref={select}
        value={choice}
        aria-invalid={fieldError ? 'true' : undefined}
        aria-describedby={fieldError ? `${id}-error` : undefined}
        onChange={(ev) => {
          setChoice(ev.currentTarget.value);
          setFieldError('');
        }}
      >
        <option value="">{e.choose}</option>
        {counselors.map((c) => (
          <option key={c.id} value={c.id}>
            {c.displayName}
          </option>
        ))}
      </select>{' '}
      <button type="submit" disabled={busy}>
        {label}
      </button>
      {fieldError && (
        <span class="error" id={`${id}-error`}>
          {fieldError}
        </span>
      )}
    </form>
  );
}

/** While the thread's counselor is absent: a notice from the center into the thread. */
function NoticeForm({ session, threadId, onDone }: { session: PortalSession; threadId: string; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const e = t.admin.enquiries;
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const focusArea = useRef(false);
  useLayoutEffect(() => {
    if (focusArea.current) area.current?.focus();
    focusArea.current = false;
  });
  const id = `notice-${threadId}`;
  if (!open)
    return (
      <button
        type="button"
        class="secondary"
        ref={opener}
        onClick={() => {
          setOpen(true);
          focusArea.current = true;
        }}
      >
        {e.writeNotice}
      </button>
    );
  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!text.trim()) {
      setError(e.noticeEmpty);
      area.current?.focus();
      return;
    }
    setBusy(true);
    setError('');
    try {
      await session.call(`/api/threads/${encodeURIComponent(threadId)}/notices`, { method: 'POST', body: { body: text } });
      setText('');
      setOpen(false);
      onDone(e.noticeSent);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'CONFLICT' ? e.noticeNotAbsent : errorText(t, err));
      area.current?.focus();
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="notice-form" onSubmit={(ev) => void submit(ev)} noValidate>
      <div class="field">
        <label for={id}>{e.noticeLabel}</label>
        <textarea
          id={id}
          ref={area}
          rows={3}
          dir="auto"
          value={text}
          aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
          aria-invalid={error ? 'true' : undefined}
          onInput={(ev) => setText(ev.currentTarget.value)}
        />
        <span class="hint" id={`${id}-hint`}>
          {e.noticeHint}
        </span>
        {error && (
          <span class="error" id={`${id}-error`} role="alert">
            {error}
          </span>
        )}
      </div>
      <button type="submit" disabled={busy}>
        {e.noticeSend}
      </button>{' '}
      <button type="button" class="secondary" onClick={() => setOpen(false)}>
        {t.common.cancel}
      </button>
    </form>
  );
}
