import { useEffect, useState } from 'preact/hooks';
import type { CannedResponseView } from '../../../src/realtime/contract';
import { useI18n } from '../i18n';
import { CannedMenu } from '../lib/canned-menu';
import type { PortalSession } from './session';

/**
 * "Insert canned response" beside a portal composer (the room page): the signed-in staff
 * member's own canned responses from the server. Renders nothing for clients.
 *
 *   <CannedPicker session={session} targetId="room-reply" onInsert={(body) => setText((t) => (t ? `${t} ${body}` : body))} />
 */
export function CannedPicker({ session, targetId, onInsert }: { session: PortalSession; targetId: string; onInsert: (body: string) => void }) {
  const { t } = useI18n();
  const role = session.state.auth?.account.role;
  const staff = role === 'counselor' || role === 'admin';
  const [list, setList] = useState<CannedResponseView[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!staff) return;
    session.call<CannedResponseView[]>('/api/canned-responses').then(setList, () => setFailed(true));
  }, [session, staff]);
  if (!staff) return null;
  const center = session.state.center;
  return (
    <CannedMenu
      id={`canned-${targetId}`}
      list={list}
      failed={failed}
      labels={{ open: t.console.canned, none: t.console.cannedNone, failed: t.console.cannedLoadFailed, manage: t.console.cannedManage }}
      manageHref={center ? `/c/${encodeURIComponent(center)}/app/canned` : undefined}
      targetId={targetId}
      onInsert={onInsert}
    />
  );
}
