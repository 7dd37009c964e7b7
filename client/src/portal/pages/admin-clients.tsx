import { useCallback, useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { ConfirmDialog, errorText, StatusLine } from '../form-parts';
import './admin.css';

interface InactiveClient {
  id: string;
  displayName: string;
  createdAt: string;
  emailGiven: boolean;
  emailConfirmed: boolean;
  hasWritten: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Clients who never confirmed their email or never wrote, with the age of the account; delete after a warning. */
export function AdminClientsPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const zone = useStore(session).info?.timeZone;
  const c = t.admin.clients;
  const base = `/api/centers/${encodeURIComponent(center)}/clients`;
  const [list, setList] = useState<InactiveClient[] | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [pending, setPending] = useState<InactiveClient | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setList(await session.call<InactiveClient[]>(`${base}/inactive`));
    } catch (err) {
      setError(errorText(t, err));
    }
  }, [session, base, t]);
  useEffect(() => void load(), [load]);

  const remove = async (client: InactiveClient) => {
    setBusy(true);
    setError('');
    try {
      await session.call(`${base}/${client.id}`, { method: 'DELETE' });
      setStatus(c.removed(client.displayName));
      await load();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const now = Date.now();
  return (
    <Layout session={session} title={c.title}>
      <p>{c.intro}</p>
      <StatusLine text={status} error={error} />
      {!list ? (
        <p>{t.common.loading}</p>
      ) : list.length === 0 ? (
        <p>{c.none}</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">{c.pseudonym}</th>
              <th scope="col">{c.registered}</th>
              <th scope="col">{c.age}</th>
              <th scope="col">{c.email}</th>
              <th scope="col">{c.written}</th>
              <th scope="col">
                <span class="sr-only">{t.admin.staff.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.id} data-client={x.displayName}>
                <th scope="row">
                  <bdi>{x.displayName}</bdi>
                </th>
                <td data-label={c.registered}>{t.common.dateTime(x.createdAt, zone)}</td>
                <td data-label={c.age} data-age>
                  {t.admin.days(Math.max(0, Math.floor((now - Date.parse(x.createdAt)) / DAY_MS)))}
                </td>
                <td data-label={c.email}>{!x.emailGiven ? c.emailStates.none : x.emailConfirmed ? c.emailStates.confirmed : c.emailStates.unconfirmed}</td>
                <td data-label={c.written}>{x.hasWritten ? c.wrote : c.neverWrote}</td>
                <td>
                  <button type="button" class="danger" aria-label={c.removeLabel(x.displayName)} onClick={() => setPending(x)}>
                    {c.remove}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pending && (
        <ConfirmDialog
          title={c.removeTitle(pending.displayName)}
          confirmLabel={c.remove}
          busy={busy}
          onConfirm={() => void remove(pending)}
          onClose={() => setPending(null)}
        >
          <p>{c.removeText}</p>
        </ConfirmDialog>
      )}
    </Layout>
  );
}
