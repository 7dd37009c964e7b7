import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { TEAM_LIMITS, type StaffProfileView } from '../../../../src/realtime/contract';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import { Checkbox, errorText, Field, StatusLine, TextField } from '../form-parts';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import type { PortalSession } from '../session';
import '../team/team.css';
import './admin.css';

type FieldKey = 'displayName' | 'teamText';

/** A picture the browser may show under the CSP (img-src 'self' data:): the own picture as a data URL. */
function asDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => (typeof reader.result === 'string' ? resolve(reader.result) : reject(new Error('unreadable')));
    reader.onerror = () => reject(new Error('unreadable'));
    reader.readAsDataURL(blob);
  });
}

/** `/c/:center/app/profile`: a counselor's name, team text, team page and crisis switches, and picture. */
export function ProfilePage({ session, center }: PageProps) {
  const { t } = useI18n();
  const p = t.team.profile;
  const [profile, setProfile] = useState<StaffProfileView | null>(null);
  const [displayName, setDisplayName] = useState('');
  const [teamText, setTeamText] = useState('');
  const [onTeamPage, setOnTeamPage] = useState(false);
  const [crisisContact, setCrisisContact] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const fill = useCallback((v: StaffProfileView) => {
    setProfile(v);
    setDisplayName(v.displayName);
    setTeamText(v.teamText);
    setOnTeamPage(v.onTeamPage);
    setCrisisContact(v.crisisContact);
  }, []);
  const load = useCallback(async () => fill(await session.call<StaffProfileView>('/api/accounts/me/profile')), [session, fill]);
  useEffect(() => {
    load().catch((err: unknown) => setError(errorText(t, err)));
  }, [load, t]);

  const save = async (e: Event) => {
    e.preventDefault();
    setStatus('');
    setError('');
    const errs: Partial<Record<FieldKey, string>> = {};
    if (!displayName.trim() || displayName.trim().length > TEAM_LIMITS.displayNameMax) errs.displayName = p.errors.displayName;
    if (teamText.length > TEAM_LIMITS.textMax) errs.teamText = p.errors.teamText(TEAM_LIMITS.textMax);
    setErrors(errs);
    const first = (['displayName', 'teamText'] as FieldKey[]).find((f) => errs[f]);
    if (first) {
      focusNext.current = `profile-${first}`;
      return;
    }
    setBusy(true);
    try {
      const body = profile?.role === 'admin' ? { displayName } : { displayName, teamText, onTeamPage, crisisContact };
      await session.call('/api/accounts/me', { method: 'PATCH', body });
      await load();
      void session.verify();
      setStatus(p.saved);
    } catch (err) {
      const fields = err instanceof ApiError && err.code === 'VALIDATION_FAILED' ? (err.fields ?? []) : [];
      if (fields.includes('displayName')) {
        setErrors({ displayName: p.errors.displayName });
        focusNext.current = 'profile-displayName';
      } else if (fields.includes('teamText')) {
        setErrors({ teamText: p.errors.teamText(TEAM_LIMITS.textMax) });
        focusNext.current = 'profile-teamText';
      } else setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const counselor = profile?.role === 'counselor';
  return (
    <Layout session={session} title={p.title}>
      <p>{p.intro}</p>
      <StatusLine text={status} error={error} />
      {!profile ? (
        !error && <p>{t.common.loading}</p>
      ) : (
        <>
          {counselor && (
            <p class="notice" data-shown={profile.shown ? 'yes' : 'no'}>
              {profile.teamHidden ? p.hiddenByAdmin : profile.shown ? p.shown : p.notShown} <a href={`/c/${encodeURIComponent(center)}/team`}>{p.viewTeam}</a>
            </p>
          )}
          <form class="admin-form profile-form" onSubmit={(e) => void save(e)} noValidate>
            <fieldset>
              <legend>{p.detailsLegend}</legend>
              <TextField
                id="profile-displayName"
                label={p.displayName}
                hint={p.displayNameHint}
                value={displayName}
                onInput={setDisplayName}
                error={errors.displayName}
                input={{ maxLength: TEAM_LIMITS.displayNameMax, autoComplete: 'name' }}
                required
              />
              {counselor && (
                <>
                  <Field id="profile-teamText" label={p.teamText} hint={p.teamTextHint(TEAM_LIMITS.textMax)} error={errors.teamText}>
                    {(aria) => (
                      <textarea
                        rows={6}
                        dir="auto"
                        maxLength={TEAM_LIMITS.textMax}
                        value={teamText}
                        onInput={(e) => setTeamText(e.currentTarget.value)}
                        {...aria}
                      />
                    )}
                  </Field>
                  <Checkbox id="profile-onTeamPage" label={p.onTeamPage} checked={onTeamPage} onChange={setOnTeamPage} />
                </>
              )}
            </fieldset>
            {counselor && (
              <fieldset>
                <legend>{p.crisisLegend}</legend>
                <p class="hint" id="profile-crisis-hint">
                  {p.crisisHint}
                </p>
                <Checkbox id="profile-crisisContact" label={p.crisisContact} checked={crisisContact} onChange={setCrisisContact} />
              </fieldset>
            )}
            <button type="submit" disabled={busy}>
              {p.save}
            </button>
          </form>
          {counselor && <PictureForm session={session} profile={profile} onChanged={load} />}
        </>
      )}
    </Layout>
  );
}

/** The picture: preview (the own picture, shown or not), upload, removal; each result announced. */
function PictureForm({ session, profile, onChanged }: { session: PortalSession; profile: StaffProfileView; onChanged: () => Promise<void> }) {
  const { t } = useI18n();
  const p = t.team.profile;
  const [preview, setPreview] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let gone = false;
    if (!profile.pictureUrl) {
      setPreview(null);
      return;
    }
    session
      .download('/api/accounts/me/picture')
      .then(asDataUrl)
      .then(
        (url) => !gone && setPreview(url),
        () => !gone && setPreview(null),
      );
    return () => {
      gone = true;
    };
  }, [session, profile.pictureUrl]);

  const upload = async (e: Event) => {
    e.preventDefault();
    setStatus('');
    setError('');
    if (!file) {
      setError(p.pictureChoose);
      input.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await session.upload('/api/accounts/me/picture', file, file.name, 'PUT');
      setFile(null);
      if (input.current) input.current.value = '';
      await onChanged();
      setStatus(p.pictureUploaded);
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      setError(code === 'UNSUPPORTED_MEDIA_TYPE' ? p.pictureWrongType : code === 'PAYLOAD_TOO_LARGE' ? p.pictureTooLarge : errorText(t, err));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setStatus('');
    setError('');
    setBusy(true);
    try {
      await session.call('/api/accounts/me/picture', { method: 'DELETE' });
      await onChanged();
      setStatus(p.pictureRemoved);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="profile-picture-heading">
      <h2 id="profile-picture-heading">{p.pictureLegend}</h2>
      <StatusLine text={status} error={error} />
      <div class="profile-picture">
        {preview ? <img class="team-photo" src={preview} alt={p.pictureAlt(profile.displayName)} width={512} height={512} /> : <p>{p.pictureNone}</p>}
        <form class="admin-form" onSubmit={(e) => void upload(e)} noValidate>
          <Field id="profile-picture-file" label={p.pictureFile} hint={p.pictureHint}>
            {(aria) => <input ref={input} type="file" accept="image/png,image/jpeg" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} {...aria} />}
          </Field>
          <button type="submit" disabled={busy}>
            {p.pictureUpload}
          </button>{' '}
          {profile.pictureUrl && (
            <button type="button" class="secondary" disabled={busy} onClick={() => void remove()}>
              {p.pictureRemove}
            </button>
          )}
        </form>
      </div>
    </section>
  );
}
