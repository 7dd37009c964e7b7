import { useEffect, useRef, useState } from 'preact/hooks';
import type { CannedResponseView } from '../../../src/realtime/contract';

export interface CannedMenuLabels {
  /** The button that opens the menu ("insert canned response"). */
  open: string;
  none: string;
  failed: string;
  manage: string;
}

export interface CannedMenuProps {
  /** Unique on the page (the menu's id derives from it). */
  id: string;
  list: CannedResponseView[] | null;
  failed?: boolean;
  labels: CannedMenuLabels;
  /** Where the list is edited (the portal's canned page); no link without it. */
  manageHref?: string;
  /** The composer's textarea: it gets the focus back after an insert or Escape. */
  targetId: string;
  onInsert: (body: string) => void;
}

/**
 * "Insert canned response": a disclosure button and a list of buttons (title, start of the text).
 * No select: arrowing through a select fires a change per option for keyboard users. Escape or an
 * insert closes it and puts the focus back into the composer. It holds no text of its own.
 */
export function CannedMenu({ id, list, failed, labels, manageHref, targetId, onInsert }: CannedMenuProps) {
  const [open, setOpen] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    document.getElementById(targetId)?.focus();
  };
  const menuId = `${id}-menu`;
  return (
    <div
      class="canned-menu"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <button type="button" class="secondary" aria-expanded={open} aria-controls={menuId} onClick={() => setOpen(!open)}>
        {labels.open}
      </button>
      {open && (
        <div id={menuId} class="canned-list">
          {failed ? (
            <p class="hint">{labels.failed}</p>
          ) : !list || list.length === 0 ? (
            <p class="hint">{labels.none}</p>
          ) : (
            <ul>
              {list.map((c, i) => (
                <li key={c.id}>
                  <button
                    type="button"
                    class="canned-item"
                    ref={i === 0 ? first : undefined}
                    data-canned={c.title}
                    onClick={() => {
                      onInsert(c.body);
                      close();
                    }}
                  >
                    <strong dir="auto">{c.title}</strong>
                    <span dir="auto">{c.body.length > 80 ? `${c.body.slice(0, 77)}…` : c.body}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {manageHref && <a href={manageHref}>{labels.manage}</a>}
        </div>
      )}
    </div>
  );
}
