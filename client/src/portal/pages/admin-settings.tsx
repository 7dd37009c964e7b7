import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Messages } from '../../i18n';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';
import { Layout } from '../layout';
import type { PageProps } from '../page';
import { Checkbox, errorText, Field, StatusLine } from '../form-parts';
import { RetentionList } from './admin-retention';
import { VideoConsentEditor } from '../video/consent-editor';
import './admin.css';

interface Hours {
  day: number;
  from: string;
  to: string;
}
interface Settings {
  name: string;
  imprintUrl: string | null;
  privacyUrl: string | null;
  timeZone: string;
  liveWaitingLimit: number;
  liveMaxWaitMinutes: number;
  shiftGraceSeconds: number;
  liveHandover: 'handover' | 'end';
  liveBlockHours: number;
  liveWaitingPerAddress: number;
  quickExitUrl: string;
  openingHours: Hours[];
  privacyText: string | null;
  emergencyText: string | null;
  keepLiveTranscripts: boolean;
  keepTopicTranscripts: boolean;
  transcriptRetentionDays: number;
  widgetOrigins: string[];
  /** Mail counseling (issue 12): present once the server has them. */
  documentMaxBytes?: number;
  documentDailyQuota?: number;
  documentDailyBytes?: number;
  threadRetentionDays?: number;
  unconfirmedRegistrationDays?: number;
  unusedAccountDays?: number;
}

/** The form's state: numbers and lists as the person types them. */
type Form = Omit<Settings, NumberKey | 'widgetOrigins' | 'imprintUrl' | 'privacyUrl' | 'privacyText' | 'emergencyText'> &
  Record<NumberKey, string> & { widgetOrigins: string; imprintUrl: string; privacyUrl: string; privacyText: string; emergencyText: string };

const NUMBERS = {
  liveWaitingLimit: [0, 500],
  liveMaxWaitMinutes: [1, 240],
  shiftGraceSeconds: [5, 3600],
  liveBlockHours: [1, 720],
  liveWaitingPerAddress: [1, 20],
  transcriptRetentionDays: [1, 3650],
} as const;
type NumberKey = keyof typeof NUMBERS;

/** Settings of mail counseling: shown only when the server sends them. the byte limits are edited in MB. */
const EXTRA = {
  documentMaxBytes: [1, 100],
  documentDailyQuota: [1, 1000],
  documentDailyBytes: [1, 1024],
  threadRetentionDays: [1, 3650],
  unconfirmedRegistrationDays: [1, 365],
  unusedAccountDays: [7, 3650],
} as const;
type ExtraKey = keyof typeof EXTRA;
const EXTRA_KEYS = Object.keys(EXTRA) as ExtraKey[];
const MB = 1024 * 1024;
const isBytes = (k: ExtraKey) => k === 'documentMaxBytes' || k === 'documentDailyBytes';

function toExtra(s: Settings): Partial<Record<ExtraKey, string>> {
  const out: Partial<Record<ExtraKey, string>> = {};
  for (const k of EXTRA_KEYS) {
    const v = s[k];
    if (typeof v === 'number') out[k] = String(isBytes(k) ? Math.round((v / MB) * 10) / 10 : v);
  }
  return out;
}

function extraBody(extra: Partial<Record<ExtraKey, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of EXTRA_KEYS) {
    const v = extra[k]?.trim();
    if (v === undefined) continue;
    const n = /^\d+([.,]\d+)?$/.test(v) ? Number(v.replace(',', '.')) : null;
    out[k] = n === null ? (v === '' ? null : v) : isBytes(k) ? Math.round(n * MB) : n;
  }
  return out;
}
const NUMBER_KEYS = Object.keys(NUMBERS) as NumberKey[];

function toForm(s: Settings): Form {
  const numbers = Object.fromEntries(NUMBER_KEYS.map((k) => [k, String(s[k])])) as Record<NumberKey, string>;
  return {
    ...s,
    ...numbers,
    imprintUrl: s.imprintUrl ?? '',
    privacyUrl: s.privacyUrl ?? '',
    privacyText: s.privacyText ?? '',
    emergencyText: s.emergencyText ?? '',
    widgetOrigins: s.widgetOrigins.join('\n'),
  };
}

function toBody(f: Form): Record<string, unknown> {
  // a number that is not one goes as typed: the server names the field
  const number = (v: string) => (/^-?\d+$/.test(v.trim()) ? Number(v) : v.trim() === '' ? null : v);
  return {
    name: f.name,
    imprintUrl: f.imprintUrl.trim() || null,
    privacyUrl: f.privacyUrl.trim() || null,
    timeZone: f.timeZone.trim(),
    ...Object.fromEntries(NUMBER_KEYS.map((k) => [k, number(f[k])])),
    liveHandover: f.liveHandover,
    quickExitUrl: f.quickExitUrl.trim(),
    openingHours: f.openingHours,
    privacyText: f.privacyText.trim() ? f.privacyText : null,
    emergencyText: f.emergencyText.trim() ? f.emergencyText : null,
    keepLiveTranscripts: f.keepLiveTranscripts,
    keepTopicTranscripts: f.keepTopicTranscripts,
    widgetOrigins: f.widgetOrigins
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  };
}

