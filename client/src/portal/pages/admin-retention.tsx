import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import type { PortalSession } from '../session';

/** One thing that will expire (`GET /api/admin/retention`), read tolerantly: no content, only what and when. */
export interface RetentionItem {
  kind: string;
  expiresAt: string;
  label: string | null;
}

export function asRetention(value: unknown): RetentionItem[] {
  const one = (raw: Record<string, unknown>, fallbackKind: string): RetentionItem[] => {
    const at = raw.expiresAt ?? raw.deleteAt ?? raw.at;
    if (typeof at !== 'string') return [];
    const kind = typeof raw.kind === 'string' ? raw.kind : fallbackKind;
    const label = typeof raw.displayName === 'string' ? raw.displayName : typeof raw.label === 'string' ? raw.label : null;
    return [{ kind, expiresAt: at, label }];
  };
  const singular = (key: string) => key.replace(/s$/, '');
  const items = Array.isArray(value)
    ? value.flatMap((v: Record<string, unknown>) => one(v, 'other'))
    : value && typeof value === 'object'
      ? Object.entries(value as Record<string, unknown>).flatMap(([key, list]) =>
          Array.isArray(list) ? list.flatMap((v: Record<string, unknown>) => one(v, singular(key))) : [],
        )
      : [];
  return items.sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
}

/** "Was bald gelöscht wird": what the retention job will delete next, and when. */
export function RetentionList({ session, timeZone }: { session: PortalSession; timeZone: string }) {
  const { t } = useI18n();
  const r = t.admin.retention;
  const [items, setItems] = useState<RetentionItem[] | null>(null);
  const [error, setError] = useState('');
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    session.call<unknown>('/api/admin/retention').then(
      (v) => setItems(asRetention(v)),
      (err) => (err instanceof ApiError && err.code === 'NOT_FOUND' ? setMissing(true) : setError(r.loadFailed)),
    );
  }, [session, r]);
  if (missing) return null;
  return (
    <section aria-labelledby="retention-heading">
      <h2 id="retention-heading">{r.heading}</h2>
      <p class="hint">{r.intro}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!items ? (
        !error && <p>{t.common.loading}</p>
      ) : items.length === 0 ? (
        <p>{r.empty}</p>
      ) : (
        <table class="admin-table" data-retention={items.length}>
          <thead>
            <tr>
              <th scope="col">{r.kind}</th>
              <th scope="col">{r.at}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item, i) => (
              <tr key={i}>
                <th scope="row">
                  {r.kinds[item.kind] ?? r.kinds.other}
                  {item.label && (
                    <>
                      {': '}
                      <span dir="auto">{item.label}</span>
                    </>
                  )}
                </th>
                <td>{t.common.dateTime(item.expiresAt, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
