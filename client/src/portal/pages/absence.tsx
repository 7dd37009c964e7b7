import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ABSENCE_LIMITS, type AbsenceView } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { isoToZoned, zonedToIso } from '../rooms/zoned-time';
import { errorText, Field, StatusLine, type FieldA11y } from '../form-parts';
import './admin.css';
import '../threads/threads.css';

type FieldKey = 'startsAt' | 'endsAt' | 'text';
type Answer = { absence: AbsenceView | null };

/** `/c/:center/app/absence`: a counselor's absence (from, to, text), its current state, and ending it. */
export function AbsencePage({ session }: PageProps) {
  const { t } = useI18n();
  const a = t.threads.absence;
  const portal = useStore(session);
  const timeZone = portal.info?.timeZone ?? 'Europe/Berlin';
  const [current, setCurrent] = useState<AbsenceView | null | undefined>(undefined);
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const fill = useCallback(
    (v: AbsenceView | null) => {
      setCurrent(v);
      setStartsAt(v ? isoToZoned(v.startsAt, timeZone) : '');
      setEndsAt(v ? isoToZoned(v.endsAt, timeZone) : '');
      setText(v?.text ?? '');
    },
    [timeZone],
  );
  useEffect(() => {
    session.call<Answer>('/api/absence').then(
      (v) => fill(v.absence),
      (err) => setError(errorText(t, err)),
    );
  }, [session, fill, t]);

  const save = async (e: Event) => {
    e.preventDefault();
    setStatus('');
    setError('');
    const errs: Partial<Record<FieldKey, string>> = {};
    const start = zonedToIso(startsAt, timeZone);
    const end = zonedToIso(endsAt, timeZone);
    if (!start) errs.startsAt = a.errors.time;
    if (!end) errs.endsAt = a.errors.time;
    if (start && end && Date.parse(end) <= Date.parse(start)) errs.endsAt = a.errors.endsAt;
    if (!text.trim()) errs.text = a.errors.text;
    setErrors(errs);
    const first = (['startsAt', 'endsAt', 'text'] as FieldKey[]).find((f) => errs[f]);
    if (first) {
      focusNext.current = `absence-${first}`;
      return;
    }
    setBusy(true);
    try {
      const saved = await session.call<Answer>('/api/absence', { method: 'PUT', body: { startsAt: start, endsAt: end, text } });
      fill(saved.absence);
      setStatus(a.saved);
    } catch (err) {
      const fields = err instanceof ApiError && err.code === 'VALIDATION_FAILED' ? (err.fields ?? []) : [];
      const known = fields.filter((f): f is FieldKey => f === 'startsAt' || f === 'endsAt' || f === 'text');
      if (known.length > 0) {
        setErrors(Object.fromEntries(known.map((f) => [f, f === 'text' ? a.errors.text : f === 'endsAt' ? a.errors.endsAt : a.errors.time])));
        focusNext.current = `absence-${known[0]}`;
      } else setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setStatus('');
    setError('');
    try {
      await session.call('/api/absence', { method: 'DELETE' });
      fill(null);
      setStatus(a.removed);
      focusNext.current = 'absence-startsAt';
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const field = (key: FieldKey, label: string, input: (aria: FieldA11y) => preact.JSX.Element, hint?: string) => (
    <Field id={`absence-${key}`} label={label} hint={hint} error={errors[key]}>
      {input}
    </Field>
  );
  const active = current?.active;
  const when = (iso: string) => t.common.dateTime(iso, timeZone);
  return (
    <Layout session={session} title={a.title}>
      <p>{a.intro}</p>
      <StatusLine text={status} error={error} />
      <section aria-labelledby="absence-current-heading">
        <h2 id="absence-current-heading">{a.current}</h2>
        {current === undefined ? (
          !error && <p>{t.common.loading}</p>
        ) : !current ? (
          <p>{a.none}</p>
        ) : (
          <>
            <p class="notice" data-absence={active ? 'active' : 'planned'}>
              {active ? a.active(when(current.startsAt), when(current.endsAt)) : a.planned(when(current.startsAt), when(current.endsAt))}
            </p>
            <p class="note-body" dir="auto">
              {current.text}
            </p>
            <button type="button" class="secondary" disabled={busy} onClick={() => void remove()}>
              {a.remove}
            </button>
          </>
        )}
      </section>
      <form class="absence-form admin-form" onSubmit={(e) => void save(e)} noValidate>
        <fieldset>
          <legend>{a.form}</legend>
          <p class="hint" id="absence-zone">
            {a.timeHint(timeZone)}
          </p>
          {field('startsAt', a.startsAt, (aria) => (
            <input type="datetime-local" value={startsAt} onInput={(e) => setStartsAt(e.currentTarget.value)} {...aria} />
          ))}
          {field('endsAt', a.endsAt, (aria) => (
            <input type="datetime-local" value={endsAt} onInput={(e) => setEndsAt(e.currentTarget.value)} {...aria} />
          ))}
          {field(
            'text',
            a.text,
            (aria) => (
              <textarea rows={4} dir="auto" maxLength={ABSENCE_LIMITS.textMax} value={text} onInput={(e) => setText(e.currentTarget.value)} {...aria} />
            ),
            a.textHint,
          )}
        </fieldset>
        <button type="submit" disabled={busy}>
          {a.save}
        </button>
      </form>
    </Layout>
  );
}
