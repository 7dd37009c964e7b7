import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { errorText, FieldErrors, focusFirst, FormError, isApiError, PasswordField, TextField } from '../form-parts';
import { Layout } from '../layout';
import { homePath } from '../nav';
import { safeNext } from '../next-path';
import type { PageProps } from '../page';
import '../auth.css';

/** `/c/:center/login`: one form for every role (a client's pseudonym or a staff email); `?next=` leads back. */
export function LoginPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const state = useStore(session);
  const { route, query } = useLocation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/c/${encodeURIComponent(center)}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const found: FieldErrors = {};
    if (login.trim() === '') found.login = t.auth.errLoginRequired;
    if (password === '') found.password = t.auth.errPasswordRequired;
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirst(found, ['login', 'password']);
    setBusy(true);
    try {
      const account = await session.login(login.trim(), password);
      route(safeNext(query.next, center, location.origin) ?? homePath(center, account.role));
    } catch (err) {
      setFormError(isApiError(err, 'UNAUTHORIZED') ? t.auth.loginFailed : errorText(t, err));
      setBusy(false);
    }
  };

  if (state.auth && !busy)
    return (
      <Layout session={session} title={t.auth.loginTitle}>
        <p>{t.auth.signedInAs(state.auth.account.displayName)}</p>
        <p>
          <a href={homePath(center, state.auth.account.role)}>{t.auth.toHome}</a>
        </p>
      </Layout>
    );

  return (
    <Layout session={session} title={t.auth.loginTitle}>
      <p>{t.auth.loginIntro}</p>
      <form class="auth-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField id="login" label={t.auth.loginLabel} value={login} onInput={setLogin} error={errors.login} autoComplete="username" verbatim required />
        <PasswordField
          id="password"
          toggleId="login-show"
          label={t.auth.passwordLabel}
          value={password}
          onInput={setPassword}
          error={errors.password}
          autoComplete="current-password"
          required
        />
        <FormError id="login-form-error" text={formError} />
        <div class="actions">
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t.auth.sending : t.auth.loginSubmit}
          </button>
        </div>
      </form>
      <ul class="more-links">
        <li>
          <a href={`${base}/reset`}>{t.auth.forgotLink}</a>
        </li>
        <li>
          {t.auth.noAccount} <a href={`${base}/register`}>{t.auth.registerLink}</a>
        </li>
      </ul>
    </Layout>
  );
}
