import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useStore } from '../../lib/store';
import { Checkbox, FormError, TextField } from '../form-parts';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { ConsentText, JoinedLink, openRoom, VideoGate, videoErrorText } from './video-parts';
import { GuestInvite, tokenFromHash } from './video-session';
import { VIDEO_LIMITS } from './video-types';

/**
 * `/c/:center/video-invite#<token>`: a guest without an account. The token is read from the
 * fragment (browsers never send it to a server) and goes only to the two invite routes. Shows the
 * center, the counselor's name and the consent text in full; asks for a name and the confirmation.
 */
export function VideoInvitePage({ session }: PageProps) {
  const { t } = useI18n();
  const g = t.video.guest;
  // a new link pasted into this tab changes only the fragment: no page load, so listen for it
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  const guest = useMemo(() => new GuestInvite(tokenFromHash(hash), (path, init) => api(path, init)), [hash]);
  const state = useStore(guest);
  const [name, setName] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [errors, setErrors] = useState<{ displayName?: string; consentVersion?: string }>({});
  const [formError, setFormError] = useState('');
  const [changed, setChanged] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);
  useEffect(() => {
    // another link: nothing of the last one's answer stays
    setLink(null);
    setChanged(false);
    setFormError('');
  }, [hash]);
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const join = async (e: Event) => {
    e.preventDefault();
    setFormError('');
    setBusy(true);
    const out = await guest.join(name, confirmed);
    setBusy(false);
    if (out.kind === 'open') {
      setErrors({});
      setLink(out.link);
      openRoom(out.link);
      focusNext.current = 'video-joined';
    } else if (out.kind === 'invalid') {
      const next = {
        ...(out.fields.includes('displayName') ? { displayName: name.trim() ? g.nameInvalid(VIDEO_LIMITS.displayNameMax) : g.nameMissing } : {}),
        ...(out.fields.includes('consentVersion') ? { consentVersion: t.video.consent.mustConfirm } : {}),
      };
      setErrors(next);
      setFormError(Object.keys(next).length ? g.formError : t.errors.VALIDATION_FAILED);
      focusNext.current = next.displayName ? 'video-guest-name' : 'video-guest-confirm';
    } else if (out.kind === 'consent') {
      setChanged(true);
      setConfirmed(false);
      focusNext.current = 'video-consent-heading';
    } else setFormError(out.code === 'CONFLICT' ? t.video.away : videoErrorText(t, out.code));
  };

  const invite = state.invite;
  return (
    <VideoGate session={session} title={g.title}>
      <Layout session={session} title={g.title}>
        {state.loading && !invite && <p role="status">{g.loading}</p>}
        {!state.loading && !invite && (
          <p class="error" role="alert">
            {state.error === 'NOT_FOUND' ? g.invalid : videoErrorText(t, state.error ?? 'INTERNAL')}
          </p>
        )}
        {invite && (
          <>
            <p class="video-invited" dir="auto">
              {g.invitedBy(invite.counselor.displayName, invite.center.name)}
            </p>
            <p class="hint">{t.video.privacy}</p>
            <section class="video-consent" aria-labelledby="video-consent-heading">
              <h2 id="video-consent-heading" tabIndex={-1}>
                {t.video.consent.heading}
              </h2>
              {changed && <p class="notice">{t.video.consent.changed}</p>}
              <p>{t.video.consent.intro}</p>
              <ConsentText consent={invite.consent} id="video-consent-text" />
            </section>
            {link ? (
              <JoinedLink link={link} id="video-joined" waits />
            ) : (
              <form class="video-form" onSubmit={(e) => void join(e)} noValidate>
                <TextField
                  id="video-guest-name"
                  label={g.name}
                  hint={g.nameHint}
                  value={name}
                  error={errors.displayName}
                  required
                  autoComplete="name"
                  input={{ maxLength: VIDEO_LIMITS.displayNameMax }}
                  onInput={(v) => {
                    setName(v);
                    setErrors({ ...errors, displayName: undefined });
                  }}
                />
                <Checkbox
                  id="video-guest-confirm"
                  label={t.video.consent.confirm}
                  checked={confirmed}
                  onChange={(on) => {
                    setConfirmed(on);
                    setErrors({ ...errors, consentVersion: undefined });
                  }}
                />
                {errors.consentVersion && <p class="error">{errors.consentVersion}</p>}
                <button type="submit" disabled={busy}>
                  {g.join}
                </button>
                <FormError id="video-guest-error" text={formError} />
              </form>
            )}
          </>
        )}
      </Layout>
    </VideoGate>
  );
}
