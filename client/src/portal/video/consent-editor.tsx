import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { api } from '../../lib/api';
import { useStore } from '../../lib/store';
import { Field, StatusLine } from '../form-parts';
import { centerHas } from '../nav';
import type { PortalSession } from '../session';
import { consentApi, codeOf } from './video-session';
import { videoErrorText } from './video-parts';
import { VIDEO_LIMITS, type ConsentView } from './video-types';

/**
 * The admin's consent text for video sessions (a section of the settings page, shown only where
 * the center has video). Saving makes a new version, and the page says that everyone is asked again.
 */
export function VideoConsentEditor({ session, center }: { session: PortalSession; center: string }) {
  const { t } = useI18n();
  const a = t.video.admin;
  const info = useStore(session).info;
  const on = centerHas(info, 'video');
  const [current, setCurrent] = useState<ConsentView | null>(null);
  const [text, setText] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (!on) return;
    consentApi
      .load((path) => api(path), center)
      .then(
        (c) => {
          setCurrent(c);
          setText(c.text);
        },
        (err) => setError(videoErrorText(t, codeOf(err))),
      );
  }, [on, center, t]);
  if (!on) return null;

  const save = async (e: Event) => {
    e.preventDefault();
    setStatus('');
    setError('');
    if (current && text === current.text) {
      setStatus(a.unchanged);
      return;
    }
    setBusy(true);
    const out = await consentApi.save((path, init) => session.call(path, init), text);
    setBusy(false);
    if (out.ok) {
      setCurrent({ version: out.value, text });
      setStatus(a.saved(out.value));
    } else if (out.fields.includes('text')) {
      setFieldError(text.trim() ? a.textInvalid : a.textMissing);
      area.current?.focus();
    } else setError(videoErrorText(t, out.code));
  };

  return (
    <section class="video-consent-editor" aria-labelledby="video-consent-editor-heading">
      <h2 id="video-consent-editor-heading">{a.heading}</h2>
      <p class="hint">{a.intro}</p>
      {current && <p data-consent-version={current.version}>{a.current(current.version)}</p>}
      <form class="admin-form" onSubmit={(e) => void save(e)} noValidate>
        <Field id="video-consent-text-edit" label={a.label} error={fieldError} required>
          {(a11y) => (
            <textarea
              {...a11y}
              ref={area}
              rows={14}
              dir="auto"
              maxLength={VIDEO_LIMITS.consentMax}
              value={text}
              disabled={!current}
              onInput={(e) => {
                setText(e.currentTarget.value);
                setFieldError('');
              }}
            />
          )}
        </Field>
        <button type="submit" disabled={busy || !current}>
          {a.save}
        </button>
      </form>
      <StatusLine text={status} error={error} />
    </section>
  );
}
