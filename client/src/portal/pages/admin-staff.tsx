import { useI18n } from '../../i18n';
import { Layout } from '../layout';
import type { PageProps } from '../page';

/** Placeholder of the shell: the page's owner replaces it. */
export function AdminStaffPage({ session }: PageProps) {
  const { t } = useI18n();
  return (
    <Layout session={session} title={t.admin.title}>
      <p>{t.common.loading}</p>
    </Layout>
  );
}
