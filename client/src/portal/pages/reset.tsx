import { useEffect, useState } from 'preact/hooks';
import type { LoginResult } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { localPasswordProblem, refusedPasswordText } from '../auth-parts';
import { errorText, FieldErrors, focusFirst, FormError, isApiError, PasswordField, refusedFields, TextField } from '../form-parts';
import { Layout } from '../layout';
import { homePath } from '../nav';
import type { PageProps } from '../page';
import '../auth.css';

/** The token of a reset link (`#token=…`), read once and removed from the address bar and history. */
function takeToken(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : token ? '' : null;
}

/**
 * `/c/:center/reset`: without a token, the request for a link (saying plainly that an account
 * without a confirmed email cannot be reset); with `#token=` from the mail, the new password.
 */
export function ResetPage({ session, center }: PageProps) {
  // '' = a link that cannot be one (shown as invalid); null = no link: the request form
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => setToken(takeToken()), []);
  if (token === undefined) return null;
  return token === null ? (
    <RequestForm session={session} center={center} />
  ) : (
    <NewPasswordForm session={session} center={center} token={token} onRequestNew={() => setToken(null)} />
  );
}

function RequestForm({ session, center }: PageProps) {
  const { t } = useI18n();
  const [login, setLogin] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const base = `/c/${encodeURIComponent(center)}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    setSent(false);
    if (login.trim() === '') {
      setError(t.auth.errLoginRequired);
      return focusFirst({ login: 'x' }, ['login']);
    }
    setError(undefined);
    setBusy(true);
    try {
      await api('/api/auth/password-reset', { method: 'POST', body: { center, login: login.trim() } });
      setSent(true);
    } catch (err) {
      setFormError(errorText(t, err));
    }
    setBusy(false);
  };

  return (
    <Layout session={session} title={t.auth.resetTitle}>
      <p>{t.auth.resetIntro}</p>
      <p class="warning">{t.auth.resetNoEmail}</p>
      <form class="auth-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField id="login" label={t.auth.loginLabel} value={login} onInput={setLogin} error={error} autoComplete="username" verbatim required />
        <FormError id="reset-form-error" text={formError} />
        <div class="actions">
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t.auth.sending : t.auth.resetSubmit}
          </button>
        </div>
      </form>
      <p role="status" class={sent ? 'notice' : undefined}>
        {sent ? t.auth.resetSent : ''}
      </p>
      <ul class="more-links">
        <li>
          <a href={`${base}/login`}>{t.auth.loginLink}</a>
        </li>
        <li>
          {t.auth.noAccount} <a href={`${base}/register`}>{t.auth.registerLink}</a>
        </li>
      </ul>
    </Layout>
  );
}

function NewPasswordForm({ session, center, token, onRequestNew }: PageProps & { token: string; onRequestNew: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(token === '');
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const local = localPasswordProblem(t, password);
    setErrors(local ? { password: local } : {});
    if (local) return focusFirst({ password: local }, ['password']);
    setBusy(true);
    try {
      const result = await api<LoginResult>('/api/auth/password-reset/confirm', { method: 'POST', body: { center, token, password } });
      session.signedIn(result);
      setDone(homePath(center, result.account.role));
    } catch (err) {
      if (isApiError(err, 'NOT_FOUND')) setInvalid(true);
      else if (refusedFields(err).includes('password')) {
        setErrors({ password: refusedPasswordText(t, password) });
        focusFirst({ password: 'x' }, ['password']);
      } else setFormError(errorText(t, err));
    }
    setBusy(false);
  };

  if (invalid)
    return (
      <Layout session={session} title={t.auth.newPasswordTitle}>
        <p class="warning" role="alert">
          {t.auth.resetLinkInvalid}
        </p>
        <p>
          <button type="button" onClick={onRequestNew}>
            {t.auth.requestNew}
          </button>
        </p>
      </Layout>
    );

  if (done)
    return (
      <Layout session={session} title={t.auth.newPasswordTitle}>
        <p class="notice" role="status">
          {t.auth.resetDone}
        </p>
        <p>
          <a href={done}>{t.auth.toHome}</a>
        </p>
      </Layout>
    );

  return (
    <Layout session={session} title={t.auth.newPasswordTitle}>
      <p>{t.auth.newPasswordIntro}</p>
      <form class="auth-form" onSubmit={(e) => void submit(e)} noValidate>
        <PasswordField
          id="password"
          toggleId="reset-show"
          label={t.auth.newPasswordLabel}
          hint={t.auth.passwordHint}
          value={password}
          onInput={setPassword}
          error={errors.password}
          autoComplete="new-password"
          required
        />
        <FormError id="new-password-form-error" text={formError} />
        <div class="actions">
          <button type="submit" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t.auth.sending : t.auth.newPasswordSubmit}
          </button>
        </div>
      </form>
    </Layout>
  );
}
