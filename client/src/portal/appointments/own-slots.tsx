import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { ConfirmDialog, errorText } from '../form-parts';
import type { Report } from './appointment-list';
import type { OwnSlot } from './appointment-types';
import type { AppointmentsSession } from './appointments-session';
import { groupByDay } from './slot-days';

/** Counselors: their future slots by day, free or booked; free ones can be deleted. */
export function OwnSlots({ appointments, timeZone, report }: { appointments: AppointmentsSession; timeZone: string; report: Report }) {
  const { t } = useI18n();
  const s = t.appointments.slots;
  const { slots } = appointments.state;
  const [deleting, setDeleting] = useState<OwnSlot | null>(null);
  const [busy, setBusy] = useState(false);
  const when = (x: OwnSlot) => t.appointments.when(x.startsAt, x.endsAt, timeZone);
  const remove = async (x: OwnSlot) => {
    setBusy(true);
    report.clear();
    const r = await appointments.deleteSlot(x.id);
    setBusy(false);
    setDeleting(null);
    if (r.ok) report.done(s.deleted(when(x)));
    else report.failed(r.code === 'CONFLICT' ? s.deleteBooked : errorText(t, r.error));
  };
  return (
    <section class="appt-section" aria-labelledby="appt-slots-heading">
      <h2 id="appt-slots-heading">{s.heading}</h2>
      {!slots ? (
        <p>{t.common.loading}</p>
      ) : slots.length === 0 ? (
        <p>{s.empty}</p>
      ) : (
        <>
          {slots.some((x) => x.status === 'booked') && <p class="hint">{s.bookedHint}</p>}
          {groupByDay(slots, timeZone).map((g) => (
            <div key={g.day} data-day={g.day}>
              <h3 class="appt-day">{t.appointments.day(g.items[0]!.startsAt, timeZone)}</h3>
              <ul class="appt-list">
                {g.items.map((x) => (
                  <li key={x.id} data-slot={x.id} data-status={x.status}>
                    <span class="appt-what" id={`own-${x.id}-desc`}>
                      <span class="appt-time">{t.appointments.range(x.startsAt, x.endsAt, timeZone)}</span>
                      <span class="appt-meta">{x.forms.map((f) => t.appointments.forms[f]).join(', ')}</span>
                    </span>
                    <span class={x.status === 'booked' ? 'appt-status booked' : 'appt-status'}>{x.status === 'booked' ? s.booked : s.free}</span>
                    {x.status === 'free' && (
                      <span class="appt-actions">
                        <button type="button" class="secondary" aria-describedby={`own-${x.id}-desc`} onClick={() => setDeleting(x)}>
                          {s.delete}
                        </button>
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
      {deleting && (
        <ConfirmDialog
          id="appt-slot-delete"
          title={s.deleteTitle}
          confirmLabel={s.deleteConfirm}
          busy={busy}
          busyLabel={s.busy}
          onConfirm={() => void remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p>{s.deleteText(when(deleting))}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
