import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { LANGS, useI18n } from '../i18n';
import { useStore } from '../lib/store';
import { CrisisLines } from './crisis';
import { navFor } from './nav';
import type { PortalSession } from './session';

/**
 * The frame of every portal page: skip link, header (center, navigation by role, language,
 * logout), the page, and a footer with the crisis lines, imprint and privacy statement.
 * `title` becomes the document title and the page's h1; focus moves to it on navigation so a
 * screen reader hears where it is.
 */
export function Layout({ session, title, children }: { session: PortalSession; title: string; children: ComponentChildren }) {
  const { t, lang, setLang } = useI18n();
  const state = useStore(session);
  const { path } = useLocation();
  const heading = useRef<HTMLHeadingElement>(null);
  const center = state.center;
  const role = state.auth?.account.role;
  useEffect(() => {
    // the center's own page is titled with its name: no "Name – Name"
    document.title = state.info ? (title === state.info.name ? title : `${title} – ${state.info.name}`) : `${title} – ${t.common.appName}`;
  }, [title, state.info, t]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, [path]);
  const notice = state.notice?.path === path ? state.notice : null;
  useEffect(() => {
    if (state.notice && state.notice.path !== path) session.notify(null);
  }, [session, state.notice, path]);
  const base = center ? `/c/${encodeURIComponent(center)}` : '';
  const links = role && role !== 'visitor' ? navFor(role, state.info) : [];
  return (
    <div class="portal">
      <a class="skip" href="#main">
        {t.common.skipToContent}
      </a>
      <header class="top">
        <a class="brand" href={center ? base : '/'}>
          {state.info?.name ?? t.common.appName}
        </a>
        {links.length > 0 && (
          <nav aria-label={t.common.mainNav}>
            <ul>
              {links.map((l) => {
                const href = `${base}/app/${l.path}`;
                const current = path === href || path.startsWith(`${href}/`);
                return (
                  <li key={l.key}>
                    <a href={href} aria-current={current ? 'page' : undefined}>
                      {t.common.nav[l.key]}
                    </a>
                  </li>
                );
              })}
            </ul>
          </nav>
        )}
        <div class="tools">
          <label class="lang">
            <span class="sr-only">{t.common.language}</span>
            <select value={lang} onChange={(e) => setLang(e.currentTarget.value as typeof lang)}>
              {LANGS.map((l) => (
                <option key={l} value={l} lang={l}>
                  {t.common.languageNames[l]}
                </option>
              ))}
            </select>
          </label>
          {state.auth && center ? (
            <>
              <a href={`${base}/app/account`}>{t.common.account}</a>
              <button type="button" onClick={() => void session.logout()}>
                {t.common.logout}
              </button>
            </>
          ) : center && state.info ? (
            <a href={`${base}/login`}>{t.common.login}</a>
          ) : null}
        </div>
      </header>
      <main id="main">
        <h1 tabIndex={-1} ref={heading}>
          {title}
        </h1>
        {state.ended && !state.auth && (
          <p class="notice" role="alert">
            {t.common.sessionEnded}
          </p>
        )}
        {notice && (
          <p class="notice" role="status">
            {t.account.notices[notice.key]}
          </p>
        )}
        {children}
      </main>
      <footer class="bottom">
        <CrisisLines text={state.info?.emergencyText} />
        {state.info && (
          <ul class="legal">
            {state.info.imprintUrl && (
              <li>
                <a href={state.info.imprintUrl}>{t.common.imprint}</a>
              </li>
            )}
            {state.info.privacyUrl && (
              <li>
                <a href={state.info.privacyUrl}>{t.common.privacy}</a>
              </li>
            )}
          </ul>
        )}
      </footer>
    </div>
  );
}
