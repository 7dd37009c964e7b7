import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { useI18n } from '../../i18n';
import { useStore } from '../../lib/store';
import { localPasswordProblem, refusedPasswordText } from '../auth-parts';
import { errorText, FieldErrors, focusFirst, FormError, isApiError, PasswordField, refusedFields, TextField } from '../form-parts';
import { Layout } from '../layout';
import { homePath } from '../nav';
import type { PageProps } from '../page';

// the server's rule (USERNAME_RE), checked here first to say what is wrong before sending
const USERNAME_RE = /^[\p{L}\p{N}._-]{3,40}$/u;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const ORDER = ['username', 'password', 'email'];

/**
 * `/c/:center/register`: a pseudonym and a password; an email only if wanted, clearly optional.
 * Before sending, the page says plainly that without a confirmed email a forgotten password cannot
 * be reset. The server's refusals are sentences next to their fields.
 */
export function RegisterPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const state = useStore(session);
  const { route } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/c/${encodeURIComponent(center)}`;

  const check = (): FieldErrors => {
    const found: FieldErrors = {};
    const name = username.trim();
    if (name === '') found.username = t.auth.errUsernameRequired;
    else if (!USERNAME_RE.test(name)) found.username = t.auth.errUsernameFormat;
    const pw = localPasswordProblem(t, password);
    if (pw) found.password = pw;
    if (email.trim() !== '' && !EMAIL_RE.test(email.trim())) found.email = t.auth.errEmail;
    return found;
  };

  const fromServer = (err: unknown): FieldErrors => {
    if (isApiError(err, 'CONFLICT')) return { username: t.auth.errUsernameTaken };
    const fields = refusedFields(err);
    const found: FieldErrors = {};
    if (fields.includes('username')) found.username = USERNAME_RE.test(username.trim()) ? t.auth.errUsernameRefused : t.auth.errUsernameFormat;
    if (fields.includes('password')) found.password = refusedPasswordText(t, password);
    if (fields.includes('email')) found.email = t.auth.errEmail;
    return found;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const found = check();
    setErrors(found);
    if (Object.keys(found).length > 0) return focusFirst(found, ORDER);
    setBusy(true);
    try {
      const address = email.trim();
      const account = await session.register(username.trim(), password, address || undefined);
      const home = homePath(center, account.role);
      if (address) session.notify({ key: 'confirmEmailSent', path: home });
      route(home);
    } catch (err) {
      const byField = fromServer(err);
      setErrors(byField);
      if (Object.keys(byField).length > 0) focusFirst(byField, ORDER);
      else setFormError(errorText(t, err));
      setBusy(false);
    }
  };

  if (state.auth && !busy)
    return (
      <Layout session={session} title={t.auth.registerTitle}>
        <p>{t.auth.signedInAs(state.auth.account.displayName)}</p>
        <p>
          <a href={homePath(center, state.auth.account.role)}>{t.auth.toHome}</a>
        </p>
      </Layout>
    );

  return (
    <Layout session={session} title={t.auth.registerTitle}>
      <p>{t.auth.registerIntro}</p>
      <form class="auth-form" onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          id="username"
          verbatim
          label={t.auth.usernameLabel}
          marker={t.common.required}
          hint={t.auth.usernameHint}
          value={username}
          onInput={setUsername}
          error={errors.username}
          autoComplete="username"
          required
        />
        <PasswordField
          id="password"
          toggleId="register-show"
          label={t.auth.passwordLabel}
          marker={t.common.required}
          hint={t.auth.passwordHint}
          value={password}
          onInput={setPassword}
          error={errors.password}
          autoComplete="new-password"
          required
        />
        <TextField
          id="email"
          verbatim
          label={t.auth.emailLabel}
          marker={t.common.optional}
          hint={t.auth.emailHint}
          type="email"
          value={email}
          onInput={setEmail}
          error={errors.email}
          autoComplete="email"
        />
        <p class="warning" id="no-reset-warning">
          {t.auth.noResetWarning}
        </p>
        <FormError id="register-form-error" text={formError} />
        <div class="actions">
          <button type="submit" aria-disabled={busy ? 'true' : undefined} aria-describedby="no-reset-warning">
            {busy ? t.auth.sending : t.auth.registerSubmit}
          </button>
        </div>
      </form>
      <ul class="more-links">
        <li>
          {t.auth.haveAccount} <a href={`${base}/login`}>{t.auth.loginLink}</a>
        </li>
      </ul>
    </Layout>
  );
}
