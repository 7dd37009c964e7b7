import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { localPasswordProblem, refusedPasswordText } from '../auth-parts';
import { ConfirmDialog, errorText, FieldErrors, focusFirst, FormError, isApiError, PasswordField, refusedFields } from '../form-parts';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import '../auth.css';

/** `/c/:center/app/account`: who is signed in, password change, logout and deleting the account (clients and staff). */
export function AccountPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const state = useStore(session);
  const { route } = useLocation();
  const account = state.auth?.account;
  const base = `/c/${encodeURIComponent(center)}`;
  if (!account) return null;

  const logout = () => {
    const done = session.logout();
    session.notify({ key: 'loggedOut', path: `${base}/login` });
    route(`${base}/login`);
    return done;
  };

  return (
    <Layout session={session} title={t.account.title}>
      <section class="account-section" aria-labelledby="details-heading">
        <h2 id="details-heading">{t.account.detailsHeading}</h2>
        <dl class="account-details">
          <dt>{t.account.nameLabel}</dt>
          <dd dir="auto">{account.displayName}</dd>
          <dt>{t.account.roleLabel}</dt>
          <dd>{t.common.roles[account.role]}</dd>
        </dl>
      </section>
      <ChangePassword session={session} center={center} />
      <section class="account-section" aria-labelledby="logout-heading">
        <h2 id="logout-heading">{t.account.logoutHeading}</h2>
        <p>{t.account.logoutIntro}</p>
        <button type="button" class="secondary" onClick={() => void logout()}>
          {t.common.logout}
        </button>
      </section>
      <section class="account-section" aria-labelledby="delete-heading">
        <h2 id="delete-heading">{t.account.deleteHeading}</h2>
        <DeleteAccount
          session={session}
          center={center}
          staff={account.role !== 'client'}
          onDeleted={() => {
            session.notify({ key: account.role === 'client' ? 'accountDeleted' : 'staffAccountDeleted', path: base });
            session.forget(false);
            route(base);
          }}
        />
      </section>
    </Layout>
  );
}

function ChangePassword({ session }: PageProps) {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    setDone(false);
    const found: FieldErrors = {};
    if (current === '') found.currentPassword = t.auth.errPasswordRequired;
    const problem = localPasswordProblem(t, next);
    if (problem) found.newPassword = problem;
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirst(found, ['currentPassword', 'newPassword']);
    setBusy(true);
    try {
      await session.call('/api/auth/password', { method: 'POST', body: { currentPassword: current, newPassword: next } });
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (err) {
      const byField: FieldErrors = isApiError(err, 'FORBIDDEN')
        ? { currentPassword: t.account.errCurrentWrong }
        : refusedFields(err).includes('newPassword')
          ? { newPassword: refusedPasswordText(t, next) }
          : {};
      setErrors(byField);
      if (Object.keys(byField).length > 0) focusFirst(byField, ['currentPassword', 'newPassword']);
      else setFormError(errorText(t, err));
    }
    setBusy(false);
  };

  return (
    <section class="account-section" aria-labelledby="password-heading">
      <h2 id="password-heading">{t.account.passwordHeading}</h2>
      <p id="password-intro">{t.account.passwordIntro}</p>
      <form class="auth-form" onSubmit={(e) => void submit(e)} noValidate aria-describedby="password-intro">
        <PasswordField
          id="currentPassword"
          label={t.account.currentPasswordLabel}
          value={current}
          onInput={setCurrent}
          error={errors.currentPassword}
          autoComplete="current-password"
          required
        />
        <PasswordField
          id="newPassword"
          label={t.account.newPasswordLabel}
          hint={t.auth.passwordHint}
          value={next}
          onInput={setNext}
          error={errors.newPassword}
          autoComplete="new-password"
          required
        />
        <FormError id="password-form-error" text={formError} />
        <div class="actions">
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t.auth.sending : t.account.changePassword}
          </button>
        </div>
      </form>
      <p role="status" class={done ? 'notice' : undefined}>
        {done ? t.account.passwordChanged : ''}
      </p>
    </section>
  );
}

/**
 * The deletion, behind a modal <dialog> (focus kept inside, Esc cancels, focus back on the opener).
 * Staff read what goes and what stays with the center; the last active admin is told why not.
 */
function DeleteAccount({ session, staff, onDeleted }: PageProps & { staff: boolean; onDeleted: () => void }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const open = () => {
    setPassword('');
    setError(undefined);
    setFormError(null);
    setAsking(true);
  };

  const submit = async () => {
    if (busy) return;
    setFormError(null);
    if (password === '') {
      setError(t.auth.errPasswordRequired);
      return document.getElementById('delete-password')?.focus();
    }
    setBusy(true);
    try {
      await session.call('/api/accounts/me', { method: 'DELETE', body: { password } });
      setAsking(false);
      onDeleted();
    } catch (err) {
      if (isApiError(err, 'FORBIDDEN')) {
        setError(t.account.errPasswordWrong);
        document.getElementById('delete-password')?.focus();
      } else setFormError(staff && isApiError(err, 'CONFLICT') ? t.account.errLastAdmin : errorText(t, err));
      setBusy(false);
    }
  };

  return (
    <>
      <p>{staff ? t.account.deleteIntroStaff : t.account.deleteIntro}</p>
      <button type="button" id="delete-open" class="danger" onClick={open}>
        {t.account.deleteOpen}
      </button>
      {asking && (
        <ConfirmDialog
          id="delete"
          title={t.account.dialogTitle}
          confirmLabel={t.account.dialogConfirm}
          busy={busy}
          busyLabel={t.auth.sending}
          focusId="delete-password"
          onConfirm={() => void submit()}
          onClose={() => setAsking(false)}
          fields={
            <>
              <PasswordField
                id="delete-password"
                label={t.account.dialogPasswordLabel}
                value={password}
                onInput={setPassword}
                error={error}
                autoComplete="current-password"
                required
              />
              <FormError id="delete-form-error" text={formError} />
            </>
          }
        >
          <p>{t.account.dialogWhat}</p>
          <ul>
            {(staff ? t.account.staffDialogItems : t.account.dialogItems).map((item) => (
              <li key={item}>{item}</li>
            ))}
          </ul>
          {staff && <p>{t.account.staffDialogStays}</p>}
          <p>
            <strong>{staff ? t.account.staffDialogIrreversible : t.account.dialogIrreversible}</strong>
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
