import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { ThreadNewsRegion } from '../threads/news';
import type { ThreadListItem } from '../threads/thread-types';
import type { ThreadsSession } from '../threads/threads-session';
import { useThreadsSession } from '../threads/use-threads';
import { YourCounselor } from '../your-counselor';
import '../threads/threads.css';

/** `/c/:center/app/threads`: the caller's conversations with unread counts (live); clients write enquiries, counselors start threads. */
export function ThreadsPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const threads = useThreadsSession(session);
  return (
    <Layout session={session} title={t.threads.title}>
      {threads && <ThreadsView session={session} threads={threads} center={center} />}
    </Layout>
  );
}

function ThreadsView({ session, threads, center }: PageProps & { threads: ThreadsSession }) {
  const { t } = useI18n();
  const l = t.threads.list;
  const state = useStore(threads);
  const portal = useStore(session);
  const role = portal.auth?.account.role;
  const timeZone = portal.info?.timeZone ?? 'Europe/Berlin';
  const base = `/c/${encodeURIComponent(center)}/app/threads`;
  return (
    <>
      <ThreadNewsRegion news={state.news} />
      {!state.online && state.threads && <p class="notice">{l.offline}</p>}
      {role === 'client' && <YourCounselor session={session} />}
      {role === 'client' && (
        <p>
          <a class="button" href={`${base}/new`}>
            {l.newEnquiry}
          </a>
        </p>
      )}
      {role === 'counselor' && (
        <p>
          <a class="button" href={`${base}/new`}>
            {l.newThread}
          </a>
        </p>
      )}
      <section aria-labelledby="threads-heading">
        <h2 id="threads-heading">{l.heading}</h2>
        {state.listError && (
          <p class="error" role="alert">
            {t.errors[state.listError as keyof typeof t.errors] ?? t.errors.INTERNAL}
          </p>
        )}
        {!state.threads ? (
          !state.listError && <p>{t.common.loading}</p>
        ) : state.threads.length === 0 ? (
          <p>{role === 'client' ? l.empty : l.emptyStaff}</p>
        ) : (
          <ul class="thread-list">
            {state.threads.map((th) => (
              <ThreadRow key={th.id} thread={th} href={`${base}/${encodeURIComponent(th.id)}`} timeZone={timeZone} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function ThreadRow({ thread, href, timeZone }: { thread: ThreadListItem; href: string; timeZone: string }) {
  const { t } = useI18n();
  const l = t.threads.list;
  const who =
    thread.status === 'waiting' || (!thread.counselor && thread.kind === 'enquiry')
      ? l.waiting
      : thread.counselor
        ? l.with(thread.counselor.displayName)
        : null;
  return (
    <li class={thread.unread > 0 ? 'thread unread' : 'thread'} data-thread={thread.id}>
      <a href={href} dir="auto" class="thread-subject" aria-describedby={`thread-meta-${thread.id}`}>
        {thread.subject ?? t.threads.noSubject}
      </a>
      <span class="thread-meta" id={`thread-meta-${thread.id}`}>
        {thread.kind && <span class="thread-kind">{t.threads.kind[thread.kind]}</span>}
        {who && (
          <span class="thread-who" dir="auto">
            {who}
          </span>
        )}
        {thread.status === 'closed' && <span>{l.closed}</span>}
        {thread.lastPostAt && <span>{l.lastPost(t.common.dateTime(thread.lastPostAt, timeZone))}</span>}
        {thread.unread > 0 && (
          <span class="badge" data-unread={thread.unread}>
            <span aria-hidden="true">{thread.unread}</span>
            <span class="sr-only">{l.unread(thread.unread)}</span>
          </span>
        )}
      </span>
    </li>
  );
}
