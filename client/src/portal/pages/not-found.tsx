import { useI18n } from '../../i18n';
import { Layout } from '../layout';
import type { PortalSession } from '../session';

/** A wrong address or an unknown center: a friendly page with the general crisis lines (in the footer). */
export function NotFoundPage({ session }: { session: PortalSession }) {
  const { t } = useI18n();
  return (
    <Layout session={session} title={t.common.notFoundTitle}>
      <p>{t.common.notFoundText}</p>
      <p>
        <a href="/">{t.common.centersTitle}</a>
      </p>
    </Layout>
  );
}
