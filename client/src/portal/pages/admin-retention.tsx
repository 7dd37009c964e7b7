import { useEffect, useState } from 'preact/hooks';
import type { RetentionOverview } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import type { PortalSession } from '../session';

/** One row of the list: closed threads by date only, client accounts by pseudonym. */
interface Row {
  kind: 'thread' | 'unconfirmed' | 'unused';
  label: string | null;
  expiresAt: string;
}

export function retentionRows(o: RetentionOverview): Row[] {
  const rows: Row[] = [
    ...o.threads.map((th) => ({ kind: 'thread' as const, label: null, expiresAt: th.expiresAt })),
    ...o.accounts.map((a) => ({ kind: a.reason, label: a.displayName, expiresAt: a.expiresAt })),
  ];
  return rows.sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
}

/** "Was bald gelöscht wird" (`GET /api/admin/retention`): counts for 7 and 30 days, then what and when, soonest first. */
export function RetentionList({ session, timeZone }: { session: PortalSession; timeZone: string }) {
  const { t } = useI18n();
  const r = t.admin.retention;
  const [overview, setOverview] = useState<RetentionOverview | null>(null);
  const [error, setError] = useState('');
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    session.call<RetentionOverview>('/api/admin/retention').then(setOverview, (err) =>
      // a server without the retention job has no such route: no section then
      err instanceof ApiError && err.code === 'NOT_FOUND' ? setMissing(true) : setError(r.loadFailed),
    );
  }, [session, r]);
  if (missing) return null;
  const rows = overview ? retentionRows(overview) : null;
  return (
    <section aria-labelledby="retention-heading" class="retention">
      <h2 id="retention-heading">{r.heading}</h2>
      <p class="hint">{r.intro}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {overview && (
        <ul>
          <li>{r.within(7, overview.within7Days.threads, overview.within7Days.unconfirmedRegistrations, overview.within7Days.unusedAccounts)}</li>
          <li>{r.within(30, overview.within30Days.threads, overview.within30Days.unconfirmedRegistrations, overview.within30Days.unusedAccounts)}</li>
        </ul>
      )}
      {!rows ? (
        !error && <p>{t.common.loading}</p>
      ) : rows.length === 0 ? (
        <p>{r.empty}</p>
      ) : (
        <table class="admin-table" data-retention={rows.length}>
          <thead>
            <tr>
              <th scope="col">{r.kind}</th>
              <th scope="col">{r.at}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                <th scope="row">
                  {r.kinds[row.kind]}
                  {row.label && (
                    <>
                      {': '}
                      <span dir="auto">{row.label}</span>
                    </>
                  )}
                </th>
                <td>{t.common.dateTime(row.expiresAt, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
