import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { myClients } from '../threads/my-clients';
import { NotesPanel } from '../threads/notes-panel';
import './admin.css';
import '../threads/threads.css';

/** `/c/:center/app/clients/:id/notes`: a counselor's private notes about one of their clients. */
export function ClientNotesPage({ session, center, params }: PageProps) {
  const { t } = useI18n();
  const n = t.threads.notes;
  const clientId = params?.id ?? '';
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    myClients((path) => session.call(path)).then(
      (list) => live && setName(list.find((c) => c.id === clientId)?.displayName ?? null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [session, clientId]);
  return (
    <Layout session={session} title={name ? n.clientTitle(name) : n.clientFallback}>
      <p>
        <a href={`/c/${encodeURIComponent(center)}/app/threads`}>{n.backToThreads}</a>
      </p>
      <NotesPanel session={session} path={`/api/clients/${encodeURIComponent(clientId)}/notes`} heading={n.heading} idPrefix="client-note" />
    </Layout>
  );
}
