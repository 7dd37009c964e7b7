import { useEffect, useRef, useState } from 'preact/hooks';
import { THREAD_LIMITS } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import type { PortalSession } from '../session';
import { NotesPanel } from '../threads/notes-panel';
import { ThreadNewsRegion } from '../threads/news';
import type { DocumentView, ThreadDetail, ThreadPostView } from '../threads/thread-types';
import type { OpenThread, PendingPost, ThreadsSession } from '../threads/threads-session';
import { useThreadsSession } from '../threads/use-threads';
import { ConfirmDialog, errorText, StatusLine } from '../form-parts';
import './admin.css';
import '../threads/threads.css';

/** `/c/:center/app/threads/:id`: one conversation — posts, composer with PDF attachments, and for counselors notes and closing. */
export function ThreadPage({ session, center, params }: PageProps) {
  const { t } = useI18n();
  const threads = useThreadsSession(session);
  if (!threads)
    return (
      <Layout session={session} title={t.threads.thread.fallbackTitle}>
        {null}
      </Layout>
    );
  return <ThreadView session={session} threads={threads} center={center} threadId={params?.id ?? ''} />;
}

function ThreadView(props: PageProps & { threads: ThreadsSession; threadId: string }) {
  const { t } = useI18n();
  const state = useStore(props.threads);
  const open = state.open?.threadId === props.threadId ? state.open : null;
  const subject = open?.detail?.subject ?? state.threads?.find((x) => x.id === props.threadId)?.subject;
  return (
    <Layout session={props.session} title={subject ?? t.threads.thread.fallbackTitle}>
      <ThreadBody key={props.threadId} {...props} />
    </Layout>
  );
}

function ThreadBody({ session, threads, center, threadId }: PageProps & { threads: ThreadsSession; threadId: string }) {
  const { t } = useI18n();
  const r = t.threads.thread;
  const state = useStore(threads);
  const portal = useStore(session);
  useEffect(() => {
    void threads.open(threadId);
    return () => threads.leave(threadId);
  }, [threads, threadId]);
  const open = state.open?.threadId === threadId ? state.open : null;
  const self = portal.auth?.account;
  const counselor = self?.role === 'counselor';
  const timeZone = portal.info?.timeZone ?? 'Europe/Berlin';
  const list = `/c/${encodeURIComponent(center)}/app/threads`;
  const back = (
    <p>
      <a href={list}>{r.back}</a>
    </p>
  );
  if (!open) return back;
  if (open.error) {
    return (
      <>
        <p class="error" role="alert">
          {open.error === 'NOT_FOUND' ? r.notFound : (t.errors[open.error as keyof typeof t.errors] ?? t.errors.INTERNAL)}
        </p>
        {back}
      </>
    );
  }
  const detail = open.detail;
  const closed = detail?.status === 'closed';
  return (
    <>
      {back}
      <ThreadNewsRegion news={state.news.filter((n) => n.threadId !== threadId)} />
      {!state.online && <p class="notice">{r.offline}</p>}
      <div class={counselor ? 'thread-page' : 'thread-page single'}>
        <div>
          {detail?.absence && (
            <section class="absence-banner" role="note" aria-labelledby="absence-heading">
              <h2 id="absence-heading" class="sr-only">
                {t.threads.absence.title}
              </h2>
              <p>{r.absence(t.common.dateTime(detail.absence.until, timeZone))}</p>
              {detail.absence.text && (
                <>
                  <p>{r.absenceText}</p>
                  <p class="text" dir="auto">
                    {detail.absence.text}
                  </p>
                </>
              )}
            </section>
          )}
          {detail?.status === 'waiting' && self?.role === 'client' && <p class="notice">{r.waiting}</p>}
          {closed && <p class="notice">{r.closed}</p>}
          <section aria-labelledby="posts-heading">
            <h2 id="posts-heading">{r.log}</h2>
            <p class={open.arrived ? 'thread-arrived sr-only' : 'thread-arrived'} role="status" aria-live="polite">
              {open.arrived ? r.newPosts(open.arrived) : ''}
            </p>
            <PostList session={session} open={open} selfId={self?.id} timeZone={timeZone} onRetry={(id) => threads.retry(id)} />
          </section>
          {!closed && detail && <Composer threads={threads} open={open} />}
        </div>
        {counselor && detail && <ThreadSide session={session} threads={threads} center={center} detail={detail} selfId={self.id} />}
      </div>
    </>
  );
}

function PostList({
  session,
  open,
  selfId,
  timeZone,
  onRetry,
}: {
  session: PortalSession;
  open: OpenThread;
  selfId: string | undefined;
  timeZone: string;
  onRetry: (clientPostId: string) => void;
}) {
  const { t } = useI18n();
  const r = t.threads.thread;
  const end = useRef<HTMLLIElement>(null);
  const count = (open.posts?.length ?? 0) + open.pending.length;
  useEffect(() => end.current?.scrollIntoView({ block: 'nearest' }), [count]);
  if (!open.posts) return <p>{t.common.loading}</p>;
  if (count === 0) return <p>{r.noPosts}</p>;
  return (
    <ol class="posts" aria-labelledby="posts-heading">
      {open.posts.map((p) => (
        <Post key={p.seq} session={session} post={p} own={!!p.sender?.id && p.sender.id === selfId} timeZone={timeZone} />
      ))}
      {open.pending.map((p) => (
        <Pending key={p.clientPostId} post={p} onRetry={onRetry} />
      ))}
      <li ref={end} aria-hidden="true" class="sr-only" />
    </ol>
  );
}

