import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import type { CenterListItem } from '../../../../src/realtime/contract';
import { api } from '../../lib/api';
import { Layout } from '../layout';
import type { PortalSession } from '../session';

/** What useCenterList gives when the list could not be read (told apart from "no centers yet"). */
const FAILED: CenterListItem[] = [];

/** `GET /`: the list of the installation's centers (with one center, the router shows its page instead). */
export function CentersPage({ session, centers }: { session: PortalSession; centers: CenterListItem[] }) {
  const { t } = useI18n();
  return (
    <Layout session={session} title={t.common.centersTitle}>
      {centers.length > 0 ? (
        <>
          <p>{t.common.centersIntro}</p>
          <ul class="centers">
            {centers.map((c) => (
              <li key={c.slug}>
                <a href={`/c/${encodeURIComponent(c.slug)}`} dir="auto">
                  {c.name}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p role={centers === FAILED ? 'alert' : undefined}>{centers === FAILED ? t.center.listFailed : t.center.noCenters}</p>
      )}
    </Layout>
  );
}

/** Loads `GET /api/centers` once (public: slug and name of every center). */
export function useCenterList(): CenterListItem[] | null {
  const [list, setList] = useState<CenterListItem[] | null>(null);
  useEffect(() => {
    api<CenterListItem[]>('/api/centers').then(setList, () => setList(FAILED));
  }, []);
  return list;
}
