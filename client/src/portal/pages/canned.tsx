import { useEffect, useState } from 'preact/hooks';
import { CANNED_LIMITS, type CannedResponseView } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { refreshWorkspaceCanned } from '../workspace-console';
import { ConfirmDialog, explain, Field, FormError } from '../form-parts';
import '../workspace.css';

/** The console's old per-browser list (before canned responses lived on the server). */
const LEGACY_KEY = 'lotse.console.canned';

function legacyList(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(LEGACY_KEY) ?? 'null') as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
  } catch {
    return [];
  }
}

/** `/c/:center/app/canned`: the staff member's own canned responses (add, edit, delete). */
export function CannedPage({ session }: PageProps) {
  const { t } = useI18n();
  const w = t.workspace.canned;
  const role = session.state.auth?.account.role;
  const staff = role === 'counselor' || role === 'admin';
  const [list, setList] = useState<CannedResponseView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<CannedResponseView | null>(null);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [asking, setAsking] = useState<CannedResponseView | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      setList(await session.call<CannedResponseView[]>('/api/canned-responses'));
      setLoadError(null);
    } catch (err) {
      setLoadError(explain(err, t, {}).form);
    }
    refreshWorkspaceCanned();
  };
  useEffect(() => {
    if (staff) void load();
  }, [staff]);

  const reset = () => {
    setEditing(null);
    setTitle('');
    setBody('');
    setFieldErrors({});
    setFormError(null);
  };

  const submit = async () => {
    const errs: Record<string, string> = {};
    if (!title.trim()) errs.title = w.fieldErrors.title!;
    if (!body.trim()) errs.body = w.fieldErrors.body!;
    setFieldErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length > 0) {
      document.getElementById(errs.title ? 'canned-title' : 'canned-body')?.focus();
      return;
    }
    setBusy(true);
    try {
      if (editing) {
        await session.call(`/api/canned-responses/${encodeURIComponent(editing.id)}`, { method: 'PATCH', body: { title, body } });
        setStatus(w.updated(title.trim()));
      } else {
        await session.call('/api/canned-responses', { method: 'POST', body: { title, body } });
        setStatus(w.added(title.trim()));
      }
      reset();
      await load();
    } catch (err) {
      const { fields, form } = explain(err, t, w.fieldErrors, { CONFLICT: w.tooMany });
      setFieldErrors(fields);
      setFormError(form);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (c: CannedResponseView) => {
    try {
      await session.call(`/api/canned-responses/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
      setStatus(w.deleted(c.title));
      if (editing?.id === c.id) reset();
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'NOT_FOUND')) setStatus(explain(err, t, {}).form ?? '');
    }
    await load();
  };

  /** Takes over the old per-browser list if this browser has one, else the suggestions of the catalogue. */
  const starters = async () => {
    const legacy = legacyList();
    const items = legacy.length > 0 ? legacy.map((text) => ({ title: text.slice(0, 40), body: text })) : t.console.cannedDefaults;
    let n = 0;
    for (const item of items.slice(0, CANNED_LIMITS.perCounselor)) {
      try {
        await session.call('/api/canned-responses', {
          method: 'POST',
          body: { title: item.title.slice(0, CANNED_LIMITS.titleMax), body: item.body.slice(0, CANNED_LIMITS.bodyMax) },
        });
        n++;
      } catch {
        break;
      }
    }
    if (legacy.length > 0 && n === Math.min(legacy.length, CANNED_LIMITS.perCounselor)) localStorage.removeItem(LEGACY_KEY);
    setStatus(w.startersImported(n));
    await load();
  };

  if (!staff) {
    return (
      <Layout session={session} title={w.title}>
        <p role="alert">{t.workspace.staffOnly}</p>
      </Layout>
    );
  }
  return (
    <Layout session={session} title={w.title}>
      <p>{w.intro}</p>
      <p role="status">{status}</p>
      <h2>{w.listHeading}</h2>
      {loadError && <p role="alert">{loadError}</p>}
      {list === null ? (
        !loadError && <p>{t.common.loading}</p>
      ) : list.length === 0 ? (
        <>
          <p>{w.none}</p>
          <p>
            <button type="button" class="secondary" aria-describedby="canned-starters-hint" onClick={() => void starters()}>
              {w.starters}
            </button>{' '}
            <span class="hint" id="canned-starters-hint">
              {w.startersHint}
            </span>
          </p>
        </>
      ) : (
        <>
          <p class="meta">{w.count(list.length, CANNED_LIMITS.perCounselor)}</p>
          <ul class="ws-list">
            {list.map((c) => (
              <li key={c.id} data-canned={c.title}>
                <h3 dir="auto">{c.title}</h3>
                <p dir="auto">{c.body}</p>
                <div class="ws-actions">
                  <button
                    type="button"
                    class="secondary"
                    aria-label={w.editNamed(c.title)}
                    onClick={() => {
                      setEditing(c);
                      setTitle(c.title);
                      setBody(c.body);
                      setFieldErrors({});
                      setFormError(null);
                      document.getElementById('canned-title')?.focus();
                    }}
                  >
                    {w.edit}
                  </button>
                  <button type="button" class="danger" aria-label={w.deleteNamed(c.title)} onClick={() => setAsking(c)}>
                    {t.common.delete}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      <form
        class="ws-form"
        noValidate
        aria-labelledby="canned-form-h"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="canned-form-h">{editing ? w.editHeading(editing.title) : w.newHeading}</h2>
        <Field id="canned-title" label={w.fieldTitle} hint={w.fieldTitleHint} error={fieldErrors.title}>
          {(a) => <input {...a} value={title} maxLength={CANNED_LIMITS.titleMax} onInput={(e) => setTitle(e.currentTarget.value)} />}
        </Field>
        <Field id="canned-body" label={w.fieldBody} hint={w.fieldBodyHint} error={fieldErrors.body}>
          {(a) => <textarea {...a} rows={4} value={body} maxLength={CANNED_LIMITS.bodyMax} onInput={(e) => setBody(e.currentTarget.value)} />}
        </Field>
        <FormError id="canned-form-error" text={formError} />
        <div class="ws-actions">
          <button type="submit" disabled={busy}>
            {editing ? w.saveChanges : w.add}
          </button>
          {editing && (
            <button type="button" class="secondary" onClick={reset}>
              {t.common.cancel}
            </button>
          )}
        </div>
      </form>
      {asking && (
        <ConfirmDialog
          title={w.deleteConfirm(asking.title)}
          confirmLabel={w.deleteYes}
          onConfirm={() => {
            setAsking(null);
            void remove(asking);
          }}
          onClose={() => setAsking(null)}
        />
      )}
    </Layout>
  );
}
