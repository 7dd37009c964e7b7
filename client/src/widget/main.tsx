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

/** Quick exit: forget the chat in this tab, then replace the whole page with a neutral one. */
function quickExit(): void {
  session.forget();
  const target = new URL('/neutral.html', location.origin).href;
  // Ask the loader on the host page too (it may navigate even where the browser blocks us).
  if (window.parent !== window) window.parent.postMessage({ type: 'lotse.quickExit', url: target }, '*');
  try {
    window.top!.location.replace(target);
  } catch {
    location.replace(target);
  }
}

render(<App session={session} t={t} lang={lang} onQuickExit={quickExit} />, document.getElementById('app')!);
void session.init();
