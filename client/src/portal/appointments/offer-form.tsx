import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { Checkbox, errorText, Field, FormError, refusedFields, type FieldA11y } from '../form-parts';
import { zonedToIso } from '../zoned-time';
import type { Report } from './appointment-list';
import { CONTACT_FORMS, SERIES_WEEKS_MAX, type ContactForm } from './appointment-types';
import type { AppointmentsSession } from './appointments-session';

type FieldKey = 'date' | 'start' | 'end' | 'forms' | 'weeks';
const ORDER: FieldKey[] = ['date', 'start', 'end', 'forms', 'weeks'];
/** Where the focus goes for an error of each field (the forms group: its first box). */
const focusTarget = (f: FieldKey) => (f === 'forms' ? `appt-form-${CONTACT_FORMS[0]}` : `appt-${f}`);

/** Counselors: offer one slot (date, start, end in the center's time zone, its contact forms), or the same slot weekly for N weeks. */
export function OfferForm({ appointments, timeZone, report }: { appointments: AppointmentsSession; timeZone: string; report: Report }) {
  const { t } = useI18n();
  const o = t.appointments.offer;
  const [date, setDate] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [forms, setForms] = useState<ContactForm[]>([]);
  const [weeks, setWeeks] = useState('1');
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const refuse = (errs: Partial<Record<FieldKey, string>>) => {
    setErrors(errs);
    const first = ORDER.find((f) => errs[f]);
    if (first) focusNext.current = focusTarget(first);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setFormError(null);
    report.clear();
    const errs: Partial<Record<FieldKey, string>> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errs.date = o.errors.date;
    if (!/^\d{2}:\d{2}$/.test(start)) errs.start = o.errors.start;
    if (!/^\d{2}:\d{2}$/.test(end)) errs.end = o.errors.end;
    const startsAt = errs.date || errs.start ? null : zonedToIso(`${date}T${start}`, timeZone);
    const endsAt = errs.date || errs.end ? null : zonedToIso(`${date}T${end}`, timeZone);
    if (startsAt && Date.parse(startsAt) <= Date.now()) errs.start = o.errors.startsAt;
    if (startsAt && endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) errs.end = o.errors.endsAt;
    if (forms.length === 0) errs.forms = o.errors.forms;
    const n = Number(weeks);
    if (!Number.isInteger(n) || n < 1 || n > SERIES_WEEKS_MAX) errs.weeks = o.errors.weeks;
    if (ORDER.some((f) => errs[f]) || !startsAt || !endsAt) return refuse(errs);
    setErrors({});
    setBusy(true);
    const ordered = CONTACT_FORMS.filter((x) => forms.includes(x));
    const r = await appointments.offer({ startsAt, endsAt, forms: ordered, weeks: n });
    setBusy(false);
    if (r.ok) {
      report.done(o.done(r.ids.length, t.appointments.when(startsAt, endsAt, timeZone)));
      // the next slot is often the same day, later: keep the date and the forms
      setStart('');
      setEnd('');
      setWeeks('1');
      focusNext.current = 'appt-start';
      return;
    }
    const fields = refusedFields(r.error);
    if (fields.length > 0) {
      const map: Record<string, FieldKey> = { startsAt: 'start', endsAt: 'end', forms: 'forms', weeks: 'weeks' };
      const server: Partial<Record<FieldKey, string>> = {};
      for (const f of fields) {
        const key = map[f];
        if (key) server[key] = key === 'start' ? o.errors.startsAt : key === 'end' ? o.errors.endsAt : o.errors[key];
      }
      if (Object.keys(server).length > 0) return refuse(server);
    }
    setFormError(r.code === 'CONFLICT' ? o.errors.overlap : errorText(t, r.error));
    focusNext.current = 'appt-start';
  };

  const field = (key: Exclude<FieldKey, 'forms'>, label: string, input: (a11y: FieldA11y) => preact.JSX.Element, hint?: string) => (
    <Field id={`appt-${key}`} label={label} hint={hint} error={errors[key]} required={key !== 'weeks'}>
      {input}
    </Field>
  );
  return (
    <section class="appt-section" aria-labelledby="appt-offer-heading">
      <h2 id="appt-offer-heading">{o.heading}</h2>
      <form class="appt-form" onSubmit={(e) => void submit(e)} noValidate aria-describedby="appt-zone">
        <fieldset>
          <legend>{o.legend}</legend>
          <div class="appt-when">
            {field('date', o.date, (a) => (
              <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} {...a} />
            ))}
            {field('start', o.start, (a) => (
              <input type="time" step={300} value={start} onInput={(e) => setStart(e.currentTarget.value)} {...a} />
            ))}
            {field('end', o.end, (a) => (
              <input type="time" step={300} value={end} onInput={(e) => setEnd(e.currentTarget.value)} {...a} />
            ))}
          </div>
          <fieldset class="appt-forms" aria-describedby={errors.forms ? 'appt-forms-error' : undefined}>
            <legend>{o.forms}</legend>
            {CONTACT_FORMS.map((x) => (
              <Checkbox
                key={x}
                id={`appt-form-${x}`}
                label={t.appointments.formNames[x]}
                checked={forms.includes(x)}
                onChange={(on) => setForms(on ? [...forms, x] : forms.filter((y) => y !== x))}
              />
            ))}
            {errors.forms && (
              <p id="appt-forms-error" class="error">
                {errors.forms}
              </p>
            )}
          </fieldset>
          <div class="appt-weeks">
            {field(
              'weeks',
              o.weeks,
              (a) => (
                <input type="number" inputMode="numeric" min={1} max={SERIES_WEEKS_MAX} value={weeks} onInput={(e) => setWeeks(e.currentTarget.value)} {...a} />
              ),
              o.weeksHint,
            )}
          </div>
        </fieldset>
        <FormError id="appt-offer-error" text={formError} />
        <button type="submit" aria-disabled={busy ? 'true' : undefined} disabled={busy}>
          {busy ? o.busy : o.submit}
        </button>
      </form>
    </section>
  );
}
