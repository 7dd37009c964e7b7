import type { ComponentType } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ErrorBoundary, lazy, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { applyLang, CATALOGUES, I18n, Lang, rememberLang } from '../i18n';
import { useStore } from '../lib/store';
import { homePath } from './nav';
import type { PageProps } from './page';
import { CenterPage } from './pages/center';
import { CentersPage, useCenterList } from './pages/centers';
import { LoginPage } from './pages/login';
import { NotFoundPage } from './pages/not-found';
import { RegisterPage } from './pages/register';
import type { PortalSession } from './session';

// The signed-in areas load on demand: the center's page stays small for the person in crisis.
const ResetPage = lazy(() => import('./pages/reset').then((m) => m.ResetPage));
const InvitationPage = lazy(() => import('./pages/invitation').then((m) => m.InvitationPage));
const TopicJoinPage = lazy(() => import('./pages/topic-join').then((m) => m.TopicJoinPage));
const AccountPage = lazy(() => import('./pages/account').then((m) => m.AccountPage));
const RoomsPage = lazy(() => import('./pages/rooms').then((m) => m.RoomsPage));
const RoomPage = lazy(() => import('./pages/room').then((m) => m.RoomPage));
const TopicsPage = lazy(() => import('./pages/topics').then((m) => m.TopicsPage));
const LivePage = lazy(() => import('./pages/live').then((m) => m.LivePage));
const CannedPage = lazy(() => import('./pages/canned').then((m) => m.CannedPage));
const AdminOverviewPage = lazy(() => import('./pages/admin-overview').then((m) => m.AdminOverviewPage));
const AdminStaffPage = lazy(() => import('./pages/admin-staff').then((m) => m.AdminStaffPage));
const AdminClientsPage = lazy(() => import('./pages/admin-clients').then((m) => m.AdminClientsPage));
const ThreadsPage = lazy(() => import('./pages/threads').then((m) => m.ThreadsPage));
const ThreadNewPage = lazy(() => import('./pages/thread-new').then((m) => m.ThreadNewPage));
const ThreadPage = lazy(() => import('./pages/thread').then((m) => m.ThreadPage));
const ClientNotesPage = lazy(() => import('./pages/client-notes').then((m) => m.ClientNotesPage));
const AbsencePage = lazy(() => import('./pages/absence').then((m) => m.AbsencePage));
const AdminEnquiriesPage = lazy(() => import('./pages/admin-enquiries').then((m) => m.AdminEnquiriesPage));
const AdminSettingsPage = lazy(() => import('./pages/admin-settings').then((m) => m.AdminSettingsPage));
const AppointmentsPage = lazy(() => import('./appointments/appointments-page').then((m) => m.AppointmentsPage));
const TeamPage = lazy(() => import('./pages/team').then((m) => m.TeamPage));
const ProfilePage = lazy(() => import('./pages/profile').then((m) => m.ProfilePage));
const StatsPage = lazy(() => import('./stats/stats-page').then((m) => m.StatsPage));
const VideoPage = lazy(() => import('./video/video-page').then((m) => m.VideoPage));
const VideoRoomPage = lazy(() => import('./video/room-page').then((m) => m.VideoRoomPage));
const VideoInvitePage = lazy(() => import('./video/invite-page').then((m) => m.VideoInvitePage));

