import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ApiError } from '../lib/api';
import type { Messages } from '../i18n';

/** One labelled field with its hint and its error (aria-describedby, aria-invalid). */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: (a11y: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: 'true' }) => ComponentChildren;
}) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children({ id, ...(described ? { 'aria-describedby': described } : {}), ...(error ? { 'aria-invalid': 'true' as const } : {}) })}
      {hint && (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** A refused request as field errors (VALIDATION_FAILED with `fields`) or one sentence for the form. */
export function explain(
  err: unknown,
  t: Messages,
  fieldErrors: Record<string, string>,
  overrides: Partial<Record<string, string>> = {},
): { fields: Record<string, string>; form: string | null } {
  if (err instanceof ApiError) {
    if (err.code === 'VALIDATION_FAILED' && err.fields?.length) {
      const fields: Record<string, string> = {};
      for (const f of err.fields) fields[f] = fieldErrors[f] ?? t.errors.VALIDATION_FAILED;
      return { fields, form: null };
    }
    const known = overrides[err.code] ?? (t.errors as Record<string, string>)[err.code];
    return { fields: {}, form: known ?? t.errors.INTERNAL };
  }
  return { fields: {}, form: t.errors.INTERNAL };
}

/** A native modal dialog asking to confirm: the focus goes to the safe choice, Escape cancels. */
export function ConfirmDialog({ text, yes, no, onYes, onClose }: { text: string; yes: string; no: string; onYes: () => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="ws-confirm-text" onClose={onClose}>
      <p id="ws-confirm-text">{text}</p>
      <div class="actions">
        <button
          type="button"
          class="danger"
          onClick={() => {
            onYes();
            ref.current?.close();
          }}
        >
          {yes}
        </button>
        <button type="button" class="secondary" autofocus onClick={() => ref.current?.close()}>
          {no}
        </button>
      </div>
    </dialog>
  );
}
