import { CATALOGUES, type Lang } from '../i18n';
import { ConsoleSession } from '../console/console-session';
import type { PortalSession } from './session';

/**
 * The live console of the workspace: one ConsoleSession per portal session and center, signed in
 * with the portal's token (no second login). It outlives the live page: a counselor on shift who
 * opens the topics or canned page keeps the shift, the queue and the chats (and hears new ones).
 * When the portal's session ends (logout, or the server drops the token), the console part ends.
 */
let current: { portal: PortalSession; center: string; console: ConsoleSession; unsubscribe: () => void } | null = null;

export function workspaceConsole(portal: PortalSession, center: string, lang: Lang): ConsoleSession | null {
  const auth = portal.state.auth;
  if (!auth || (auth.account.role !== 'counselor' && auth.account.role !== 'admin')) return null;
  if (current && (current.portal !== portal || current.center !== center)) endWorkspaceConsole();
  if (!current) {
    const live: ConsoleSession = new ConsoleSession(sessionStorage, localStorage, CATALOGUES[lang].console, undefined, {
      storageKey: `lotse.portal.console.${center}`,
      restoreLogin: false,
      // A revoked token (logout elsewhere, deactivation): the portal forgets it, which ends the console
      // below. A token that still lives connects again.
      onServerDisconnect: () => {
        void portal.verify().then(() => {
          if (portal.state.auth) live.reconnect();
        });
      },
    });
    const unsubscribe = portal.subscribe(() => {
      const now = portal.state.auth;
      if (!now || now.token !== current?.console.state.auth?.token || portal.state.center !== center) endWorkspaceConsole();
    });
    current = { portal, center, console: live, unsubscribe };
  }
  current.console.adopt({ token: auth.token, center, account: auth.account });
  return current.console;
}

export function endWorkspaceConsole(): void {
  const was = current;
  if (!was) return;
  current = null;
  was.unsubscribe();
  void was.console.end();
}

/** The canned page changed the list: the running console shows the new one at once. */
export function refreshWorkspaceCanned(): void {
  void current?.console.loadCanned();
}
