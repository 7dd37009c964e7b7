import { useMemo, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { StatusLine } from '../form-parts';
import { Layout } from '../layout';
import { YourCounselor } from '../your-counselor';
import type { PageProps } from '../page';
import { AppointmentList, type Report } from './appointment-list';
import type { AppointmentNews } from './appointments-session';
import type { AppointmentsSession } from './appointments-session';
import { FreeSlots } from './free-slots';
import { OfferForm } from './offer-form';
import { OwnSlots } from './own-slots';
import { useAppointmentsSession } from './use-appointments';
import './appointments.css';

/**
 * `/c/:center/app/appointments`: clients see the free slots and book one, counselors offer slots;
 * both see their appointments (cancel, calendar file, video room), kept live by `appointment.changed`.
 */
export function AppointmentsPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const appointments = useAppointmentsSession(session, center);
  const role = useStore(session).auth?.account.role;
  return (
    <Layout session={session} title={t.appointments.title}>
      {appointments ? <AppointmentsView appointments={appointments} session={session} center={center} /> : role && <p>{t.appointments.staffOnly}</p>}
    </Layout>
  );
}

function AppointmentsView({ appointments, session, center }: PageProps & { appointments: AppointmentsSession }) {
  const { t } = useI18n();
  const state = useStore(appointments);
  const timeZone = useStore(session).info?.timeZone ?? 'Europe/Berlin';
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const report = useMemo<Report>(
    () => ({
      done: (text) => {
        setError(null);
        setStatus(text);
      },
      failed: (text) => {
        setStatus('');
        setError(text);
      },
      clear: () => {
        setStatus('');
        setError(null);
      },
    }),
    [],
  );
  const client = appointments.role === 'client';
  return (
    <>
      <p>{client ? t.appointments.clientIntro : t.appointments.counselorIntro}</p>
      <p class="hint" id="appt-zone">
        {t.appointments.timeZone(timeZone)}
      </p>
      <NewsRegion news={state.news} timeZone={timeZone} client={client} />
      {!state.online && state.appointments && <p class="notice">{t.appointments.offline}</p>}
      <StatusLine text={status} error={error} />
      {state.listError && (
        <p class="error" role="alert">
          {t.errors[state.listError as keyof typeof t.errors] ?? t.errors.INTERNAL}
        </p>
      )}
      {client ? (
        <>
          {/* keyed by the number of bookings: the first booking can give the client their counselor */}
          <YourCounselor session={session} key={`counselor-${state.appointments?.length ?? 0}`} />
          <FreeSlots appointments={appointments} timeZone={timeZone} report={report} />
          <AppointmentList appointments={appointments} center={center} timeZone={timeZone} report={report} />
        </>
      ) : (
        <>
          <AppointmentList appointments={appointments} center={center} timeZone={timeZone} report={report} />
          <OfferForm appointments={appointments} timeZone={timeZone} report={report} />
          <OwnSlots appointments={appointments} timeZone={timeZone} report={report} />
        </>
      )}
    </>
  );
}

/** The polite live region for what the other side did since this page was opened (booked, cancelled). */
function NewsRegion({ news, timeZone, client }: { news: AppointmentNews[]; timeZone: string; client: boolean }) {
  const { t } = useI18n();
  const n = t.appointments.news;
  const since = useRef(news.reduce((max, x) => Math.max(max, x.id), 0));
  const last = news.filter((x) => x.id > since.current).pop();
  let text = '';
  if (last) {
    const a = last.appointment;
    const when = t.appointments.when(a.startsAt, a.endsAt, timeZone);
    const other = (client ? a.counselor.displayName : a.client?.displayName) ?? '';
    text = last.kind === 'cancelled' ? n.cancelled(when, other) : client ? n.bookedClient(when) : n.booked(when, other);
  }
  return (
    <p class={last ? 'appt-news notice' : 'appt-news'} role="status" aria-live="polite" data-news={last?.id}>
      {text}
    </p>
  );
}