/** The sentence for a field the server named (`openingHours.0.to` → that row's field). */
function fieldError(t: Messages, field: string): string {
  const e = t.admin.settings.fieldErrors;
  if (field === 'name') return e.name;
  if (field === 'imprintUrl' || field === 'privacyUrl' || field === 'quickExitUrl') return e.url;
  if (field in EXTRA) {
    const [min, max] = EXTRA[field as ExtraKey];
    return isBytes(field as ExtraKey) ? e.megabytes(min, max) : e.number(min, max);
  }
  if (field in NUMBERS) {
    const [min, max] = NUMBERS[field as NumberKey];
    return e.number(min, max);
  }
  if (field.startsWith('openingHours')) return e.time;
  if (field === 'privacyText') return e.text(4000);
  if (field === 'emergencyText') return e.text(2000);
  if (field === 'widgetOrigins') return e.origins;
  if (field === 'timeZone') return e.timeZone;
  return e.other;
}

/** The element id of a field (opening hours rows: `hours-0-to`). */
const idOf = (field: string): string => {
  const m = /^openingHours\.(\d+)\.(day|from|to)$/.exec(field);
  return m ? `hours-${m[1]}-${m[2]}` : `setting-${field.split('.')[0]}`;
};

/** Every center setting, one fieldset per group; the server's validation errors appear next to their field. */
export function AdminSettingsPage({ session, center }: PageProps) {
  const { t } = useI18n();
  const s = t.admin.settings;
  const url = `/api/centers/${encodeURIComponent(center)}/settings`;
  const [form, setForm] = useState<Form | null>(null);
  const [extra, setExtra] = useState<Partial<Record<ExtraKey, string>>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const focusNext = useRef<string | null>(null);

  useEffect(() => {
    session.call<Settings>(url).then(
      (v) => {
        setForm(toForm(v));
        setExtra(toExtra(v));
      },
      (err) => setError(errorText(t, err)),
    );
  }, [session, url, t]);
  // before the browser paints: the error and the focus on its field arrive together
  useLayoutEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  if (!form)
    return (
      <Layout session={session} title={s.title}>
        <StatusLine text="" error={error} />
        {!error && <p>{t.common.loading}</p>}
      </Layout>
    );

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const setHours = (i: number, patch: Partial<Hours>) =>
    set(
      'openingHours',
      form.openingHours.map((h, j) => (j === i ? { ...h, ...patch } : h)),
    );

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setStatus('');
    setError('');
    try {
      const saved = await session.call<Settings>(url, { method: 'PATCH', body: { ...toBody(form), ...extraBody(extra) } });
      setForm(toForm(saved));
      setExtra(toExtra(saved));
      setStatus(s.saved);
    } catch (err) {
      const fields = err instanceof ApiError && err.code === 'VALIDATION_FAILED' ? (err.fields ?? []) : [];
      if (fields.length > 0) {
        setErrors(Object.fromEntries(fields.map((f) => [idOf(f), fieldError(t, f)])));
        setError(s.invalid);
        focusNext.current = idOf(fields[0]!);
      } else setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  const text = (key: 'name' | 'imprintUrl' | 'privacyUrl' | 'timeZone' | 'quickExitUrl', label: string, hint?: string) => (
    <Field id={`setting-${key}`} label={label} hint={hint} error={errors[`setting-${key}`]}>
      {(aria) => <input value={form[key]} onInput={(e) => set(key, e.currentTarget.value)} {...aria} />}
    </Field>
  );
  const number = (key: NumberKey, label: string) => (
    <Field id={`setting-${key}`} label={label} error={errors[`setting-${key}`]}>
      {(aria) => (
        <input
          type="number"
          inputMode="numeric"
          min={NUMBERS[key][0]}
          max={NUMBERS[key][1]}
          value={form[key]}
          onInput={(e) => set(key, e.currentTarget.value)}
          {...aria}
        />
      )}
    </Field>
  );
  const extraNumber = (key: ExtraKey, label: string) =>
    extra[key] === undefined ? null : (
      <Field id={`setting-${key}`} label={label} error={errors[`setting-${key}`]}>
        {(aria) => (
          <input
            type="text"
            inputMode={isBytes(key) ? 'decimal' : 'numeric'}
            value={extra[key]}
            onInput={(e) => setExtra({ ...extra, [key]: e.currentTarget.value })}
            {...aria}
          />
        )}
      </Field>
    );
  const area = (key: 'privacyText' | 'emergencyText' | 'widgetOrigins', label: string, hint?: string) => (
    <Field id={`setting-${key}`} label={label} hint={hint} error={errors[`setting-${key}`]}>
      {(aria) => <textarea rows={4} value={form[key]} onInput={(e) => set(key, e.currentTarget.value)} {...aria} />}
    </Field>
  );
  const check = (key: 'keepLiveTranscripts' | 'keepTopicTranscripts', label: string) => (
    <Checkbox id={`setting-${key}`} label={label} checked={form[key]} onChange={(on) => set(key, on)} />
  );

  return (
    <Layout session={session} title={s.title}>
      <StatusLine text={status} error={error} />
      <form class="admin-form" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset>
          <legend>{s.general}</legend>
          {text('name', s.name)}
          {text('imprintUrl', s.imprintUrl, s.urlHint)}
          {text('privacyUrl', s.privacyUrl, s.urlHint)}
          {text('timeZone', s.timeZone)}
        </fieldset>
        <fieldset>
          <legend>{s.live}</legend>
          {number('liveWaitingLimit', s.liveWaitingLimit)}
          {number('liveMaxWaitMinutes', s.liveMaxWaitMinutes)}
          {number('shiftGraceSeconds', s.shiftGraceSeconds)}
          <Field id="setting-liveHandover" label={s.liveHandover}>
            {(aria) => (
              <select {...aria} value={form.liveHandover} onChange={(e) => set('liveHandover', e.currentTarget.value as Form['liveHandover'])}>
                <option value="handover">{s.handoverModes.handover}</option>
                <option value="end">{s.handoverModes.end}</option>
              </select>
            )}
          </Field>
          {number('liveBlockHours', s.liveBlockHours)}
          {number('liveWaitingPerAddress', s.liveWaitingPerAddress)}
          {text('quickExitUrl', s.quickExitUrl, s.urlHint)}
        </fieldset>
        <fieldset>
          <legend>{s.hours}</legend>
          <p class="hint">{s.hoursIntro}</p>
          {form.openingHours.map((h, i) => (
            <fieldset class="admin-hours" key={i}>
              <legend>{s.rowLabel(i + 1)}</legend>
              <Field id={`hours-${i}-day`} label={s.day} error={errors[`hours-${i}-day`]}>
                {(aria) => (
                  <select value={String(h.day)} onChange={(e) => setHours(i, { day: Number(e.currentTarget.value) })} {...aria}>
                    {s.dayNames.map((name, d) => (
                      <option key={d} value={String(d)}>
                        {name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field id={`hours-${i}-from`} label={s.from} error={errors[`hours-${i}-from`]}>
                {(aria) => <input type="time" value={h.from} onInput={(e) => setHours(i, { from: e.currentTarget.value })} {...aria} />}
              </Field>
              <Field id={`hours-${i}-to`} label={s.to} error={errors[`hours-${i}-to`]}>
                {(aria) => <input type="time" value={h.to} onInput={(e) => setHours(i, { to: e.currentTarget.value })} {...aria} />}
              </Field>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  set(
                    'openingHours',
                    form.openingHours.filter((_, j) => j !== i),
                  );
                  focusNext.current = 'add-hours';
                }}
              >
                {s.removeHours(i + 1)}
              </button>
            </fieldset>
          ))}
          <button
            id="add-hours"
            type="button"
            class="secondary"
            onClick={() => {
              focusNext.current = `hours-${form.openingHours.length}-day`;
              set('openingHours', [...form.openingHours, { day: 1, from: '09:00', to: '17:00' }]);
            }}
          >
            {s.addHours}
          </button>
        </fieldset>
        <fieldset>
          <legend>{s.texts}</legend>
          {area('privacyText', s.privacyText)}
          {area('emergencyText', s.emergencyText, s.emergencyHint)}
        </fieldset>
        <fieldset>
          <legend>{s.transcripts}</legend>
          {check('keepLiveTranscripts', s.keepLiveTranscripts)}
          {check('keepTopicTranscripts', s.keepTopicTranscripts)}
          {number('transcriptRetentionDays', s.transcriptRetentionDays)}
        </fieldset>
        {(extra.documentMaxBytes !== undefined || extra.documentDailyQuota !== undefined) && (
          <fieldset>
            <legend>{s.documents}</legend>
            {extraNumber('documentMaxBytes', s.documentMaxBytes)}
            {extraNumber('documentDailyQuota', s.documentDailyQuota)}
            {extraNumber('documentDailyBytes', s.documentDailyBytes)}
          </fieldset>
        )}
        {(extra.threadRetentionDays !== undefined || extra.unconfirmedRegistrationDays !== undefined || extra.unusedAccountDays !== undefined) && (
          <fieldset>
            <legend>{s.retention}</legend>
            <p class="hint">{s.retentionIntro}</p>
            {extraNumber('threadRetentionDays', s.threadRetentionDays)}
            {extraNumber('unconfirmedRegistrationDays', s.unconfirmedRegistrationDays)}
            {extraNumber('unusedAccountDays', s.unusedAccountDays)}
          </fieldset>
        )}
        <fieldset>
          <legend>{s.embedding}</legend>
          {area('widgetOrigins', s.widgetOrigins, s.widgetOriginsHint)}
        </fieldset>
        <button type="submit" disabled={busy}>
          {s.save}
        </button>
      </form>
      <VideoConsentEditor session={session} center={center} />
      <RetentionList session={session} timeZone={session.state.info?.timeZone ?? 'Europe/Berlin'} />
    </Layout>
  );
}
