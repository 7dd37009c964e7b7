import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS, type TopicChatListItem } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { command } from '../../lib/socket';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import type { PortalSession } from '../session';
import { TopicChatView } from '../topic-chat';
import { ConfirmDialog, explain, Field, FormError, TextField } from '../form-parts';
import { isoToZoned, zonedToIso } from '../zoned-time';
import '../workspace.css';

const listPath = (center: string) => `/api/centers/${encodeURIComponent(center)}/topic-chats`;

/** `/c/:center/app/topics`: staff schedule, edit and cancel topic chats; clients join the running ones. */
export function TopicsPage(props: PageProps) {
  const role = props.session.state.auth?.account.role;
  return role === 'counselor' || role === 'admin' ? <StaffTopics {...props} /> : <ClientTopics {...props} />;
}

function useTopics(session: PortalSession, center: string) {
  const [list, setList] = useState<TopicChatListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { t } = useI18n();
  const load = async () => {
    try {
      setList(await session.call<TopicChatListItem[]>(listPath(center)));
      setError(null);
    } catch (err) {
      setError(explain(err, t, {}).form);
    }
  };
  useEffect(() => {
    void load();
  }, [center]);
  return { list, error, load };
}

interface Draft {
  title: string;
  description: string;
  startsAt: string;
  endsAt: string;
  capacity: string;
}
const EMPTY: Draft = { title: '', description: '', startsAt: '', endsAt: '', capacity: '20' };