/** A system notice in words: its code (and parameters) through the catalogue; an unknown code as a plain "notice". */
function noticeText(t: ReturnType<typeof useI18n>['t'], post: ThreadPostView): string {
  const notices = t.threads.thread.notices;
  const n = post.notice;
  if (n?.code === 'reassigned') return notices.reassigned(n.params.counselor ?? '');
  if (n?.code === 'member_removed') return notices.member_removed;
  if (n?.code === 'absence') return notices.absence;
  return notices.other;
}

function Post({ session, post, own, timeZone }: { session: PortalSession; post: ThreadPostView; own: boolean; timeZone: string }) {
  const { t } = useI18n();
  const r = t.threads.thread;
  const kind = post.kind ?? 'post';
  const time = <time dateTime={post.createdAt}>{t.common.dateTime(post.createdAt, timeZone)}</time>;
  if (kind === 'notice') {
    return (
      <li class="post notice" data-seq={post.seq} data-kind={kind}>
        <div class="post-head">
          <span class="who">{r.system}</span>
          {time}
        </div>
        <p class="post-body">{noticeText(t, post)}</p>
      </li>
    );
  }
  if (kind === 'deleted') {
    return (
      <li class="post deleted" data-seq={post.seq} data-kind={kind}>
        <div class="post-head">
          <span class="who">{r.deletedAccount}</span>
          {time}
        </div>
        <p class="post-body">{r.deletedPost}</p>
      </li>
    );
  }
  const who = kind === 'center_notice' ? r.centerNotice : own ? r.you : (post.sender?.displayName ?? r.deletedAccount);
  return (
    <li class={`post ${kind === 'center_notice' ? 'center_notice' : own ? 'own' : 'peer'}`} data-seq={post.seq} data-kind={kind}>
      <div class="post-head">
        <span class="who" dir="auto">
          {who}
        </span>
        {time}
      </div>
      {post.body && (
        <p class="post-body" dir="auto">
          {post.body}
        </p>
      )}
      {post.documents.length > 0 && <Documents session={session} documents={post.documents} />}
    </li>
  );
}

function Pending({ post, onRetry }: { post: PendingPost; onRetry: (clientPostId: string) => void }) {
  const { t } = useI18n();
  const r = t.threads.thread;
  const failed = post.state === 'failed';
  return (
    <li class={failed ? 'post own failed' : 'post own'} data-pending={post.state}>
      <div class="post-head">
        <span class="who">{r.you}</span>
        <span>{failed ? r.failed : r.sending}</span>
      </div>
      {post.body && (
        <p class="post-body" dir="auto">
          {post.body}
        </p>
      )}
      {post.documents.length > 0 && (
        <ul class="post-docs">
          {post.documents.map((d) => (
            <li key={d.id} dir="auto">
              {d.name}
            </li>
          ))}
        </ul>
      )}
      {failed && (
        <>
          <p class="error" role="alert">
            {r.sendFailed} {post.error === 'CONFLICT' ? r.sendClosed : (t.errors[post.error as keyof typeof t.errors] ?? t.errors.INTERNAL)}
          </p>
          <button type="button" class="secondary" onClick={() => onRetry(post.clientPostId)}>
            {r.retry}
          </button>
        </>
      )}
    </li>
  );
}

