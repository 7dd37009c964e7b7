import { useEffect, useState } from 'preact/hooks';
import type { MyCounselorView } from '../../../src/realtime/contract';
import { useI18n } from '../i18n';
import type { PortalSession } from './session';
import './team/team.css';

/**
 * "Your counselor" for a signed-in client (threads page; the appointments page imports it too):
 * the counselor a crisis contact, a booking or the admin gave them, or a line that says one comes.
 * Renders nothing for staff, and nothing while loading or when the request fails.
 */
export function YourCounselor({ session }: { session: PortalSession }) {
  const { t } = useI18n();
  const y = t.team.yourCounselor;
  const isClient = session.state.auth?.account.role === 'client';
  const [view, setView] = useState<MyCounselorView | null>(null);
  useEffect(() => {
    if (!isClient) return;
    let gone = false;
    session.call<MyCounselorView>('/api/accounts/me/counselor').then(
      (v) => !gone && setView(v),
      () => undefined,
    );
    return () => {
      gone = true;
    };
  }, [session, isClient]);
  if (!isClient || !view) return null;
  return (
    <section class="your-counselor" aria-labelledby="your-counselor-heading" data-counselor={view.counselor?.id ?? ''}>
      <h2 id="your-counselor-heading">{y.heading}</h2>
      <p>{view.counselor ? y.named(view.counselor.displayName) : y.none}</p>
    </section>
  );
}