function StaffTopics({ session, center }: PageProps) {
  const { t, lang } = useI18n();
  const w = t.workspace.topics;
  const zone = session.state.info?.timeZone ?? 'Europe/Berlin';
  const { list, error, load } = useTopics(session, center);
  const [editing, setEditing] = useState<TopicChatListItem | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [asking, setAsking] = useState<TopicChatListItem | null>(null);
  const [busy, setBusy] = useState(false);
  const fmt = (iso: string) => t.common.dateTime(iso, zone);
  void lang;

  const edit = (x: TopicChatListItem) => {
    setEditing(x);
    setDraft({
      title: x.title,
      description: x.description,
      startsAt: isoToZoned(x.startsAt, zone),
      endsAt: isoToZoned(x.endsAt, zone),
      capacity: String(x.capacity),
    });
    setFieldErrors({});
    setFormError(null);
    document.getElementById('topic-title')?.focus();
  };
  const reset = () => {
    setEditing(null);
    setDraft(EMPTY);
    setFieldErrors({});
    setFormError(null);
  };

  const submit = async () => {
    const startsAt = zonedToIso(draft.startsAt, zone);
    const endsAt = zonedToIso(draft.endsAt, zone);
    const capacity = Number(draft.capacity);
    const errs: Record<string, string> = {};
    if (!draft.title.trim()) errs.title = w.fieldErrors.title!;
    if (!startsAt) errs.startsAt = w.fieldErrors.startsAt!;
    if (!endsAt || (startsAt && endsAt <= startsAt)) errs.endsAt = w.fieldErrors.endsAt!;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 500) errs.capacity = w.fieldErrors.capacity!;
    setFieldErrors(errs);
    setFormError(null);
    const firstBad = ['title', 'startsAt', 'endsAt', 'capacity'].find((f) => errs[f]);
    if (firstBad) {
      document.getElementById(`topic-${firstBad}`)?.focus();
      return;
    }
    const body = { title: draft.title.trim(), description: draft.description.trim(), startsAt: startsAt!, endsAt: endsAt!, capacity };
    setBusy(true);
    try {
      if (editing) {
        await session.call(`${listPath(center)}/${encodeURIComponent(editing.id)}`, { method: 'PATCH', body });
        setStatus(w.updated(body.title));
      } else {
        await session.call(listPath(center), { method: 'POST', body });
        setStatus(w.created(body.title));
      }
      reset();
      await load();
    } catch (err) {
      const { fields, form } = explain(err, t, w.fieldErrors, { FORBIDDEN: w.notHost });
      setFieldErrors(fields);
      setFormError(form);
      const first = Object.keys(fields)[0];
      if (first) document.getElementById(`topic-${first}`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  const cancel = async (x: TopicChatListItem) => {
    try {
      await session.call(`${listPath(center)}/${encodeURIComponent(x.id)}`, { method: 'DELETE' });
      setStatus(w.cancelled(x.title));
      if (editing?.id === x.id) reset();
    } catch (err) {
      setStatus(explain(err, t, {}, { FORBIDDEN: w.notHost }).form ?? '');
    }
    await load();
  };

  // a field's error goes as soon as the field is changed
  const set = (k: keyof Draft) => (e: { currentTarget: { value: string } }) => {
    setDraft({ ...draft, [k]: e.currentTarget.value });
    if (fieldErrors[k]) setFieldErrors(Object.fromEntries(Object.entries(fieldErrors).filter(([f]) => f !== k)));
  };
  return (
    <Layout session={session} title={w.title}>
      <p role="status">{status}</p>
      <h2>{w.listHeading}</h2>
      <p class="hint">{w.timeZoneHint(zone)}</p>
      {error && <p role="alert">{error}</p>}
      {list === null ? (
        !error && <p>{t.common.loading}</p>
      ) : list.length === 0 ? (
        <p>{w.none}</p>
      ) : (
        <ul class="ws-list">
          {list.map((x) => (
            <li key={x.id} data-topic={x.title} data-status={x.status}>
              <h3 dir="auto">{x.title}</h3>
              {x.description && <p dir="auto">{x.description}</p>}
              <p class="meta">
                {w.window(fmt(x.startsAt), fmt(x.endsAt))} · {w.status[x.status]} · {w.capacityOf(x.capacity)}
              </p>
              {x.status !== 'ended' && (
                <div class="ws-actions">
                  <button type="button" class="secondary" aria-label={w.editNamed(x.title)} onClick={() => edit(x)}>
                    {w.edit}
                  </button>
                  <button type="button" class="danger" aria-label={w.cancelNamed(x.title)} onClick={() => setAsking(x)}>
                    {w.cancelChat}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        class="ws-form"
        noValidate
        aria-labelledby="topic-form-h"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="topic-form-h">{editing ? w.editHeading(editing.title) : w.newHeading}</h2>
        <Field id="topic-title" label={w.fieldTitle} error={fieldErrors.title}>
          {(a) => <input {...a} value={draft.title} maxLength={120} onInput={set('title')} />}
        </Field>
        <Field id="topic-description" label={w.fieldDescription} hint={w.fieldDescriptionHint} error={fieldErrors.description}>
          {(a) => <textarea {...a} rows={3} value={draft.description} maxLength={2000} onInput={set('description')} />}
        </Field>
        <Field id="topic-startsAt" label={w.fieldStart} hint={w.timeZoneHint(zone)} error={fieldErrors.startsAt}>
          {(a) => <input {...a} type="datetime-local" value={draft.startsAt} onInput={set('startsAt')} />}
        </Field>
        <Field id="topic-endsAt" label={w.fieldEnd} error={fieldErrors.endsAt}>
          {(a) => <input {...a} type="datetime-local" value={draft.endsAt} onInput={set('endsAt')} />}
        </Field>
        <Field id="topic-capacity" label={w.fieldCapacity} hint={w.fieldCapacityHint} error={fieldErrors.capacity}>
          {(a) => <input {...a} type="number" min={1} max={500} value={draft.capacity} onInput={set('capacity')} />}
        </Field>
        <FormError id="topic-form-error" text={formError} />
        <div class="ws-actions">
          <button type="submit" disabled={busy}>
            {editing ? w.saveChanges : w.create}
          </button>
          {editing && (
            <button type="button" class="secondary" onClick={reset}>
              {t.common.cancel}
            </button>
          )}
        </div>
      </form>
      {asking && (
        <ConfirmDialog
          title={w.cancelConfirm(asking.title)}
          confirmLabel={w.cancelYes}
          cancelLabel={w.keep}
          onConfirm={() => {
            setAsking(null);
            void cancel(asking);
          }}
          onClose={() => setAsking(null)}
        />
      )}
    </Layout>
  );
}

function ClientTopics({ session, center }: PageProps) {
  const { t } = useI18n();
  const w = t.workspace.topics;
  const zone = session.state.info?.timeZone ?? 'Europe/Berlin';
  const { list, error } = useTopics(session, center);
  const [joining, setJoining] = useState<TopicChatListItem | null>(null);
  const [joined, setJoined] = useState<{ topic: TopicChatListItem; roomId: string; nickname: string } | null>(null);
  const fmt = (iso: string) => t.common.dateTime(iso, zone);
  // session.socket() throws without a session: an ended session leaves this page through the shell's login redirect
  const auth = session.state.auth;
  if (joined && auth) {
    return (
      <Layout session={session} title={joined.topic.title}>
        <TopicChatView socket={session.socket()} selfId={auth.account.id} roomId={joined.roomId} nickname={joined.nickname} onLeave={() => setJoined(null)} />
      </Layout>
    );
  }
  const running = (list ?? []).filter((x) => x.status === 'open');
  const upcoming = (list ?? []).filter((x) => x.status === 'scheduled');
  return (
    <Layout session={session} title={w.title}>
      <p>{w.clientIntro}</p>
      {error && <p role="alert">{error}</p>}
      {list === null && !error && <p>{t.common.loading}</p>}
      {list !== null && running.length === 0 && <p>{w.notRunning}</p>}
      {running.length > 0 && (
        <ul class="ws-list">
          {running.map((x) => (
            <li key={x.id} data-topic={x.title}>
              <h2 dir="auto">{x.title}</h2>
              {x.description && <p dir="auto">{x.description}</p>}
              <p class="meta">{w.window(fmt(x.startsAt), fmt(x.endsAt))}</p>
              {joining?.id === x.id ? (
                <JoinForm
                  session={session}
                  topic={x}
                  onJoined={(roomId, nickname) => setJoined({ topic: x, roomId, nickname })}
                  onCancel={() => setJoining(null)}
                />
              ) : (
                <button type="button" aria-label={w.joinHeading(x.title)} onClick={() => setJoining(x)}>
                  {w.join}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {upcoming.length > 0 && (
        <>
          <h2>{w.upcoming}</h2>
          <ul class="ws-list">
            {upcoming.map((x) => (
              <li key={x.id}>
                <h3 dir="auto">{x.title}</h3>
                <p class="meta">{w.window(fmt(x.startsAt), fmt(x.endsAt))}</p>
              </li>
            ))}
          </ul>
        </>
      )}
    </Layout>
  );
}

function JoinForm({
  session,
  topic,
  onJoined,
  onCancel,
}: {
  session: PortalSession;
  topic: TopicChatListItem;
  onJoined: (roomId: string, nickname: string) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const w = t.workspace.topics;
  const [nickname, setNickname] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = async () => {
    if (!nickname.trim()) {
      setError(w.nicknameMissing);
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    setFormError(null);
    const ack = await command(session.socket(), 'topic.join', { topicChatId: topic.id, nickname: nickname.trim() });
    setBusy(false);
    if (ack.ok) return onJoined(ack.data.roomId, nickname.trim());
    if (ack.error.code === 'VALIDATION_FAILED') {
      setError(w.nicknameTaken);
      input.current?.focus();
    } else setFormError((t.errors as Record<string, string>)[ack.error.code] ?? t.errors.INTERNAL);
  };
  const id = `nick-${topic.id}`;
  return (
    <form
      noValidate
      aria-label={w.joinHeading(topic.title)}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <TextField
        id={id}
        label={w.nickname}
        hint={w.nicknameHint}
        value={nickname}
        onInput={setNickname}
        error={error}
        autoComplete="off"
        inputRef={input}
        input={{ maxLength: LIMITS.nicknameMax }}
      />
      <FormError id={`${id}-form-error`} text={formError} />
      <div class="ws-actions">
        <button type="submit" disabled={busy}>
          {w.enter}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </form>
  );
}
