import type { ComponentChildren, JSX, Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ErrorCode } from '../../../src/realtime/contract';
import { useI18n, type Messages } from '../i18n';
import { ApiError } from '../lib/api';
import './form-parts.css';

/** What a control needs from its `Field`: its id and the ties to the label's hint and error. */
export interface FieldA11y {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: 'true';
  'aria-required'?: 'true';
}

export interface FieldProps {
  id: string;
  label: string;
  /** "(freiwillig)" or "(Pflichtfeld)" after the label. */
  marker?: string;
  hint?: string;
  error?: string;
  required?: boolean;
}

/**
 * A labelled control with its hint (before it) and its error (after it), both tied to it by
 * aria-describedby (the error first), aria-invalid while there is an error. The control comes from
 * `children`, which receives the attributes to spread on it: an input, a select, a textarea.
 */
export function Field({ id, label, marker, hint, error, required, children }: FieldProps & { children: (a11y: FieldA11y) => ComponentChildren }) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ');
  const a11y: FieldA11y = {
    id,
    ...(describedBy ? { 'aria-describedby': describedBy } : {}),
    ...(error ? { 'aria-invalid': 'true' as const } : {}),
    ...(required ? { 'aria-required': 'true' as const } : {}),
  };
  return (
    <div class="field">
      <label for={id}>
        {label}
        {marker && <span class="marker"> {marker}</span>}
      </label>
      {hint && (
        <span id={hintId} class="hint">
          {hint}
        </span>
      )}
      {children(a11y)}
      {error && (
        <span id={errorId} class="error">
          {error}
        </span>
      )}
    </div>
  );
}

type InputAttributes = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onInput' | 'ref' | 'label'> & { [data: `data-${string}`]: string };

export interface TextFieldProps extends FieldProps {
  value: string;
  onInput: (value: string) => void;
  type?: string;
  autoComplete?: string;
  /** A login, a code, an address: typed as it is, no spell check and no capitals. */
  verbatim?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  /** Further attributes of the input (maxLength, min, data-field, …). */
  input?: InputAttributes;
}

/** A `Field` with a one-line input. */
export function TextField({ value, onInput, type, autoComplete, verbatim, inputRef, input, ...field }: TextFieldProps) {
  return (
    <Field {...field}>
      {(a11y) => (
        <input
          {...input}
          {...a11y}
          name={field.id}
          ref={inputRef}
          type={type ?? 'text'}
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
          autoComplete={autoComplete}
          {...(verbatim ? { spellcheck: false, autoCapitalize: 'off' } : {})}
        />
      )}
    </Field>
  );
}

