import { useCallback, useEffect, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import { useStore } from '../../lib/store';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { ConfirmDialog, errorText, Field, FormError, StatusLine, TextField } from '../form-parts';
import './admin.css';

type StaffRole = 'counselor' | 'admin';
interface StaffMember {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  status: 'invited' | 'active' | 'deactivated';
  createdAt: string;
  /** Team page (issue 13). */
  teamHidden: boolean;
  onTeamPage: boolean;
  crisisContact: boolean;
}
type CreateResult = { id: string; invitationSent: true } | { id: string; password: string };
type Action = 'deactivate' | 'reactivate' | 'remove';

/** The admin's team: list with status, invitation form, deactivate / reactivate / delete after a confirmation. */
export function AdminStaffPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const portal = useStore(session);
  const me = portal.auth?.account.id;
  // times in the center's zone, as every other page shows them
  const zone = portal.info?.timeZone;
  const s = t.admin.staff;
  const base = `/api/centers/${encodeURIComponent(center)}/staff`;
  const [list, setList] = useState<StaffMember[] | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [pending, setPending] = useState<{ action: Action; member: StaffMember } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setList(await session.call<StaffMember[]>(base));
    } catch (err) {
      setError(errorText(t, err));
    }
  }, [session, base, t]);
  useEffect(() => void load(), [load]);

  const perform = async (action: Action, member: StaffMember) => {
    setBusy(true);
    setError('');
    try {
      if (action === 'remove') await session.call(`${base}/${member.id}`, { method: 'DELETE' });
      else await session.call(`${base}/${member.id}/${action}`, { method: 'POST', body: {} });
      const done = { deactivate: s.deactivated, reactivate: s.reactivated, remove: s.removed }[action];
      setStatus(done(member.displayName));
      await load();
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'CONFLICT' ? s.selfOrLast : errorText(t, err));
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const ask = (action: Action, member: StaffMember) => setPending({ action, member });

  // hiding is undone with one click: no confirmation needed
  const setHidden = async (member: StaffMember, hidden: boolean) => {
    setBusy(true);
    setError('');
    try {
      await session.call(`/api/admin/staff/${member.id}/team-visibility`, { method: 'POST', body: { hidden } });
      setStatus((hidden ? t.team.admin.hiddenDone : t.team.admin.shownDone)(member.displayName));
      await load();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Layout session={session} title={s.title}>
      <StatusLine text={status} error={error} />
      <InviteForm base={base} session={session} onCreated={(text) => (setStatus(text), void load())} />
      <h2>{s.listHeading}</h2>
      {!list ? (
        <p>{t.common.loading}</p>
      ) : (
        <table class="admin-table">
          <thead>
            <tr>
              <th scope="col">{s.displayName}</th>
              <th scope="col">{s.email}</th>
              <th scope="col">{s.role}</th>
              <th scope="col">{s.status}</th>
              <th scope="col">{s.since}</th>
              <th scope="col">{t.team.title}</th>
              <th scope="col">{s.actions}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.id} data-staff={m.email}>
                <th scope="row">
                  <bdi>{m.displayName}</bdi> {m.id === me && s.you}
                </th>
                <td data-label={s.email}>{m.email}</td>
                <td data-label={s.role}>{s.roles[m.role]}</td>
                <td data-label={s.status} data-status={m.status}>
                  {s.statuses[m.status]}
                </td>
                <td data-label={s.since}>{t.common.dateTime(m.createdAt, zone)}</td>
                <td data-label={t.team.title} data-team={m.teamHidden ? 'hidden' : m.onTeamPage ? 'shown' : 'off'}>
                  {m.role === 'counselor' && <TeamFlags member={m} />}
                </td>
                <td>
                  {m.id !== me && (
                    <div class="admin-actions">
                      {m.status === 'deactivated' ? (
                        <button type="button" class="secondary" aria-label={s.actionOn(s.reactivate, m.displayName)} onClick={() => ask('reactivate', m)}>
                          {s.reactivate}
                        </button>
                      ) : (
                        <button type="button" class="secondary" aria-label={s.actionOn(s.deactivate, m.displayName)} onClick={() => ask('deactivate', m)}>
                          {s.deactivate}
                        </button>
                      )}
                      {m.role === 'counselor' && (
                        <button
                          type="button"
                          class="secondary"
                          disabled={busy}
                          aria-label={(m.teamHidden ? t.team.admin.show : t.team.admin.hide)(m.displayName)}
                          onClick={() => void setHidden(m, !m.teamHidden)}
                        >
                          {m.teamHidden ? t.team.admin.showShort : t.team.admin.hideShort}
                        </button>
                      )}
                      <button type="button" class="danger" aria-label={s.actionOn(s.remove, m.displayName)} onClick={() => ask('remove', m)}>
                        {s.remove}
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pending && (
        <ConfirmDialog
          title={{ deactivate: s.deactivateTitle, reactivate: s.reactivateTitle, remove: s.removeTitle }[pending.action](pending.member.displayName)}
          confirmLabel={{ deactivate: s.deactivate, reactivate: s.reactivate, remove: s.remove }[pending.action]}
          danger={pending.action !== 'reactivate'}
          busy={busy}
          onConfirm={() => void perform(pending.action, pending.member)}
          onClose={() => setPending(null)}
        >
          <p>{{ deactivate: s.deactivateText, reactivate: s.reactivateText, remove: s.removeText }[pending.action]}</p>
        </ConfirmDialog>
      )}
    </Layout>
  );
}

/** What a counselor chose for the team page, and the admin's hide. */
function TeamFlags({ member }: { member: StaffMember }) {
  const { t } = useI18n();
  const a = t.team.admin;
  const parts = [member.teamHidden ? a.hidden : member.onTeamPage ? a.onTeamPage : a.notOnTeamPage, ...(member.crisisContact ? [a.crisisContact] : [])];
  return <>{parts.join(', ')}</>;
}

function InviteForm({ base, session, onCreated }: { base: string; session: PageProps['session']; onCreated: (status: string) => void }) {
  const { t } = useI18n();
  const s = t.admin.staff;
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<StaffRole>('counselor');
  const [errors, setErrors] = useState<{ email?: string; displayName?: string; form?: string }>({});
  const [password, setPassword] = useState<{ email: string; password: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const result = await session.call<CreateResult>(base, { method: 'POST', body: { email: email.trim(), displayName: displayName.trim(), role } });
      if ('password' in result) setPassword({ email: email.trim(), password: result.password });
      onCreated('password' in result ? '' : s.invited(email.trim()));
      setEmail('');
      setDisplayName('');
    } catch (err) {
      const fields = err instanceof ApiError ? (err.fields ?? []) : [];
      if (err instanceof ApiError && err.code === 'CONFLICT') setErrors({ email: s.emailTaken });
      else if (fields.includes('email')) setErrors({ email: s.emailInvalid });
      else if (fields.includes('displayName')) setErrors({ displayName: s.displayNameInvalid });
      else setErrors({ form: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="invite-heading">
      <h2 id="invite-heading">{s.inviteHeading}</h2>
      <p>{s.inviteIntro}</p>
      {password && (
        <div class="admin-password" role="alert" aria-labelledby="password-heading">
          <h3 id="password-heading">{s.passwordHeading}</h3>
          <p>{s.passwordIntro(password.email)}</p>
          <code data-testid="generated-password">{password.password}</code>
          <button type="button" onClick={() => setPassword(null)}>
            {s.passwordDone}
          </button>
        </div>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextField id="invite-email" type="email" label={s.email} value={email} onInput={setEmail} error={errors.email} autoComplete="off" verbatim required />
        <TextField
          id="invite-name"
          label={s.displayName}
          hint={s.displayNameHint}
          value={displayName}
          onInput={setDisplayName}
          error={errors.displayName}
          input={{ maxLength: 120 }}
          required
        />
        <Field id="invite-role" label={s.role}>
          {(a11y) => (
            <select {...a11y} value={role} onChange={(e) => setRole(e.currentTarget.value as StaffRole)}>
              <option value="counselor">{s.roles.counselor}</option>
              <option value="admin">{s.roles.admin}</option>
            </select>
          )}
        </Field>
        <FormError id="invite-form-error" text={errors.form} />
        <button type="submit" disabled={busy}>
          {s.invite}
        </button>
      </form>
    </section>
  );
}
