import { render } from 'preact';
import { applyLang, CATALOGUES, pickLang, storedLang } from '../i18n';
import { PortalApp } from './app';
import { PortalSession } from './session';
import '../lib/chat-base.css';
import './portal.css';

const lang = pickLang(new URLSearchParams(location.search).get('lang'), storedLang(), navigator.languages);
applyLang(CATALOGUES[lang]);
const session = new PortalSession(sessionStorage);
render(<PortalApp session={session} initialLang={lang} />, document.getElementById('app')!);
