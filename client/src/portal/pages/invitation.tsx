import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { LoginResult } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { api, ApiError } from '../../lib/api';
import { Layout } from '../layout';
import { homePath } from '../nav';
import type { PageProps } from '../page';
import { errorText, FormError, PasswordField } from '../form-parts';
import './admin.css';

/** Reads `#token=…` once and removes it from the address bar (and so from the history). */
function takeToken(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return token;
}

/** `/c/:center/invitation#token=…`: an invited staff member sets a password and is signed in. */
export function InvitationPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const { route } = useLocation();
  const i = t.admin.invitation;
  const [token] = useState(takeToken);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [show, setShow] = useState(false);
  const [errors, setErrors] = useState<{ password?: string; repeat?: string; form?: string }>({});
  const [invalid, setInvalid] = useState(!token);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!token) setInvalid(true);
  }, [token]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== repeat) {
      setErrors({ repeat: i.mismatch });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const result = await api<LoginResult>('/api/auth/invitation', { method: 'POST', body: { center, token, password } });
      session.signedIn(result);
      // staff stay connected: a deactivation ends this page's session at once
      session.socket();
      route(homePath(center, result.account.role));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'NOT_FOUND') setInvalid(true);
      else if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') setErrors({ password: i.weak });
      else setErrors({ form: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Layout session={session} title={i.title}>
      {invalid ? (
        <p class="error" role="alert">
          {i.invalid}
        </p>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <p>{i.intro}</p>
          <PasswordField
            id="invitation-password"
            label={i.password}
            hint={i.policy}
            value={password}
            onInput={setPassword}
            error={errors.password}
            autoComplete="new-password"
            shown={show}
            required
          />
          <PasswordField
            id="invitation-repeat"
            toggleId="invitation-show"
            label={i.repeat}
            value={repeat}
            onInput={setRepeat}
            error={errors.repeat}
            autoComplete="new-password"
            shown={show}
            onShownChange={setShow}
            required
          />
          <FormError id="invitation-form-error" text={errors.form} />
          <button type="submit" disabled={busy}>
            {busy ? i.working : i.submit}
          </button>
        </form>
      )}
    </Layout>
  );
}
