import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { THREAD_LIMITS } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import { useStore } from '../../lib/store';
import { CrisisLines } from '../crisis';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import type { PortalSession } from '../session';
import { myClients } from '../threads/my-clients';
import type { PersonRef } from '../threads/thread-types';
import { errorText, Field } from '../form-parts';
import '../threads/threads.css';

type FieldKey = 'subject' | 'body' | 'clients';
type Errors = Partial<Record<FieldKey, string>>;
const ORDER: FieldKey[] = ['clients', 'subject', 'body'];

/**
 * `/c/:center/app/threads/new`: a client writes an enquiry (subject and text; afterwards: what
 * happens next and the crisis lines); a counselor starts a thread with one or several of their
 * clients (several: a group thread).
 */
export function ThreadNewPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const role = useStore(session).auth?.account.role;
  const [sent, setSent] = useState<string | null>(null);
  const { route } = useLocation();
  const base = `/c/${encodeURIComponent(center)}/app/threads`;
  if (role === 'client' && sent) {
    const e = t.threads.enquiry;
    return (
      <Layout session={session} title={e.sentTitle}>
        <p role="status">{e.sentText}</p>
        <p>{e.sentUrgent}</p>
        <CrisisLines text={session.state.info?.emergencyText} />
        <p>
          <a class="button" href={`${base}/${encodeURIComponent(sent)}`}>
            {e.toThread}
          </a>
        </p>
        <p>
          <a href={base}>{e.toList}</a>
        </p>
      </Layout>
    );
  }
  return (
    <Layout session={session} title={role === 'counselor' ? t.threads.create.title : t.threads.enquiry.title}>
      <p>
        <a href={base}>{t.threads.thread.back}</a>
      </p>
      {role === 'client' && <ThreadForm session={session} counselor={false} onCreated={setSent} />}
      {role === 'counselor' && <ThreadForm session={session} counselor onCreated={(id) => route(`${base}/${encodeURIComponent(id)}`)} />}
    </Layout>
  );
}

function ThreadForm({ session, counselor, onCreated }: { session: PortalSession; counselor: boolean; onCreated: (id: string) => void }) {
  const { t } = useI18n();
  const e = counselor ? t.threads.create : t.threads.enquiry;
  const c = t.threads.create;
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [query, setQuery] = useState('');
  const [clients, setClients] = useState<PersonRef[] | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });
  useEffect(() => {
    if (!counselor) return;
    let live = true;
    myClients((path) => session.call(path)).then(
      (list) => live && setClients(list),
      (err) => live && setError(errorText(t, err)),
    );
    return () => {
      live = false;
    };
  }, [counselor, session, t]);

  const idOf = (f: FieldKey) => (f === 'clients' ? 'thread-clients-search' : `thread-${f}`);
  const refuse = (errs: Errors) => {
    setErrors(errs);
    const first = ORDER.find((f) => errs[f]);
    if (first) focusNext.current = first === 'clients' && !clients?.length ? 'thread-subject' : idOf(first);
  };
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    const errs: Errors = {};
    if (counselor && chosen.length === 0) errs.clients = c.errors.clients;
    if (!subject.trim()) errs.subject = e.errors.subject;
    if (!body.trim()) errs.body = e.errors.body;
    if (Object.keys(errs).length > 0) return refuse(errs);
    setErrors({});
    setBusy(true);
    try {
      const payload = { subject: subject.trim(), body, ...(counselor ? { clientIds: chosen } : {}) };
      const { id } = await session.call<{ id: string }>('/api/threads', { method: 'POST', body: payload });
      onCreated(id);
    } catch (err) {
      const fields = err instanceof ApiError && err.code === 'VALIDATION_FAILED' ? (err.fields ?? []) : [];
      const known = fields.map((f) => (f === 'clientIds' ? 'clients' : f)).filter((f): f is FieldKey => (ORDER as string[]).includes(f));
      if (known.length > 0) refuse(Object.fromEntries(known.map((f) => [f, f === 'clients' ? c.errors.clients : e.errors[f]])));
      else if (err instanceof ApiError && err.code === 'PAYLOAD_TOO_LARGE') refuse({ body: t.threads.enquiry.errors.tooLong });
      else setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const needle = query.trim().toLocaleLowerCase();
  const shown = (clients ?? []).filter((a) => !needle || a.displayName.toLocaleLowerCase().includes(needle) || chosen.includes(a.id));
  const aria = (f: FieldKey, hint?: string) => {
    const described = [hint, errors[f] ? `${idOf(f)}-error` : ''].filter(Boolean).join(' ');
    return { ...(described ? { 'aria-describedby': described } : {}), ...(errors[f] ? { 'aria-invalid': 'true' as const } : {}) };
  };
  const fieldError = (f: FieldKey) =>
    errors[f] ? (
      <span class="error" id={`${idOf(f)}-error`}>
        {errors[f]}
      </span>
    ) : null;

  return (
    <form class="thread-form" onSubmit={(ev) => void submit(ev)} noValidate>
      <p>{e.intro}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {counselor && (
        <fieldset aria-describedby="thread-clients-hint thread-clients-chosen">
          <legend>{c.clients}</legend>
          <p class="hint" id="thread-clients-hint">
            {c.clientsHint}
          </p>
          {!clients ? (
            !error && <p>{c.loadingClients}</p>
          ) : clients.length === 0 ? (
            <p>{c.noClients}</p>
          ) : (
            <>
              <div class="field">
                <label for="thread-clients-search">{c.search}</label>
                <input id="thread-clients-search" type="search" value={query} onInput={(ev) => setQuery(ev.currentTarget.value)} {...aria('clients')} />
              </div>
              <ul class="client-list" id="thread-clients">
                {shown.map((a) => (
                  <li key={a.id}>
                    <input
                      type="checkbox"
                      id={`thread-client-${a.id}`}
                      checked={chosen.includes(a.id)}
                      onChange={(ev) => {
                        const on = ev.currentTarget.checked;
                        setChosen((list) => (on ? [...list, a.id] : list.filter((x) => x !== a.id)));
                        setErrors((x) => ({ ...x, clients: undefined }));
                      }}
                    />{' '}
                    <label for={`thread-client-${a.id}`} dir="auto">
                      {a.displayName}
                    </label>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p class="hint" id="thread-clients-chosen" role="status">
            {c.chosen(chosen.length)}
          </p>
          {fieldError('clients')}
        </fieldset>
      )}
      <Field id="thread-subject" label={e.subject} hint={counselor ? undefined : t.threads.enquiry.subjectHint} error={errors.subject}>
        {(a11y) => (
          <input
            type="text"
            dir="auto"
            maxLength={THREAD_LIMITS.subjectMax}
            value={subject}
            onInput={(ev) => {
              setSubject(ev.currentTarget.value);
              setErrors((x) => ({ ...x, subject: undefined }));
            }}
            {...a11y}
          />
        )}
      </Field>
      <Field id="thread-body" label={e.body} error={errors.body}>
        {(a11y) => (
          <textarea
            rows={10}
            dir="auto"
            maxLength={THREAD_LIMITS.bodyMax}
            value={body}
            onInput={(ev) => {
              setBody(ev.currentTarget.value);
              setErrors((x) => ({ ...x, body: undefined }));
            }}
            {...a11y}
          />
        )}
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? e.busy : e.submit}
      </button>
    </form>
  );
}