/** A labelled checkbox (label after the box). */
export function Checkbox({
  id,
  label,
  checked,
  onChange,
  class: extra,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (on: boolean) => void;
  class?: string;
}) {
  return (
    <div class={extra ? `check ${extra}` : 'check'}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

export interface PasswordFieldProps extends Omit<TextFieldProps, 'type' | 'verbatim'> {
  /** The "show password" switch under the field, with this id; without it the field follows `shown`. */
  toggleId?: string;
  /** Controlled visibility (a second field that follows the first one's switch). */
  shown?: boolean;
  onShownChange?: (shown: boolean) => void;
}

/** A password input, with the "show password" switch under it when `toggleId` is given. */
export function PasswordField({ toggleId, shown, onShownChange, ...field }: PasswordFieldProps) {
  const { t } = useI18n();
  const [own, setOwn] = useState(false);
  const visible = shown ?? own;
  const change = (on: boolean) => (onShownChange ? onShownChange(on) : setOwn(on));
  return (
    <>
      <TextField {...field} type={visible ? 'text' : 'password'} verbatim />
      {toggleId && <Checkbox id={toggleId} class="show-password" label={t.auth.showPassword} checked={visible} onChange={change} />}
    </>
  );
}

/** A form-level error (next to the submit button), announced at once; always in the DOM. */
export function FormError({ id, text }: { id: string; text: string | null | undefined }) {
  return (
    <p id={id} class="error form-error" role="alert">
      {text ?? ''}
    </p>
  );
}

export type FieldErrors = Partial<Record<string, string>>;

/** Focuses the first field that has an error, in the order given (so a keyboard user lands on it). */
export function focusFirst(errors: FieldErrors, order: string[]): void {
  const first = order.find((f) => errors[f]);
  if (first) document.getElementById(first)?.focus();
}

/** A plain sentence for any failure, never a raw code: the wait in seconds for RATE_LIMITED, else the catalogue's sentence for the code. */
export function errorText(t: Messages, err: unknown): string {
  if (!(err instanceof ApiError)) return t.errors.INTERNAL;
  if (err.code === 'RATE_LIMITED') return t.auth.rateLimited(Math.max(1, Math.ceil((err.retryAfterMs ?? 60_000) / 1000)));
  return t.errors[err.code as ErrorCode | 'NETWORK'] ?? t.errors.INTERNAL;
}

export const isApiError = (err: unknown, code: string): err is ApiError => err instanceof ApiError && err.code === code;

/** The fields the server named in a VALIDATION_FAILED answer (empty for anything else). */
export const refusedFields = (err: unknown): string[] => (isApiError(err, 'VALIDATION_FAILED') ? (err.fields ?? []) : []);

/** A refused request as field errors (VALIDATION_FAILED with `fields`) or one sentence for the form. */
export function explain(
  err: unknown,
  t: Messages,
  fieldErrors: Record<string, string>,
  overrides: Partial<Record<string, string>> = {},
): { fields: Record<string, string>; form: string | null } {
  const fields = refusedFields(err);
  if (fields.length > 0) return { fields: Object.fromEntries(fields.map((f) => [f, fieldErrors[f] ?? t.errors.VALIDATION_FAILED])), form: null };
  const override = err instanceof ApiError ? overrides[err.code] : undefined;
  return { fields: {}, form: override ?? errorText(t, err) };
}

/**
 * A confirmation in a native modal dialog, shown while it is rendered: the focus moves in (to
 * "Cancel", the safe choice, or to `focusId`), Esc and "Cancel" call `onClose`, and when it goes
 * the focus returns to what opened it (the page heading when that is gone with a deleted row).
 * `children` say what happens (the dialog's description); `fields` (a password) sit in its form,
 * which confirms on submit.
 */
export function ConfirmDialog({
  id = 'confirm',
  title,
  children,
  fields,
  confirmLabel,
  cancelLabel,
  onConfirm,
  onClose,
  busy,
  busyLabel,
  danger = true,
  focusId,
  returnTo,
}: {
  /** Prefix of the ids of the title and the description. */
  id?: string;
  title: string;
  children?: ComponentChildren;
  fields?: ComponentChildren;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onClose: () => void;
  busy?: boolean;
  /** The confirm button's text while busy. */
  busyLabel?: string;
  /** A destructive step (red); false for one that only gives back. */
  danger?: boolean;
  focusId?: string;
  /** Where the focus goes when the dialog goes, if not back to its opener (asked at that moment). */
  returnTo?: () => HTMLElement | null;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    (focusId ? document.getElementById(focusId) : cancel.current)?.focus();
    return () => {
      // the focus goes back only if nothing else took it (a page may send it elsewhere after the step)
      const active = document.activeElement;
      const lost = !active || active === document.body || (dialog?.contains(active) ?? false);
      // an open modal makes the rest of the page inert: close it before the focus goes back
      if (dialog?.open) dialog.close();
      if (!lost) return;
      const target = returnTo?.() ?? opener;
      target?.focus();
      // after a deletion the opener may go with its row in this same render: the page heading takes the focus
      setTimeout(() => {
        if (!target?.isConnected) document.querySelector<HTMLElement>('main h1')?.focus();
      }, 0);
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={danger ? 'confirm' : 'confirm safe'}
      aria-labelledby={`${id}-title`}
      aria-describedby={children ? `${id}-text` : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={`${id}-title`} dir="auto">
        {title}
      </h2>
      {children && <div id={`${id}-text`}>{children}</div>}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) onConfirm();
        }}
      >
        {fields}
        <div class="confirm-actions">
          <button type="button" ref={cancel} class="secondary" onClick={onClose}>
            {cancelLabel ?? t.common.cancel}
          </button>
          <button type="submit" class={danger ? 'danger' : undefined} aria-disabled={busy ? 'true' : undefined}>
            {busy && busyLabel ? busyLabel : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The polite status line of a page or panel (saved, deleted, …), always in the DOM so it is announced, and its error. */
export function StatusLine({ text, error }: { text: string; error?: string | null }) {
  return (
    <>
      <p class={text ? 'notice' : 'sr-only'} role="status" aria-live="polite">
        {text}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
