import { useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { ConfirmDialog, errorText } from '../form-parts';
import type { AppointmentView } from './appointment-types';
import type { AppointmentsSession } from './appointments-session';

/** What a part of the page reports to the page's one status line. */
export interface Report {
  done: (text: string) => void;
  failed: (text: string) => void;
  /** A new step begins: what the last one said goes. */
  clear: () => void;
}

/** Hands a fetched file to the browser as a download (the file needed the token: no plain link). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The caller's appointments: when, with whom, how; cancel (with a confirmation), the calendar file, the video room. */
export function AppointmentList({
  appointments,
  center,
  timeZone,
  report,
}: {
  appointments: AppointmentsSession;
  center: string;
  timeZone: string;
  report: Report;
}) {
  const { t } = useI18n();
  const m = t.appointments.mine;
  const { appointments: list } = appointments.state;
  const role = appointments.role;
  const [cancelling, setCancelling] = useState<AppointmentView | null>(null);
  const [busy, setBusy] = useState(false);
  const when = (a: AppointmentView) => t.appointments.when(a.startsAt, a.endsAt, timeZone);

  const calendar = async (a: AppointmentView) => {
    report.clear();
    try {
      saveBlob(await appointments.calendarFile(a.id), 'lotse-appointment.ics');
    } catch (err) {
      report.failed(`${m.icsFailed} ${errorText(t, err)}`);
    }
  };
  const cancel = async (a: AppointmentView) => {
    setBusy(true);
    report.clear();
    const r = await appointments.cancel(a.id);
    setBusy(false);
    setCancelling(null);
    if (r.ok) report.done(t.appointments.cancel.done(when(a)));
    else report.failed(r.code === 'CONFLICT' ? t.appointments.cancel.already : errorText(t, r.error));
  };

  return (
    <section class="appt-section" aria-labelledby="appt-mine-heading">
      <h2 id="appt-mine-heading">{m.heading}</h2>
      {!list ? (
        <p>{t.common.loading}</p>
      ) : list.length === 0 ? (
        <p>{role === 'client' ? m.empty : m.emptyStaff}</p>
      ) : (
        <ul class="appt-list" data-list="appointments">
          {list.map((a) => {
            const other = role === 'client' ? a.counselor : a.client;
            const desc = `appt-${a.id}-desc`;
            const cancelled = a.status === 'cancelled';
            return (
              <li key={a.id} class={cancelled ? 'cancelled' : undefined} data-appointment={a.id} data-status={a.status}>
                <span class="appt-what" id={desc}>
                  <span class="appt-time">{when(a)}</span>
                  <span class="appt-meta" dir="auto">
                    {other ? `${m.with(other.displayName)}, ` : ''}
                    {m.form(t.appointments.forms[a.form])}
                  </span>
                  {cancelled && a.cancelledBy && <span class="appt-status">{a.cancelledBy === role ? m.cancelledByYou : m.cancelledBy[a.cancelledBy]}</span>}
                </span>
                {!cancelled && (
                  <span class="appt-actions">
                    {a.videoRoomId && (
                      <a href={`/c/${encodeURIComponent(center)}/app/video/${encodeURIComponent(a.videoRoomId)}`} aria-describedby={desc}>
                        {m.video}
                      </a>
                    )}
                    <button type="button" class="secondary" aria-describedby={desc} onClick={() => void calendar(a)}>
                      {m.ics}
                    </button>
                    <button type="button" class="secondary" aria-describedby={desc} onClick={() => setCancelling(a)}>
                      {m.cancel}
                    </button>
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {cancelling && (
        <ConfirmDialog
          id="appt-cancel"
          title={t.appointments.cancel.title}
          confirmLabel={t.appointments.cancel.confirm}
          cancelLabel={t.appointments.cancel.keep}
          busy={busy}
          busyLabel={t.appointments.cancel.busy}
          onConfirm={() => void cancel(cancelling)}
          onClose={() => setCancelling(null)}
        >
          <p>{role === 'client' ? t.appointments.cancel.textClient(when(cancelling)) : t.appointments.cancel.textCounselor(when(cancelling))}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