/** The documents of a post as download buttons: the file needs the token, so it is fetched and handed to the browser as a file. */
function Documents({ session, documents }: { session: PortalSession; documents: DocumentView[] }) {
  const { t } = useI18n();
  const r = t.threads.thread;
  const [error, setError] = useState('');
  const save = async (d: DocumentView) => {
    setError('');
    try {
      const blob = await session.download(`/api/documents/${encodeURIComponent(d.id)}`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = d.name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setError(`${r.downloadFailed} ${errorText(t, err)}`);
    }
  };
  return (
    <>
      <ul class="post-docs" aria-label={r.documents}>
        {documents.map((d) => (
          <li key={d.id}>
            <button type="button" class="link" data-document={d.id} onClick={() => void save(d)}>
              <span dir="auto">{r.download(d.name, r.size(d.size))}</span>
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/** The answer field with its PDF attachment: Ctrl+Enter or the button sends; the focus stays in the field. */
function Composer({ threads, open }: { threads: ThreadsSession; open: OpenThread }) {
  const { t } = useI18n();
  const r = t.threads.thread;
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const send = () => {
    if (!text.trim() && open.attachments.length === 0) return area.current?.focus();
    threads.send(text);
    setText('');
    area.current?.focus();
  };
  const pick = async (input: HTMLInputElement) => {
    const chosen = input.files?.[0];
    if (!chosen) return;
    const ok = await threads.attach(chosen, chosen.name);
    input.value = '';
    // a refusal is read out by its alert; the keyboard goes to the file field to choose another
    // (after the render that shows the error)
    setTimeout(() => (ok ? area.current : file.current)?.focus(), 0);
  };
  const uploadError = open.uploadError
    ? ((r.uploadErrors as Record<string, string>)[open.uploadError] ?? t.errors[open.uploadError as keyof typeof t.errors] ?? t.errors.INTERNAL)
    : '';
  return (
    <form
      class="thread-compose"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <div class="field">
        <label for="thread-composer">{r.composer}</label>
        <textarea
          id="thread-composer"
          ref={area}
          rows={5}
          maxLength={THREAD_LIMITS.bodyMax}
          dir="auto"
          value={text}
          aria-describedby="thread-composer-hint"
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              send();
            }
          }}
        />
        <span class="hint" id="thread-composer-hint">
          {r.composerHint}
        </span>
      </div>
      <div class="field file-field">
        <label for="thread-file">{r.attach}</label>
        <input
          id="thread-file"
          ref={file}
          type="file"
          accept="application/pdf,.pdf"
          aria-describedby={uploadError ? 'thread-file-hint thread-file-error' : 'thread-file-hint'}
          aria-invalid={uploadError ? 'true' : undefined}
          onChange={(e) => {
            threads.clearUploadError();
            void pick(e.currentTarget);
          }}
        />
        <span class="hint" id="thread-file-hint">
          {r.attachHint}
        </span>
        {uploadError && (
          <span class="error" id="thread-file-error" role="alert">
            {uploadError}
          </span>
        )}
        <span role="status" class={open.uploading ? 'hint' : 'sr-only'}>
          {open.uploading ? r.uploading : ''}
        </span>
      </div>
      {open.attachments.length > 0 && (
        <div>
          <p>{r.attached}</p>
          <ul class="attachments">
            {open.attachments.map((d) => (
              <li key={d.id}>
                <span dir="auto">
                  {d.name} ({r.size(d.size)})
                </span>{' '}
                <button
                  type="button"
                  class="secondary"
                  onClick={() => {
                    threads.detachDocument(d.id);
                    area.current?.focus();
                  }}
                >
                  {r.removeAttachment(d.name)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={open.uploading}>
          {r.send}
        </button>
      </div>
    </form>
  );
}

/** Counselors: who is in the thread (with links to their client notes), private notes on the thread, closing. */
function ThreadSide({
  session,
  threads,
  center,
  detail,
  selfId,
}: {
  session: PortalSession;
  threads: ThreadsSession;
  center: string;
  detail: ThreadDetail;
  selfId: string;
}) {
  const { t } = useI18n();
  const r = t.threads.thread;
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const close = async () => {
    setBusy(true);
    setError('');
    try {
      await session.call(`/api/threads/${encodeURIComponent(detail.id)}/close`, { method: 'POST', body: {} });
      setStatus(r.closedDone);
      await threads.open(detail.id);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  const base = `/c/${encodeURIComponent(center)}/app/clients`;
  return (
    <aside aria-labelledby="thread-members-heading">
      <h2 id="thread-members-heading">{r.members}</h2>
      <ul class="members-list">
        {detail.members.map((m, i) =>
          m.deleted || !m.id ? (
            <li key={`deleted-${i}`}>{r.memberDeleted}</li>
          ) : (
            <li key={m.id}>
              <span dir="auto">{m.displayName}</span>
              {m.id === selfId ? r.memberSelf : m.role ? ` – ${r.memberRole[m.role]}` : ''}
              {m.role === 'client' && (
                <>
                  {' · '}
                  <a href={`${base}/${encodeURIComponent(m.id)}/notes`}>
                    <span dir="auto">{t.threads.notes.clientLink(m.displayName ?? '')}</span>
                  </a>
                </>
              )}
            </li>
          ),
        )}
      </ul>
      <NotesPanel session={session} path={`/api/threads/${encodeURIComponent(detail.id)}/notes`} heading={t.threads.notes.threadNotes} idPrefix="thread-note" />
      {detail.status !== 'closed' && (
        <section aria-labelledby="thread-close-heading">
          <h2 id="thread-close-heading" class="sr-only">
            {r.closeThread}
          </h2>
          <p class="hint" id="thread-close-hint">
            {r.closeHint}
          </p>
          <button type="button" class="secondary" aria-describedby="thread-close-hint" disabled={busy} onClick={() => setAsking(true)}>
            {r.closeThread}
          </button>
        </section>
      )}
      <StatusLine text={status} error={error} />
      {asking && (
        <ConfirmDialog title={r.confirmClose} confirmLabel={r.closeThread} busy={busy} onConfirm={() => void close()} onClose={() => setAsking(false)}>
          <p>{r.confirmCloseText}</p>
        </ConfirmDialog>
      )}
    </aside>
  );
}
