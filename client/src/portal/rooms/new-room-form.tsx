import { useEffect, useRef, useState } from 'preact/hooks';
import type { AccountView } from '../../../../src/realtime/contract';
import { LIMITS } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { TextField } from '../form-parts';
import type { RoomsSession } from './rooms-session';
import { zonedToIso } from './zoned-time';

type Field = 'name' | 'members' | 'startsAt' | 'endsAt';
type FieldErrors = Partial<Record<Field, string>>;

/**
 * Counselors: a new 1:1 or group chat. Members are picked by pseudonym from the center's clients
 * (a filterable checkbox list); the kind follows their number. The optional window is entered in
 * the center's time zone.
 */
export function NewRoomForm({ rooms, timeZone }: { rooms: RoomsSession; timeZone: string }) {
  const { t } = useI18n();
  const c = t.rooms.create;
  const [clients, setClients] = useState<AccountView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    let live = true;
    rooms.clients().then(
      (list) => live && setClients(list),
      (err: { code?: string }) => live && setLoadError(err.code ?? 'INTERNAL'),
    );
    return () => {
      live = false;
    };
  }, [rooms]);

  const needle = query.trim().toLocaleLowerCase();
  const shown = (clients ?? []).filter((a) => !needle || a.displayName.toLocaleLowerCase().includes(needle) || chosen.includes(a.id));

  // an error goes once the field is changed
  const clear = (field: Field) => setFieldErrors((errs) => (errs[field] ? { ...errs, [field]: undefined } : errs));

  const focusFirst = (errs: FieldErrors) => {
    const first = (['name', 'members', 'startsAt', 'endsAt'] as Field[]).find((f) => errs[f]);
    if (first) form.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
  };

  const submit = async () => {
    setError(null);
    setDone(null);
    const errs: FieldErrors = {};
    const start = startsAt ? zonedToIso(startsAt, timeZone) : undefined;
    const end = endsAt ? zonedToIso(endsAt, timeZone) : undefined;
    if (!name.trim()) errs.name = c.errors.name;
    if (chosen.length === 0) errs.members = c.errors.members;
    if (start === null) errs.startsAt = c.errors.time;
    if (end === null) errs.endsAt = c.errors.time;
    if (start && end && Date.parse(end) <= Date.parse(start)) errs.endsAt = c.errors.endsAt;
    setFieldErrors(errs);
    if (Object.keys(errs).length > 0) return focusFirst(errs);
    setBusy(true);
    const answer = await rooms.create({ name: name.trim(), memberIds: chosen, ...(start ? { startsAt: start } : {}), ...(end ? { endsAt: end } : {}) });
    setBusy(false);
    if (answer.ok) {
      setDone(c.created(name.trim()));
      setName('');
      setChosen([]);
      setQuery('');
      setStartsAt('');
      setEndsAt('');
      return;
    }
    const fields = answer.error.fields ?? [];
    if (answer.error.code === 'VALIDATION_FAILED' && fields.length > 0) {
      const server: FieldErrors = {};
      for (const f of fields) {
        if (f === 'name') server.name = c.errors.name;
        else if (f === 'memberIds') server.members = c.errors.members;
        else if (f === 'endsAt') server.endsAt = c.errors.endsAt;
        else if (f === 'startsAt') server.startsAt = c.errors.time;
      }
      setFieldErrors(server);
      if (Object.keys(server).length > 0) return focusFirst(server);
    }
    setError(t.errors[answer.error.code] ?? t.errors.INTERNAL);
  };

  // the members' error belongs to their fieldset (the other fields' errors are their Field's)
  const membersDescribed = ['new-room-members-hint', fieldErrors.members ? 'new-room-members-error' : ''].filter(Boolean).join(' ');

  return (
    <section class="new-room" aria-labelledby="new-room-heading">
      <h2 id="new-room-heading">{c.heading}</h2>
      <form
        ref={form}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextField
          id="new-room-name"
          label={c.name}
          value={name}
          onInput={(v) => {
            setName(v);
            clear('name');
          }}
          error={fieldErrors.name}
          input={{ maxLength: LIMITS.roomNameMax, 'data-field': 'name' }}
        />
        <fieldset class="members-pick" aria-describedby={membersDescribed}>
          <legend>{c.members}</legend>
          <p id="new-room-members-hint" class="hint">
            {c.membersHint}
          </p>
          <TextField
            id="new-room-search"
            type="search"
            label={c.search}
            value={query}
            onInput={setQuery}
            input={{ 'data-field': 'members', 'aria-controls': 'new-room-clients' }}
          />
          {fieldErrors.members && (
            <span id="new-room-members-error" class="error">
              {fieldErrors.members}
            </span>
          )}
          {loadError ? (
            <p class="error" role="alert">
              {t.errors[loadError as keyof typeof t.errors] ?? t.errors.INTERNAL}
            </p>
          ) : !clients ? (
            <p>{c.loadingClients}</p>
          ) : (
            <ul id="new-room-clients" class="client-list">
              {shown.length === 0 && <li>{c.noClients}</li>}
              {shown.map((a) => (
                <li key={a.id}>
                  <label>
                    <input
                      type="checkbox"
                      value={a.id}
                      checked={chosen.includes(a.id)}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        setChosen((list) => (on ? [...list, a.id] : list.filter((id) => id !== a.id)));
                        clear('members');
                      }}
                    />{' '}
                    <span dir="auto">{a.displayName}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          <p class="hint" aria-live="polite">
            {c.chosen(chosen.length)}
          </p>
        </fieldset>
        <fieldset class="window" aria-describedby="new-room-window-hint">
          <legend>{c.window}</legend>
          <p id="new-room-window-hint" class="hint">
            {c.windowHint(timeZone)}
          </p>
          <TextField
            id="new-room-starts"
            type="datetime-local"
            label={c.startsAt}
            value={startsAt}
            onInput={(v) => {
              setStartsAt(v);
              clear('startsAt');
              clear('endsAt');
            }}
            error={fieldErrors.startsAt}
            input={{ 'data-field': 'startsAt' }}
          />
          <TextField
            id="new-room-ends"
            type="datetime-local"
            label={c.endsAt}
            value={endsAt}
            onInput={(v) => {
              setEndsAt(v);
              clear('endsAt');
            }}
            error={fieldErrors.endsAt}
            input={{ 'data-field': 'endsAt' }}
          />
        </fieldset>
        <button type="submit" disabled={busy}>
          {busy ? c.busy : c.submit}
        </button>
        <p class="form-status" role="status">
          {done}
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
