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
