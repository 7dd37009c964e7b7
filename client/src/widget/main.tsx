import { render } from 'preact';
import { App } from './app';
import { pickDict } from './i18n';
import { WidgetSession } from './session';
import '../lib/chat-base.css';
import './widget.css';

const params = new URLSearchParams(location.search);
const slug = params.get('center') ?? '';
const { t, lang } = pickDict(params.get('lang') ?? navigator.language);
document.documentElement.lang = lang;
document.title = t.title;

const session = new WidgetSession(slug, sessionStorage);
let leaving = false;

/**
 * Quick exit: hide the chat at once, tell the server that the person left (waiting only briefly),
 * forget the chat in this tab, then replace the page — and the host page, through the loader — with
 * the center's neutral page. `location.replace` keeps Back from returning here.
 */
async function quickExit(): Promise<void> {
  if (leaving) return;
  leaving = true;
  document.body.style.visibility = 'hidden';
  const target = new URL(session.quickExitUrl(), location.origin).href;
  await session.quickExit();
  const leave = () => {
    try {
      window.top!.location.replace(target);
    } catch {
      location.replace(target);
    }
  };
  if (window.parent === window) return leave();
  // In the loader's frame: the loader replaces the host page (this frame goes with it). Only if
  // nothing happens shortly (not our loader, or it is blocked) do we navigate the top ourselves.
  window.parent.postMessage({ type: 'lotse.quickExit', url: target }, '*');
  setTimeout(leave, 300);
}

// Escape twice within a second is the keyboard shortcut for quick exit.
let lastEscape = 0;
document.addEventListener('keydown', (e) => {
  if (e.key !== 'Escape') return;
  const now = Date.now();
  if (now - lastEscape < 1000) void quickExit();
  lastEscape = now;
});

render(<App session={session} t={t} lang={lang} onQuickExit={() => void quickExit()} />, document.getElementById('app')!);
void session.init();
