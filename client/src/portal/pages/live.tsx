import { useMemo } from 'preact/hooks';
import { ConsoleApp } from '../../console/app';
import { useI18n } from '../../i18n';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { workspaceConsole } from '../workspace-console';
import '../../console/console.css';

/** `/c/:center/app/live`: the live console (shift, queue, live chats, today's topic chats) inside the workspace. */
export function LivePage({ session, center }: PageProps) {
  const { t, lang } = useI18n();
  const token = session.state.auth?.token;
  const live = useMemo(() => workspaceConsole(session, center, lang), [session, center, token]);
  live?.setTexts(t.console);
  return (
    <Layout session={session} title={t.workspace.liveTitle}>
      {live ? <ConsoleApp session={live} t={t.console} lang={lang} embedded /> : <p role="alert">{t.workspace.staffOnly}</p>}
    </Layout>
  );
}