export function PortalApp({ session, initialLang }: { session: PortalSession; initialLang: Lang }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const t = CATALOGUES[lang];
  useEffect(() => applyLang(t), [t]);
  const i18n = useMemo(
    () => ({
      t,
      lang,
      setLang: (next: Lang) => {
        rememberLang(next);
        setLangState(next);
      },
    }),
    [t, lang],
  );
  return (
    <I18n.Provider value={i18n}>
      <LocationProvider>
        <ErrorBoundary>
          <Router>
            <Route path="/" component={() => <Home session={session} />} />
            <Route path="/c/:center" component={center(session, CenterPage)} />
            <Route path="/c/:center/login" component={center(session, LoginPage)} />
            <Route path="/c/:center/register" component={center(session, RegisterPage)} />
            <Route path="/c/:center/reset" component={center(session, ResetPage)} />
            <Route path="/c/:center/invitation" component={center(session, InvitationPage)} />
            <Route path="/c/:center/topic/:id" component={center(session, TopicJoinPage)} />
            <Route path="/c/:center/app" component={center(session, RoleHome, true)} />
            <Route path="/c/:center/app/account" component={center(session, AccountPage, true)} />
            <Route path="/c/:center/app/rooms" component={center(session, RoomsPage, true)} />
            <Route path="/c/:center/app/rooms/:id" component={center(session, RoomPage, true)} />
            <Route path="/c/:center/app/threads" component={center(session, ThreadsPage, true)} />
            <Route path="/c/:center/app/threads/new" component={center(session, ThreadNewPage, true)} />
            <Route path="/c/:center/app/threads/:id" component={center(session, ThreadPage, true)} />
            <Route path="/c/:center/app/clients/:id/notes" component={center(session, ClientNotesPage, true)} />
            <Route path="/c/:center/app/absence" component={center(session, AbsencePage, true)} />
            <Route path="/c/:center/app/enquiries" component={center(session, AdminEnquiriesPage, true)} />
            {/* the notification mails link here (no /app: the address in a mail stays short) */}
            <Route path="/c/:center/threads" component={center(session, ToApp, true)} />
            <Route path="/c/:center/threads/:id" component={center(session, ToApp, true)} />
            <Route path="/c/:center/app/topics" component={center(session, TopicsPage, true)} />
            <Route path="/c/:center/app/live" component={center(session, LivePage, true)} />
            <Route path="/c/:center/app/canned" component={center(session, CannedPage, true)} />
            <Route path="/c/:center/app/overview" component={center(session, AdminOverviewPage, true)} />
            <Route path="/c/:center/app/staff" component={center(session, AdminStaffPage, true)} />
            <Route path="/c/:center/app/clients" component={center(session, AdminClientsPage, true)} />
            <Route path="/c/:center/app/settings" component={center(session, AdminSettingsPage, true)} />
            <Route path="/c/:center/app/appointments" component={center(session, AppointmentsPage, true)} />
            <Route path="/c/:center/team" component={center(session, TeamPage)} />
            <Route path="/c/:center/app/profile" component={center(session, ProfilePage, true)} />
            <Route path="/c/:center/app/stats" component={center(session, StatsPage, true)} />
            <Route path="/c/:center/app/video" component={center(session, VideoPage, true)} />
            <Route path="/c/:center/app/video/:id" component={center(session, VideoRoomPage, true)} />
            <Route path="/c/:center/video-invite" component={center(session, VideoInvitePage)} />
            <Route default component={() => <NotFoundPage session={session} />} />
          </Router>
        </ErrorBoundary>
      </LocationProvider>
    </I18n.Provider>
  );
}

/** `GET /`: one center → its page; several → the list. */
function Home({ session }: { session: PortalSession }) {
  const list = useCenterList();
  const only = list?.length === 1 ? list[0] : undefined;
  if (!list) return null;
  if (only) return <CenterGate session={session} center={only.slug} page={CenterPage} auth={false} params={{}} />;
  return <CentersPage session={session} centers={list} />;
}

/** A route under `/c/:center`: enters the center, shows the friendly page for an unknown one, and (for `auth`) asks to log in first. */
function center(session: PortalSession, page: ComponentType<PageProps>, auth = false) {
  return function CenterRoute(props: { params: Record<string, string> }) {
    const slug = props.params.center ?? '';
    return <CenterGate session={session} center={slug} page={page} auth={auth} params={props.params} />;
  };
}

function CenterGate({
  session,
  center,
  page: Page,
  auth,
  params,
}: {
  session: PortalSession;
  center: string;
  page: ComponentType<PageProps>;
  auth: boolean;
  params: Record<string, string>;
}) {
  const state = useStore(session);
  const { route, path } = useLocation();
  useEffect(() => void session.enter(center), [session, center]);
  const entered = state.center === center;
  // only once the center is known: an unknown one shows the friendly page, not a login
  const needsLogin = auth && entered && state.infoState === 'ready' && !state.auth;
  useEffect(() => {
    if (needsLogin) route(`/c/${encodeURIComponent(center)}/login?next=${encodeURIComponent(path)}`, true);
  }, [needsLogin, center, path, route]);
  if (!entered || (state.infoState === 'loading' && !state.info)) return null;
  if (state.infoState === 'missing') return <NotFoundPage session={session} />;
  if (needsLogin) return null;
  return <Page session={session} center={center} params={params} />;
}

/** `/c/:center/threads[/:id]` (the link in a notification mail) → the same page under `/app`. */
function ToApp({ center, params }: PageProps) {
  const { route } = useLocation();
  const id = params?.id;
  useEffect(() => {
    route(`/c/${encodeURIComponent(center)}/app/threads${id ? `/${encodeURIComponent(id)}` : ''}`, true);
  }, [center, id, route]);
  return null;
}

/** `/c/:center/app`: the signed-in person's first area. */
function RoleHome({ session, center }: PageProps) {
  const { route } = useLocation();
  const role = session.state.auth?.account.role;
  useEffect(() => {
    if (role) route(homePath(center, role), true);
  }, [role, center, route]);
  return null;
}
