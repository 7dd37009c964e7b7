/**
 * The embeddable loader (`<script src="https://<lotse>/widget.js" data-center="<slug>" async>`).
 * It adds a launcher button that shows the live status and opens the chat in an iframe from Lotse's
 * own origin, so the host page never sees the conversation. No cookies, no other hosts.
 */
export {}; // a module for the type checker; the build emits one IIFE without exports

interface LiveStatus {
  open: boolean;
  full: boolean;
  waiting: number;
}
type Status = 'open' | 'full' | 'closed' | 'unknown';

const TEXTS = {
  de: {
    open: 'Chat: jetzt erreichbar',
    full: 'Chat: alle Plätze belegt',
    closed: 'Chat: geschlossen',
    unknown: 'Chat',
    launch: 'Chat mit der Beratung öffnen',
    hide: 'Chatfenster ausblenden',
    frame: 'Anonymer Beratungschat',
  },
  en: {
    open: 'Chat: available now',
    full: 'Chat: all places taken',
    closed: 'Chat: closed',
    unknown: 'Chat',
    launch: 'Open the counseling chat',
    hide: 'Hide chat window',
    frame: 'Anonymous counseling chat',
  },
};

const STYLES = `
:host { all: initial; }
.launcher { position: fixed; right: 16px; bottom: 16px; z-index: 2147483646; display: flex; align-items: center; gap: 8px;
  padding: 12px 18px; border: 2px solid #fff; border-radius: 999px; background: #0b5c8a; color: #fff; cursor: pointer;
  font: 600 16px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; box-shadow: 0 2px 10px rgba(0,0,0,.3); }
.launcher:focus-visible { outline: 3px solid #e08600; outline-offset: 2px; }
.dot { width: 12px; height: 12px; border-radius: 50%; background: #9aa5ae; border: 2px solid #fff; }
[data-status=open] .dot { background: #2ea44f; }
[data-status=full] .dot { background: #f0a500; }
[data-status=closed] .dot { background: #9aa5ae; }
.panel { position: fixed; right: 16px; bottom: 80px; z-index: 2147483647; width: min(400px, calc(100vw - 32px));
  height: min(640px, calc(100vh - 100px)); background: #fff; border-radius: 12px; overflow: hidden;
  box-shadow: 0 4px 24px rgba(0,0,0,.35); display: flex; flex-direction: column; }
.panel[hidden] { display: none; }
iframe { border: 0; width: 100%; height: 100%; flex: 1; }
@media (max-width: 640px), (max-height: 560px) {
  /* the whole viewport: the launcher (the way to hide the chat) sits on the panel's own bottom strip */
  .panel { top: 0; left: 0; right: 0; bottom: 0; width: 100vw; height: auto; border-radius: 0; padding-bottom: 56px;
    box-sizing: border-box; box-shadow: none; z-index: 2147483646; }
  .launcher { right: 8px; bottom: 6px; padding: 10px 14px; font-size: 15px; z-index: 2147483647; }
}
`;

(() => {
  const script = (document.currentScript ?? document.querySelector('script[data-center][src*="widget.js"]')) as HTMLScriptElement | null;
  const center = script?.dataset.center;
  const w = window as Window & { lotseWidget?: { status: Status } };
  if (!script || !center || w.lotseWidget) return;
  const origin = new URL(script.src, location.href).origin;
  const pageLang = document.documentElement.lang || navigator.language || 'de';
  const lang = pageLang.toLowerCase().startsWith('en') ? 'en' : 'de';
  const t = TEXTS[lang];
  const state: { status: Status } = { status: 'unknown' };
  w.lotseWidget = state;

  const host = document.createElement('div');
  host.id = 'lotse-widget';
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(STYLES);
  root.adoptedStyleSheets = [sheet];

  const panel = document.createElement('div');
  panel.className = 'panel';
  panel.id = 'lotse-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', t.frame);

  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'launcher';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'lotse-panel');
  const dot = document.createElement('span');
  dot.className = 'dot';
  dot.setAttribute('aria-hidden', 'true');
  const label = document.createElement('span');
  label.className = 'label';
  launcher.append(dot, label);
  root.append(panel, launcher);

  let frame: HTMLIFrameElement | null = null;

  const render = () => {
    host.dataset.status = state.status;
    launcher.dataset.status = state.status;
    label.textContent = panel.hidden ? t[state.status] : t.hide;
    launcher.setAttribute('aria-label', panel.hidden ? `${t.launch} – ${t[state.status]}` : t.hide);
  };

  const toggle = (open: boolean) => {
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.title = t.frame;
      frame.src = `${origin}/widget.html?center=${encodeURIComponent(center)}&lang=${lang}`;
      frame.referrerPolicy = 'no-referrer';
      panel.append(frame);
    }
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    render();
    if (open) frame?.focus();
  };

  launcher.addEventListener('click', () => toggle(panel.hidden));
  root.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Escape' && !panel.hidden) {
      toggle(false);
      launcher.focus();
    }
  });

  // Quick exit asked for by the chat frame (only our own origin): leave the host page for the
  // center's neutral page at once, replacing its history entry. Only http(s) targets.
  window.addEventListener('message', (e: MessageEvent<{ type?: string; url?: string }>) => {
    if (e.origin !== origin || e.data?.type !== 'lotse.quickExit') return;
    const url = e.data.url ?? '';
    if (/^https?:\/\//i.test(url)) location.replace(url);
  });

  const poll = async () => {
    if (document.visibilityState === 'hidden') return;
    try {
      const res = await fetch(`${origin}/api/centers/${encodeURIComponent(center)}/live`, {
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
      });
      if (!res.ok) throw new Error(String(res.status));
      const live = (await res.json()) as LiveStatus;
      state.status = !live.open ? 'closed' : live.full ? 'full' : 'open';
    } catch {
      state.status = 'unknown';
    }
    render();
  };

  render();
  const mount = () => {
    document.body.append(host);
    void poll();
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
  setInterval(() => void poll(), 15_000);
  document.addEventListener('visibilitychange', () => void poll());
})();
