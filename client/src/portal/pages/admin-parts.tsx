import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Messages } from '../../i18n';
import { useI18n } from '../../i18n';
import { ApiError } from '../../lib/api';

/** A plain sentence for any failure (never a raw code). */
export function errorText(t: Messages, err: unknown): string {
  const code = err instanceof ApiError ? err.code : 'INTERNAL';
  return (t.errors as Record<string, string>)[code] ?? t.errors.INTERNAL;
}

/**
 * A confirmation in a native modal dialog: the focus moves in (to "Cancel"), Esc cancels, and it
 * returns to the button that opened it when it closes.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  busy,
  danger = true,
}: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  busy?: boolean;
  /** A destructive step (red button); false for one that only gives back. */
  danger?: boolean;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    cancel.current?.focus();
    return () => {
      // an open modal makes the rest of the page inert: close it before the focus goes back
      if (dialog?.open) dialog.close();
      // after a deletion the button is gone with its row: the page heading takes the focus
      setTimeout(() => (opener?.isConnected ? opener : document.querySelector<HTMLElement>('main h1'))?.focus(), 0);
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="admin-dialog"
      aria-labelledby="admin-dialog-title"
      aria-describedby="admin-dialog-text"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="admin-dialog-title">{title}</h2>
      <div id="admin-dialog-text">{children}</div>
      <div class="admin-actions">
        <button type="button" ref={cancel} class="secondary" onClick={onClose}>
          {t.common.cancel}
        </button>
        <button type="button" class={danger ? 'danger' : undefined} disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** The polite status line of a page (saved, deleted, …); always in the DOM so it is announced. */
export function StatusLine({ text, error }: { text: string; error?: string }) {
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
