import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { ConfirmDialog, errorText, Field, refusedFields } from '../form-parts';
import type { Report } from './appointment-list';
import type { ContactForm, FreeSlot } from './appointment-types';
import type { AppointmentsSession } from './appointments-session';
import { groupByDay } from './slot-days';

/** Clients: the center's free slots by day (all counselors or one), each bookable with one of its contact forms. */
export function FreeSlots({ appointments, timeZone, report }: { appointments: AppointmentsSession; timeZone: string; report: Report }) {
  const { t } = useI18n();
  const f = t.appointments.free;
  const { free, counselors, counselorId } = appointments.state;
  const [booking, setBooking] = useState<FreeSlot | null>(null);
  const when = (s: FreeSlot) => t.appointments.when(s.startsAt, s.endsAt, timeZone);
  const formList = (forms: ContactForm[]) => forms.map((x) => t.appointments.forms[x]).join(', ');
  return (
    <section class="appt-section" aria-labelledby="appt-free-heading">
      <h2 id="appt-free-heading">{f.heading}</h2>
      {counselors.length > 1 || counselorId ? (
        <div class="appt-filter">
          <Field id="appt-filter" label={f.filter}>
            {(a11y) => (
              <select {...a11y} value={counselorId ?? ''} onChange={(e) => void appointments.filter(e.currentTarget.value || null)}>
                <option value="">{f.all}</option>
                {counselors.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.displayName}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      ) : null}
      {!free ? (
        <p>{t.common.loading}</p>
      ) : free.length === 0 ? (
        <p>{f.empty}</p>
      ) : (
        groupByDay(free, timeZone).map((g) => (
          <div key={g.day} data-day={g.day}>
            <h3 class="appt-day">{t.appointments.day(g.items[0]!.startsAt, timeZone)}</h3>
            <ul class="appt-list">
              {g.items.map((s) => (
                <li key={s.id} data-slot={s.id}>
                  <span class="appt-what" id={`slot-${s.id}-desc`}>
                    <span class="appt-time">{t.appointments.range(s.startsAt, s.endsAt, timeZone)}</span>
                    <span class="appt-meta" dir="auto">
                      {f.with(s.counselor.displayName)}, {f.forms(formList(s.forms))}
                    </span>
                  </span>
                  <span class="appt-actions">
                    <button type="button" aria-describedby={`slot-${s.id}-desc`} onClick={() => setBooking(s)}>
                      {f.book}
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
      {booking && (
        <BookDialog key={booking.id} slot={booking} appointments={appointments} when={when(booking)} report={report} onClose={() => setBooking(null)} />
      )}
    </section>
  );
}

/** The booking dialog: the slot, the contact form as a radio group, and the binding step. */
function BookDialog({
  slot,
  appointments,
  when,
  report,
  onClose,
}: {
  slot: FreeSlot;
  appointments: AppointmentsSession;
  when: string;
  report: Report;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const b = t.appointments.book;
  const [form, setForm] = useState<ContactForm>(slot.forms[0] ?? 'chat');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState('');
  const book = async () => {
    setBusy(true);
    setFormError('');
    report.clear();
    const r = await appointments.book(slot.id, form);
    setBusy(false);
    if (r.ok) {
      report.done(b.done(when));
      onClose();
    } else if (refusedFields(r.error).includes('form')) {
      setFormError(b.form);
    } else {
      // taken meanwhile (or gone): the session has read the list again
      report.failed(r.code === 'CONFLICT' || r.code === 'NOT_FOUND' ? b.taken : errorText(t, r.error));
      onClose();
    }
  };
  return (
    <ConfirmDialog
      id="appt-book"
      title={b.title}
      danger={false}
      confirmLabel={b.confirm}
      busy={busy}
      busyLabel={b.busy}
      onConfirm={() => void book()}
      onClose={onClose}
      focusId={`appt-book-${form}`}
      fields={
        <fieldset class="appt-choice" aria-describedby={formError ? 'appt-book-error' : undefined}>
          <legend>{b.formLegend}</legend>
          {slot.forms.map((x) => (
            <div class="radio" key={x}>
              <input type="radio" id={`appt-book-${x}`} name="appt-book-form" value={x} checked={form === x} onChange={() => setForm(x)} />
              <label for={`appt-book-${x}`}>{t.appointments.formNames[x]}</label>
            </div>
          ))}
          {formError && (
            <p id="appt-book-error" class="error" role="alert">
              {formError}
            </p>
          )}
        </fieldset>
      }
    >
      <p dir="auto">{b.text(when, slot.counselor.displayName)}</p>
    </ConfirmDialog>
  );
}
