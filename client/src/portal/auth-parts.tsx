import type { Ref } from 'preact';
import type { ErrorCode } from '../../../src/realtime/contract';
import type { Messages } from '../i18n';
import { ApiError } from '../lib/api';

/** A labelled input with its hint and its error next to it (aria-describedby, aria-invalid). */
export function Field(props: {
  id: string;
  label: string;
  /** "(freiwillig)" or "(Pflichtfeld)" after the label. */
  marker?: string;
  hint?: string;
  error?: string;
  type?: string;
  value: string;
  onInput: (value: string) => void;
  autoComplete?: string;
  required?: boolean;
  inputRef?: Ref<HTMLInputElement>;
}) {
  const hintId = `${props.id}-hint`;
  const errorId = `${props.id}-error`;
  const describedBy = [props.error ? errorId : '', props.hint ? hintId : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={props.id}>
        {props.label}
        {props.marker && <span class="marker"> {props.marker}</span>}
      </label>
      {props.hint && (
        <span id={hintId} class="hint">
          {props.hint}
        </span>
      )}
      <input
        id={props.id}
        name={props.id}
        ref={props.inputRef}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        autoComplete={props.autoComplete}
        aria-required={props.required ? 'true' : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        spellcheck={false}
        autoCapitalize="off"
      />
      {props.error && (
        <span id={errorId} class="error">
          {props.error}
        </span>
      )}
    </div>
  );
}

/** The "show password" switch under a password field. */
export function ShowPassword({ id, checked, onChange, label }: { id: string; checked: boolean; onChange: (on: boolean) => void; label: string }) {
  return (
    <div class="check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

/** A form-level error (next to the submit button), announced at once. */
export function FormError({ id, text }: { id: string; text: string | null }) {
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

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** What is wrong with a password before it is sent (empty, short, long), or null. */
export function localPasswordProblem(t: Messages, password: string): string | null {
  if (password === '') return t.auth.errPasswordRequired;
  if ([...password].length < 8) return t.auth.errPasswordShort;
  if (bytes(password) > 72) return t.auth.errPasswordLong;
  return null;
}

/** Why the server refused a password (VALIDATION_FAILED on its field): the one rule left is "too common". */
export function refusedPasswordText(t: Messages, password: string): string {
  return localPasswordProblem(t, password) ?? t.auth.errPasswordCommon;
}

/** A plain sentence for any error: the wait in seconds for RATE_LIMITED, else the catalogue's sentence for the code. */
export function errorText(t: Messages, err: unknown): string {
  if (!(err instanceof ApiError)) return t.errors.INTERNAL;
  if (err.code === 'RATE_LIMITED') return t.auth.rateLimited(Math.max(1, Math.ceil((err.retryAfterMs ?? 60_000) / 1000)));
  return t.errors[err.code as ErrorCode | 'NETWORK'] ?? t.errors.INTERNAL;
}

export const isApiError = (err: unknown, code: string): err is ApiError => err instanceof ApiError && err.code === code;

/** The fields the server named in a VALIDATION_FAILED answer (empty for anything else). */
export const refusedFields = (err: unknown): string[] => (isApiError(err, 'VALIDATION_FAILED') ? (err.fields ?? []) : []);
